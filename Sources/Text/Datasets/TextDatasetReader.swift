import Foundation

/// Reads labelled text from TSV, CSV or JSON Lines files, chosen by extension (`.tsv`,
/// `.csv`, `.jsonl`/`.json`).
///
/// Delimited files: the first line is a header when it names the selected columns (or, with
/// detection, when it contains a recognised text column); otherwise columns must be chosen
/// by index. TSV fields are split at tabs with no quoting (as GLUE's files; SST-2's text
/// keeps its quotes) and trimmed of surrounding spaces; CSV follows RFC 4180 (quoted fields
/// may hold commas, quotes and newlines). JSON Lines: one object per line, columns are keys;
/// a label may be a string or a number.
public enum TextDatasetReader {
    public enum Format: String, Sendable {
        case tsv, csv, jsonl
    }

    public static func format(of path: String) throws -> Format {
        switch (path as NSString).pathExtension.lowercased() {
        case "tsv", "txt": return .tsv
        case "csv": return .csv
        case "jsonl", "json", "ndjson": return .jsonl
        default:
            throw DataError(file: path, "unknown data format: expected a .tsv, .csv or .jsonl file")
        }
    }

    /// Reads every example of `path`. Throws `DataError` naming the file and line for a
    /// missing file, a row without the text or label column, a malformed line, or no rows.
    public static func read(_ path: String, columns: ColumnSelection = ColumnSelection()) throws -> [LabelledText] {
        let format = try format(of: path)
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError(file: path, "no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(file: path, "cannot be read")
        }
        guard let content = String(data: data, encoding: .utf8) else {
            throw DataError(file: path, "is not valid UTF-8")
        }
        let rows: [LabelledText]
        switch format {
        case .tsv: rows = try readDelimited(DelimitedText.tsvRecords(content), path: path, columns: columns)
        case .csv: rows = try readDelimited(try DelimitedText.csvRecords(content, path: path), path: path, columns: columns)
        case .jsonl: rows = try readJSONLines(content, path: path, columns: columns)
        }
        guard !rows.isEmpty else { throw DataError(file: path, "contains no examples") }
        return rows
    }

    // MARK: Delimited

    static func readDelimited(_ records: [DelimitedText.Record], path: String, columns: ColumnSelection) throws -> [LabelledText] {
        guard let first = records.first else { return [] }
        let layout = try ColumnLayout.resolve(header: first.fields.map { $0.trimmingCharacters(in: .whitespaces) },
                                              columns: columns, path: path)
        var rows: [LabelledText] = []
        rows.reserveCapacity(records.count)
        for record in records.dropFirst(layout.hasHeader ? 1 : 0) {
            let fields = record.fields
            if fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }  // blank line
            func field(_ index: Int?, _ what: String, required: Bool) throws -> String? {
                try layout.value(index, in: record, what: what, required: required, path: path)
            }
            let text = try field(layout.text, "text", required: true)!
            let pair = try field(layout.pair, "second text", required: true)
            var label = try field(layout.label, "label", required: columns.requireLabel)
            if let l = label, l.isEmpty {
                if columns.requireLabel { throw DataError(file: path, line: record.line, "empty label") }
                label = nil
            }
            rows.append(LabelledText(text: text, pair: pair, label: label, line: record.line))
        }
        return rows
    }

    // MARK: JSON Lines

    static func readJSONLines(_ content: String, path: String, columns: ColumnSelection) throws -> [LabelledText] {
        var rows: [LabelledText] = []
        var layout: (text: String, pair: String?, label: String?)?
        var lineNumber = 0
        for line in content.split(omittingEmptySubsequences: false, whereSeparator: \.isLineEnd) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let object: [String: Any]
            do {
                guard let parsed = try JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else {
                    throw DataError(file: path, line: lineNumber, "expected a JSON object")
                }
                object = parsed
            } catch let error as DataError {
                throw error
            } catch {
                throw DataError(file: path, line: lineNumber, "not valid JSON (\(error.localizedDescription))")
            }
            if layout == nil {
                layout = try ColumnLayout.resolveKeys(Array(object.keys), columns: columns, path: path, line: lineNumber)
            }
            let keys = layout!
            func string(_ key: String, _ what: String, required: Bool) throws -> String? {
                guard let value = object[key], !(value is NSNull) else {
                    if !required { return nil }
                    throw DataError(file: path, line: lineNumber, "no \(what) (key \"\(key)\")")
                }
                if let s = value as? String { return s }
                if let n = value as? NSNumber {
                    // Integral numbers print without a fraction so that 1 and "1" are one label.
                    let d = n.doubleValue
                    return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
                }
                throw DataError(file: path, line: lineNumber, "\(what) (key \"\(key)\") must be a string or a number")
            }
            let text = try string(keys.text, "text", required: true)!
            let pair = try keys.pair.flatMap { try string($0, "second text", required: true) }
            let label = try keys.label.flatMap { try string($0, "label", required: columns.requireLabel) }
            rows.append(LabelledText(text: text, pair: pair, label: label, line: lineNumber))
        }
        return rows
    }
}

