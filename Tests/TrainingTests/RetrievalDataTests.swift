import Foundation
import TestSupport
import Testing
import Text

/// Query, corpus and relevance files in the BEIR layout, and their errors (file and line).
@Suite struct RetrievalDataTests {
    static func write(_ name: String, _ content: String) throws -> String {
        let path = try Fixtures.temporaryDirectory("retrieval-data").appendingPathComponent(name).path
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsBEIRJSONLinesWithTitles() throws {
        let corpus = try RetrievalDataReader.readTexts(
            Self.write(
                "corpus.jsonl",
                #"{"_id": "d1", "title": "Harbour", "text": "boats at rest"}"# + "\n\n"
                    + #"{"_id": "d2", "title": "", "text": "no title"}"# + "\n" + #"{"id": 7, "text": "numeric id"}"#))
        #expect(corpus.ids == ["d1", "d2", "7"])
        #expect(corpus.texts == ["Harbour boats at rest", "no title", "numeric id"])
        #expect(corpus.lines == [1, 3, 4])
    }

    @Test func readsTSVWithAndWithoutHeader() throws {
        let plain = try RetrievalDataReader.readTexts(Self.write("collection.tsv", "0\tfirst passage\n1\tsecond\n"))
        #expect(plain.ids == ["0", "1"] && plain.texts == ["first passage", "second"])
        let named = try RetrievalDataReader.readTexts(Self.write("queries.tsv", "text\t_id\nwhere is it\tq1\n"))
        #expect(named.ids == ["q1"] && named.texts == ["where is it"] && named.lines == [2])
    }

    @Test func relevanceMapsToRowsAndDropsZeroGrades() throws {
        let queries = IdentifiedTexts(ids: ["q1", "q2", "q3"], texts: ["a", "b", "c"], lines: [1, 2, 3])
        let corpus = IdentifiedTexts(ids: ["d1", "d2", "d3"], texts: ["x", "y", "z"], lines: [1, 2, 3])
        let path = try Self.write(
            "test.tsv", "query-id\tcorpus-id\tscore\nq1\td2\t1\nq1\td3\t2\nq2\td1\t0\nq1\td2\t1\n")
        let judgements = try RetrievalDataReader.readJudgements(path)
        #expect(judgements.count == 4 && judgements[0] == .init(queryID: "q1", documentID: "d2", relevance: 1, line: 2))
        let rows = try RetrievalDataReader.relevantRows(judgements, queries: queries, corpus: corpus, file: path)
        #expect(rows == [[1, 2], [], []])
        // Without the header line.
        let bare = try RetrievalDataReader.readJudgements(Self.write("bare.tsv", "q3\td1\t1\n"))
        #expect(bare == [.init(queryID: "q3", documentID: "d1", relevance: 1, line: 1)])
    }

    @Test func errorsNameFileAndLine() throws {
        let repeated = try Self.write("dup.jsonl", #"{"_id": "a", "text": "x"}"# + "\n" + #"{"_id": "a", "text": "y"}"#)
        #expect(throws: DataError(file: repeated, line: 2, "id \"a\" repeats the one on line 1")) {
            try RetrievalDataReader.readTexts(repeated)
        }
        let noText = try Self.write("notext.jsonl", #"{"_id": "a", "body": "x"}"#)
        #expect(throws: DataError(file: noText, line: 1, "no \"text\" key")) {
            try RetrievalDataReader.readTexts(noText)
        }
        let narrow = try Self.write("narrow.tsv", "1\tone\n2\n")
        #expect(throws: DataError.self) { try RetrievalDataReader.readTexts(narrow) }
        #expect((try? RetrievalDataReader.readTexts(narrow)) == nil)
        do {
            _ = try RetrievalDataReader.readTexts(narrow)
        } catch let error as DataError {
            #expect(error.file == narrow && error.line == 2)
        }
        let badScore = try Self.write("bad.tsv", "query-id\tcorpus-id\tscore\nq1\td1\tyes\n")
        #expect(throws: DataError(file: badScore, line: 2, "score \"yes\" is not an integer")) {
            try RetrievalDataReader.readJudgements(badScore)
        }
        let queries = IdentifiedTexts(ids: ["q1"], texts: ["a"], lines: [1])
        let corpus = IdentifiedTexts(ids: ["d1"], texts: ["x"], lines: [1])
        let unknown = try Self.write("unknown.tsv", "q1\td1\t1\nq1\td9\t1\n")
        #expect(throws: DataError(file: unknown, line: 2, "corpus id \"d9\" is not in the corpus")) {
            try RetrievalDataReader.relevantRows(
                RetrievalDataReader.readJudgements(unknown), queries: queries, corpus: corpus, file: unknown)
        }
        #expect(throws: DataError(file: "/nonexistent/q.jsonl", "no such file")) {
            try RetrievalDataReader.readTexts("/nonexistent/q.jsonl")
        }
    }
}
