import Foundation

/// One example of a multi-label data set: a text (or pair) and the set of its label names.
public struct MultiLabelText: Equatable, Sendable {
    public var text: String
    public var pair: String?
    /// The label names (possibly none), or `nil` for unlabelled input (prediction).
    public var labels: Set<String>?
    /// 1-based line in the file where the example starts, for error messages.
    public var line: Int

    public init(text: String, pair: String? = nil, labels: Set<String>?, line: Int) {
        self.text = text
        self.pair = pair
        self.labels = labels
        self.line = line
    }
}

/// Reads multi-label text data from TSV, CSV or JSON Lines files — the layouts and column
/// selection of `TextDatasetReader` — with the label column parsed by `MultiLabelField`:
/// `sports,politics` or `["sports","politics"]` in a delimited file, a JSON array in JSON
/// Lines. An empty label field is an example with no labels (not an error, unlike
/// single-label data); a missing label column or key is an error when labels are required.
public enum MultiLabelDatasetReader {
    /// Every example of `path`.
    ///
    /// - Parameter separator: between label names in a text field.
    /// - Throws: `DataError` naming the file and line, as `TextDatasetReader.read`, and for
    ///   label fields `MultiLabelField` rejects.
    public static func read(
        _ path: String, columns: ColumnSelection = ColumnSelection(), separator: Character = ","
    ) throws -> [MultiLabelText] {
        let format = try TextDatasetReader.format(of: path)
        guard FileManager.default.fileExists(atPath: path) else { throw DataError(file: path, "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(file: path, "cannot be read")
        }
        guard let content = String(data: data, encoding: .utf8) else {
            throw DataError(file: path, "is not valid UTF-8")
        }
        let rows: [MultiLabelText]
        switch format {
        case .tsv:
            rows = try readDelimited(DelimitedText.tsvRecords(content), path: path, columns: columns, separator: separator)
        case .csv:
            rows = try readDelimited(try DelimitedText.csvRecords(content, path: path), path: path, columns: columns,
                                     separator: separator)
        case .jsonl:
            rows = try readJSONLines(content, path: path, columns: columns, separator: separator)
        }
        guard !rows.isEmpty else { throw DataError(file: path, "contains no examples") }
        return rows
    }

    static func readDelimited(
        _ records: [DelimitedText.Record], path: String, columns: ColumnSelection, separator: Character
    ) throws -> [MultiLabelText] {
        guard let first = records.first else { return [] }
        let layout = try ColumnLayout.resolve(header: first.fields.map { $0.trimmingCharacters(in: .whitespaces) },
                                              columns: columns, path: path)
        var rows: [MultiLabelText] = []
        for record in records.dropFirst(layout.hasHeader ? 1 : 0) {
            let fields = record.fields
            if fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }  // blank line
            func field(_ index: Int?, _ what: String, required: Bool) throws -> String? {
                try layout.value(index, in: record, what: what, required: required, path: path)
            }
            let text = try field(layout.text, "text", required: true)!
            let pair = try field(layout.pair, "second text", required: true)
            let labels = try field(layout.label, "label", required: columns.requireLabel).map {
                try MultiLabelField.parse($0, separator: separator, path: path, line: record.line)
            }
            rows.append(MultiLabelText(text: text, pair: pair, labels: labels, line: record.line))
        }
        return rows
    }

    static func readJSONLines(
        _ content: String, path: String, columns: ColumnSelection, separator: Character
    ) throws -> [MultiLabelText] {
        var rows: [MultiLabelText] = []
        var keys: (text: String, pair: String?, label: String?)?
        var lineNumber = 0
        for line in content.split(omittingEmptySubsequences: false, whereSeparator: \.isLineEnd) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let parsed: Any
            do {
                parsed = try JSONSerialization.jsonObject(with: Data(trimmed.utf8))
            } catch {
                throw DataError(file: path, line: lineNumber, "not valid JSON (\(error.localizedDescription))")
            }
            guard let object = parsed as? [String: Any] else {
                throw DataError(file: path, line: lineNumber, "expected a JSON object")
            }
            if keys == nil {
                keys = try ColumnLayout.resolveKeys(Array(object.keys), columns: columns, path: path, line: lineNumber)
            }
            let (textKey, pairKey, labelKey) = keys!
            func string(_ key: String, _ what: String) throws -> String {
                guard let value = object[key] else { throw DataError(file: path, line: lineNumber, "no \(what) (key \"\(key)\")") }
                guard let string = value as? String else {
                    throw DataError(file: path, line: lineNumber, "\(what) (key \"\(key)\") must be a string")
                }
                return string
            }
            let text = try string(textKey, "text")
            let pair = try pairKey.map { try string($0, "second text") }
            var labels: Set<String>? = nil
            if let labelKey {
                if let value = object[labelKey] {
                    labels = try MultiLabelField.parse(jsonValue: value, separator: separator, path: path, line: lineNumber)
                } else if columns.requireLabel {
                    throw DataError(file: path, line: lineNumber, "no labels (key \"\(labelKey)\")")
                }
            }
            rows.append(MultiLabelText(text: text, pair: pair, labels: labels, line: lineNumber))
        }
        return rows
    }
}