/// Column indices for a delimited file, resolved from the header or the selection.
struct ColumnLayout {
    var hasHeader: Bool
    var header: [String]
    var text: Int
    var pair: Int?
    var label: Int?

    func name(_ index: Int) -> String? { hasHeader && index < header.count ? header[index] : nil }

    /// Field `index` of `record`, trimmed; a row too short for a required column is an
    /// error naming the file, the line and the column.
    func value(_ index: Int?, in record: DelimitedText.Record, what: String, required: Bool, path: String) throws -> String? {
        guard let index else { return nil }
        let fields = record.fields
        guard index < fields.count else {
            if !required { return nil }
            throw DataError(file: path, line: record.line,
                            "row has \(fields.count) field\(fields.count == 1 ? "" : "s"), no \(what) column (column \(index + 1)\(name(index).map { " \"\($0)\"" } ?? ""))")
        }
        return fields[index].trimmingCharacters(in: .whitespaces)
    }

    static func resolve(header: [String], columns: ColumnSelection, path: String) throws -> ColumnLayout {
        let lowered = header.map { $0.lowercased() }
        func index(ofName name: String) -> Int? { lowered.firstIndex(of: name.lowercased()) }
        let specs = [columns.text, columns.pair, columns.label]
        // A header is present when any named (non-numeric) selection, or any recognised
        // column name, appears in the first row.
        let namedSelections = specs.compactMap { $0 }.filter { Int($0) == nil }
        let hasHeader = !namedSelections.isEmpty
            ? namedSelections.contains { index(ofName: $0) != nil }
            : lowered.contains { ColumnSelection.textNames.contains($0) || ColumnSelection.labelNames.contains($0) }
        if !namedSelections.isEmpty && !hasHeader {
            throw DataError(file: path, line: 1, "header \(header) has none of the columns \(namedSelections)")
        }
        func column(_ spec: String?, detect names: [String], what: String, required: Bool) throws -> Int? {
            if let spec {
                if let n = Int(spec) {
                    guard n >= 0 else { throw DataError(file: path, "\(what) column index \(n) is negative") }
                    return n
                }
                guard let i = index(ofName: spec) else {
                    throw DataError(file: path, line: 1, "no \(what) column \"\(spec)\" in header \(header)")
                }
                return i
            }
            if hasHeader {
                for name in names { if let i = index(ofName: name) { return i } }
                if required {
                    throw DataError(file: path, line: 1, "no \(what) column in header \(header): name one with --\(what)-column")
                }
                return nil
            }
            return nil
        }
        var text = try column(columns.text, detect: ColumnSelection.textNames, what: "text", required: true)
        let pair = try column(columns.pair, detect: ColumnSelection.pairNames, what: "text-pair", required: false)
        var label = try column(columns.label, detect: ColumnSelection.labelNames, what: "label", required: columns.requireLabel)
        if !hasHeader {
            // No header and no indices: the common two-column layout, text then label.
            if text == nil { text = 0 }
            if label == nil && columns.label == nil { label = 1 }
        }
        return ColumnLayout(hasHeader: hasHeader, header: header, text: text!, pair: pair, label: label)
    }

    static func resolveKeys(_ keys: [String], columns: ColumnSelection, path: String, line: Int)
        throws -> (text: String, pair: String?, label: String?)
    {
        func pick(_ spec: String?, _ names: [String], what: String, required: Bool) throws -> String? {
            if let spec { return spec }
            if let found = names.first(where: { keys.contains($0) }) { return found }
            if required {
                throw DataError(file: path, line: line, "no \(what) key among \(keys.sorted()): name one with --\(what)-column")
            }
            return nil
        }
        let text = try pick(columns.text, ColumnSelection.textNames, what: "text", required: true)!
        let pair = try pick(columns.pair, ColumnSelection.pairNames, what: "text-pair", required: false)
        let label = try pick(columns.label, ColumnSelection.labelNames, what: "label", required: columns.requireLabel)
        return (text, pair, label)
    }
}
