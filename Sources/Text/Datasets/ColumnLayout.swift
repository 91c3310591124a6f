import Foundation

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
    func value(
        _ index: Int?, in record: DelimitedText.Record, what: String, required: Bool, path: String
    ) throws -> String? {
        guard let index else { return nil }
        let fields = record.fields
        guard index < fields.count else {
            if !required { return nil }
            let plural = fields.count == 1 ? "" : "s"
            let column = "column \(index + 1)" + (name(index).map { " \"\($0)\"" } ?? "")
            throw DataError(
                file: path, line: record.line,
                "row has \(fields.count) field\(plural), no \(what) column (\(column))")
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
        let hasHeader =
            !namedSelections.isEmpty
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
                    throw DataError(
                        file: path, line: 1,
                        "no \(what) column in header \(header): name one with --\(what)-column")
                }
                return nil
            }
            return nil
        }
        var text = try column(columns.text, detect: ColumnSelection.textNames, what: "text", required: true)
        let pair = try column(columns.pair, detect: ColumnSelection.pairNames, what: "text-pair", required: false)
        var label = try column(
            columns.label, detect: ColumnSelection.labelNames, what: "label",
            required: columns.requireLabel)
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
                throw DataError(
                    file: path, line: line,
                    "no \(what) key among \(keys.sorted()): name one with --\(what)-column")
            }
            return nil
        }
        let text = try pick(columns.text, ColumnSelection.textNames, what: "text", required: true)!
        let pair = try pick(columns.pair, ColumnSelection.pairNames, what: "text-pair", required: false)
        let label = try pick(columns.label, ColumnSelection.labelNames, what: "label", required: columns.requireLabel)
        return (text, pair, label)
    }
}
