import Foundation
import JSON

/// The row loops of `TextDatasetReader`: records or JSON Lines objects to examples, with
/// the columns of `columns` and the label read by `parser`.
struct DatasetRows<Parser: LabelParser> {
    let path: String
    let columns: ColumnSelection
    let parser: Parser

    typealias Example = LabelledExample<Parser.Label>

    /// Examples from the records of a TSV or CSV file; the first record may be a header.
    func delimited(_ records: [DelimitedText.Record]) throws -> [Example] {
        guard let first = records.first else { return [] }
        let layout = try ColumnLayout.resolve(
            header: first.fields.map { $0.trimmingCharacters(in: .whitespaces) },
            columns: columns, path: path)
        var examples: [Example] = []
        examples.reserveCapacity(records.count)
        for record in records.dropFirst(layout.hasHeader ? 1 : 0) {
            let fields = record.fields
            if fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }  // blank line
            func field(_ index: Int?, _ what: String, required: Bool) throws -> String? {
                try layout.value(index, in: record, what: what, required: required, path: path)
            }
            let text = try field(layout.text, "text", required: true)!
            let pair = try field(layout.pair, "second text", required: true)
            var label: Parser.Label? = nil
            if let labelField = try field(layout.label, "label", required: columns.requireLabel) {
                label = try parser.label(field: labelField, path: path, line: record.line)
                if label == nil && columns.requireLabel {
                    throw DataError(file: path, line: record.line, "empty label")
                }
            }
            examples.append(Example(text: text, pair: pair, label: label, line: record.line))
        }
        return examples
    }

    /// Examples from JSON Lines: one object per non-blank line. The keys are chosen from the
    /// first object.
    func jsonLines(_ content: String) throws -> [Example] {
        var examples: [Example] = []
        var keys: (text: String, pair: String?, label: String?)?
        var lineNumber = 0
        for line in content.split(omittingEmptySubsequences: false, whereSeparator: \.isLineEnd) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let members = try object(trimmed, line: lineNumber)
            if keys == nil {
                keys = try ColumnLayout.resolveKeys(members.map(\.key), columns: columns, path: path, line: lineNumber)
            }
            let (textKey, pairKey, labelKey) = keys!
            func string(_ key: String, _ what: String) throws -> String {
                guard let value = members[key],
                    let text = try SingleLabelParser.text(of: value, key: key, what: what, path: path, line: lineNumber)
                else {
                    throw DataError(file: path, line: lineNumber, "no \(what) (key \"\(key)\")")
                }
                return text
            }
            let text = try string(textKey, "text")
            let pair = try pairKey.map { try string($0, "second text") }
            var label: Parser.Label? = nil
            if let labelKey {
                if let value = members[labelKey] {
                    label = try parser.label(json: value, key: labelKey, path: path, line: lineNumber)
                }
                if label == nil && columns.requireLabel {
                    throw DataError(file: path, line: lineNumber, "no \(parser.noun) (key \"\(labelKey)\")")
                }
            }
            examples.append(Example(text: text, pair: pair, label: label, line: lineNumber))
        }
        return examples
    }

    /// The members of the JSON object on line `line`.
    private func object(_ text: String, line: Int) throws -> [JSONMember] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw DataError(file: path, line: line, "not valid JSON (column \(error.column): \(error.message))")
        }
        guard case .object(let members) = value else {
            throw DataError(file: path, line: line, "expected a JSON object")
        }
        return members
    }
}
