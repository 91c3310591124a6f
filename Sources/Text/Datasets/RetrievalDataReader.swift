import Foundation
import JSON

/// The texts of a query or corpus file, in file order, with their ids and 1-based lines.
public struct IdentifiedTexts: Equatable, Sendable {
    public var ids: [String]
    public var texts: [String]
    public var lines: [Int]

    public init(ids: [String], texts: [String], lines: [Int]) {
        self.ids = ids
        self.texts = texts
        self.lines = lines
    }
}

/// One line of a relevance file (qrels): `documentID` is relevant to `queryID` with grade
/// `relevance` (0 = judged not relevant).
public struct RelevanceJudgement: Equatable, Sendable {
    public var queryID: String
    public var documentID: String
    public var relevance: Int
    public var line: Int

    public init(queryID: String, documentID: String, relevance: Int, line: Int) {
        self.queryID = queryID
        self.documentID = documentID
        self.relevance = relevance
        self.line = line
    }
}

/// Reads retrieval evaluation data in the BEIR layout:
///
/// - queries and corpus: JSON Lines with `_id` (or `id`), `text` and, for the corpus, an
///   optional `title` (BEIR's `queries.jsonl`, `corpus.jsonl`); or TSV/CSV with a header naming
///   `_id`/`id` and `text` (and `title`), or without a header `id <tab> text` per line (MS
///   MARCO's `collection.tsv`). A title is put before the text with a space, as
///   sentence-transformers' BEIR examples do.
/// - relevance: TSV `query-id <tab> corpus-id <tab> score` (BEIR's `qrels/test.tsv`), with or
///   without that header line; the score an integer grade.
public enum RetrievalDataReader {
    /// - Throws: `DataError` naming the file and line: a missing file, no id or text column,
    ///   an empty or repeated id, a row with the wrong number of fields, no rows.
    public static func readTexts(_ path: String) throws -> IdentifiedTexts {
        let content = try TextFile.read(path)
        var out = IdentifiedTexts(ids: [], texts: [], lines: [])
        var firstLine: [String: Int] = [:]
        func append(id: String, text: String, title: String?, line: Int) throws {
            guard !id.isEmpty else { throw DataError(file: path, line: line, "empty id") }
            if let earlier = firstLine[id] {
                throw DataError(file: path, line: line, "id \"\(id)\" repeats the one on line \(earlier)")
            }
            firstLine[id] = line
            out.ids.append(id)
            out.texts.append(title.map { $0.isEmpty ? text : "\($0) \(text)" } ?? text)
            out.lines.append(line)
        }
        switch try TextDatasetReader.format(of: path) {
        case .jsonl:
            let (_, rows) = try EmbeddingDatasetReader.jsonRows(content, path: path)
            for row in rows {
                guard let id = row.fields["_id"] ?? row.fields["id"] else {
                    throw DataError(file: path, line: row.line, "no \"_id\" or \"id\" key")
                }
                guard let text = row.fields["text"] else {
                    throw DataError(file: path, line: row.line, "no \"text\" key")
                }
                try append(id: id, text: text, title: row.fields["title"], line: row.line)
            }
        case let format:
            let records =
                format == .tsv ? DelimitedText.tsvRecords(content) : try DelimitedText.csvRecords(content, path: path)
            guard let first = records.first else { throw DataError(file: path, "no rows") }
            let names = first.fields.map { $0.lowercased() }
            let hasHeader = names.contains("text") && (names.contains("_id") || names.contains("id"))
            let idColumn = hasHeader ? (names.firstIndex(of: "_id") ?? names.firstIndex(of: "id")!) : 0
            let textColumn = hasHeader ? names.firstIndex(of: "text")! : 1
            let titleColumn = hasHeader ? names.firstIndex(of: "title") : nil
            let width = hasHeader ? names.count : 2
            for record in records.dropFirst(hasHeader ? 1 : 0) {
                guard record.fields.count == width else {
                    throw DataError(
                        file: path, line: record.line,
                        "\(record.fields.count) fields, expected \(width) "
                            + (hasHeader ? "(the header's)" : "(id, text; or a header naming _id and text)"))
                }
                try append(
                    id: record.fields[idColumn], text: record.fields[textColumn],
                    title: titleColumn.map { record.fields[$0] }, line: record.line)
            }
        }
        guard !out.ids.isEmpty else { throw DataError(file: path, "no rows") }
        return out
    }

    /// - Throws: `DataError` naming the file and line: a missing file, a row without three
    ///   tab-separated fields, a score that is not an integer, no judgements.
    public static func readJudgements(_ path: String) throws -> [RelevanceJudgement] {
        let records = DelimitedText.tsvRecords(try TextFile.read(path))
        var out: [RelevanceJudgement] = []
        for (position, record) in records.enumerated() {
            guard record.fields.count == 3 else {
                throw DataError(
                    file: path, line: record.line,
                    "\(record.fields.count) fields, expected 3 separated by tabs (query-id, corpus-id, score)")
            }
            guard let relevance = Int(record.fields[2].trimmingCharacters(in: .whitespaces)) else {
                if position == 0 { continue }  // the header line
                throw DataError(file: path, line: record.line, "score \"\(record.fields[2])\" is not an integer")
            }
            out.append(
                RelevanceJudgement(
                    queryID: record.fields[0], documentID: record.fields[1], relevance: relevance, line: record.line))
        }
        guard !out.isEmpty else { throw DataError(file: path, "no relevance judgements") }
        return out
    }

    /// For each query (in `queries` order), the corpus rows judged relevant (score > 0) in
    /// `judgements`, read from `file`. A query no judgement names gets an empty list.
    /// - Throws: `DataError` naming `file` and the line of a judgement whose query or document
    ///   id is not in the query or corpus file.
    public static func relevantRows(
        _ judgements: [RelevanceJudgement], queries: IdentifiedTexts, corpus: IdentifiedTexts, file: String
    ) throws -> [[Int]] {
        let queryRow = Dictionary(queries.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let corpusRow = Dictionary(corpus.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var out = [[Int]](repeating: [], count: queries.ids.count)
        for judgement in judgements {
            guard let q = queryRow[judgement.queryID] else {
                throw DataError(file: file, line: judgement.line, "query id \"\(judgement.queryID)\" is not a query")
            }
            guard let d = corpusRow[judgement.documentID] else {
                throw DataError(
                    file: file, line: judgement.line, "corpus id \"\(judgement.documentID)\" is not in the corpus")
            }
            if judgement.relevance > 0 && !out[q].contains(d) { out[q].append(d) }
        }
        return out
    }
}
