import Foundation
import JSON

/// One example of an embedding data set: its texts in column order — anchor, positive,
/// negatives…, or the two sentences of a pair — and its score or 0/1 label when the data has one.
public struct EmbeddingExample: Equatable, Sendable {
    public var texts: [String]
    public var score: Float?
    /// 1-based line where the example starts, for error messages.
    public var line: Int

    public init(texts: [String], score: Float?, line: Int) {
        self.texts = texts
        self.score = score
        self.line = line
    }
}

/// The examples of an embedding data set and the columns they came from.
public struct EmbeddingDataset: Equatable, Sendable {
    public var examples: [EmbeddingExample]
    /// The text columns, in order (header names, or `column 1`… without a header).
    public var textColumns: [String]
    /// The score or label column, if any.
    public var scoreColumn: String?
}

/// Which columns hold an embedding example's texts and its score. `nil` means detect, by
/// sentence-transformers' data set conventions: `anchor`, `positive`, then `negative` or
/// `negative_1`, `negative_2`, …; or `sentence1`, `sentence2`; the score in `score` or `label`.
/// Otherwise each is a header name or a 0-based index written as a number.
public struct EmbeddingColumnSelection: Equatable, Sendable {
    public var texts: [String]?
    public var score: String?
    /// Whether every example must have a score (cosine-similarity and contrastive losses).
    public var requireScore: Bool

    public init(texts: [String]? = nil, score: String? = nil, requireScore: Bool = false) {
        self.texts = texts
        self.score = score
        self.requireScore = requireScore
    }

    static let scoreNames = ["score", "label", "similarity", "labels"]

    /// The text columns detected in `names` (lowercased header names or JSON keys), in order.
    static func detectTexts(_ names: [String]) -> [String]? {
        if names.contains("anchor") {
            var texts = ["anchor"]
            if names.contains("positive") { texts.append("positive") }
            if names.contains("negative") { texts.append("negative") }
            var k = 1
            while names.contains("negative_\(k)") {
                texts.append("negative_\(k)")
                k += 1
            }
            return texts
        }
        if names.contains("sentence1") && names.contains("sentence2") { return ["sentence1", "sentence2"] }
        if names.contains("sentence_a") && names.contains("sentence_b") { return ["sentence_a", "sentence_b"] }
        return nil
    }
}

/// Reads pair, triplet (n-tuple) and scored-pair data sets for the embedding losses from TSV,
/// CSV or JSON Lines, as `TextDatasetReader` reads labelled text (same formats, quoting, byte
/// order mark and line numbers), with the columns of `EmbeddingColumnSelection`.
public enum EmbeddingDatasetReader {
    /// - Throws: `DataError` naming the file and line: an unknown or missing file, no text
    ///   columns found, a row without one of them, a score that is not a finite number (or
    ///   missing when required), no examples.
    public static func read(_ path: String, columns: EmbeddingColumnSelection = .init()) throws -> EmbeddingDataset {
        let format = try TextDatasetReader.format(of: path)
        let content = try TextFile.read(path)
        let rows: [(fields: [String: String], line: Int)]
        let names: [String]
        switch format {
        case .tsv, .csv:
            let records =
                format == .tsv ? DelimitedText.tsvRecords(content) : try DelimitedText.csvRecords(content, path: path)
            (names, rows) = try delimitedRows(records, columns: columns, path: path)
        case .jsonl:
            (names, rows) = try jsonRows(content, path: path)
        }
        let lowered = names.map { $0.lowercased() }
        func resolve(_ spec: String) throws -> String {
            if let i = Int(spec), i >= 0, i < names.count { return names[i] }
            guard let i = lowered.firstIndex(of: spec.lowercased()) else {
                throw DataError(file: path, line: 1, "no column \"\(spec)\" among \(names)")
            }
            return names[i]
        }
        let texts: [String]
        if let selected = columns.texts {
            texts = try selected.map(resolve)
        } else if let detected = EmbeddingColumnSelection.detectTexts(lowered) {
            texts = try detected.map(resolve)
        } else {
            throw DataError(
                file: path, line: 1,
                "no anchor/positive or sentence1/sentence2 columns among \(names): name them with --text-column and "
                    + "--text-pair-column")
        }
        let score =
            try columns.score.map(resolve)
            ?? EmbeddingColumnSelection.scoreNames.first(where: lowered.contains)
            .map(resolve)
        if columns.requireScore && score == nil {
            throw DataError(
                file: path, line: 1, "no score or label column among \(names): name one with --label-column")
        }
        var examples: [EmbeddingExample] = []
        examples.reserveCapacity(rows.count)
        for row in rows {
            let values = try texts.map { name in
                guard let text = row.fields[name] else {
                    throw DataError(file: path, line: row.line, "no \"\(name)\" text")
                }
                return text
            }
            var value: Float? = nil
            if let score, let field = row.fields[score], !field.isEmpty {
                guard let number = Float(field), number.isFinite else {
                    throw DataError(file: path, line: row.line, "\(score) \"\(field)\" is not a number")
                }
                value = number
            } else if columns.requireScore {
                throw DataError(file: path, line: row.line, "no \(score ?? "score")")
            }
            examples.append(EmbeddingExample(texts: values, score: value, line: row.line))
        }
        guard !examples.isEmpty else { throw DataError(file: path, "contains no examples") }
        return EmbeddingDataset(examples: examples, textColumns: texts, scoreColumn: score)
    }

    /// Column names (the header's, or `column 1`… when the first record names none of the
    /// selected or detectable columns) and each row's fields by name.
    static func delimitedRows(
        _ records: [DelimitedText.Record], columns: EmbeddingColumnSelection, path: String
    ) throws -> ([String], [(fields: [String: String], line: Int)]) {
        guard let first = records.first else { return ([], []) }
        let header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        let lowered = header.map { $0.lowercased() }
        let named = ((columns.texts ?? []) + [columns.score].compactMap { $0 }).filter { Int($0) == nil }
        let hasHeader =
            named.isEmpty
            ? EmbeddingColumnSelection.detectTexts(lowered) != nil
            : named.contains { lowered.contains($0.lowercased()) }
        let names = hasHeader ? header : (0..<header.count).map { "column \($0 + 1)" }
        var rows: [(fields: [String: String], line: Int)] = []
        for record in records.dropFirst(hasHeader ? 1 : 0) {
            if record.fields.count == 1 && record.fields[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }
            var fields: [String: String] = [:]
            for (name, value) in zip(names, record.fields) { fields[name] = value.trimmingCharacters(in: .whitespaces) }
            rows.append((fields, record.line))
        }
        return (names, rows)
    }

    /// Keys of the first object and each line's members as text (strings and numbers).
    static func jsonRows(_ content: String, path: String) throws -> ([String], [(fields: [String: String], line: Int)])
    {
        var names: [String]? = nil
        var rows: [(fields: [String: String], line: Int)] = []
        var lineNumber = 0
        for line in content.split(omittingEmptySubsequences: false, whereSeparator: \.isLineEnd) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let value: JSONValue
            do { value = try JSONParser.parse(trimmed) } catch {
                throw DataError(
                    file: path, line: lineNumber, "not valid JSON (column \(error.column): \(error.message))")
            }
            guard case .object(let members) = value else {
                throw DataError(file: path, line: lineNumber, "expected a JSON object")
            }
            if names == nil { names = members.map(\.key) }
            var fields: [String: String] = [:]
            for member in members {
                if let text = try SingleLabelParser.text(
                    of: member.value, key: member.key, what: "value", path: path, line: lineNumber)
                {
                    fields[member.key] = text
                }
            }
            rows.append((fields, lineNumber))
        }
        return (names ?? [], rows)
    }
}
