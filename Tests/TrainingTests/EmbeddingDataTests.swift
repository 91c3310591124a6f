import Foundation
import TestSupport
import Testing
import Text
@testable import Training

/// Embedding data sets: column detection in sentence-transformers' conventions, the column
/// options, scores per loss (rescaled, or 0/1), and the errors, with `--loss` parsing.
@Suite struct EmbeddingDataTests {
    static func write(_ name: String, _ content: String) throws -> String {
        let directory = try Fixtures.temporaryDirectory("embedding-data")
        let path = directory.appendingPathComponent(name).path
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func detectsTripletsAndHardNegatives() throws {
        let path = try Self.write(
            "triplets.tsv",
            "anchor\tpositive\tnegative_1\tnegative_2\nq one\tp one\tn one\tm one\nq two\tp two\tn two\tm two\n")
        let data = try EmbeddingDatasetReader.read(path)
        #expect(data.textColumns == ["anchor", "positive", "negative_1", "negative_2"] && data.scoreColumn == nil)
        #expect(
            data.examples.map(\.texts) == [
                ["q one", "p one", "n one", "m one"], ["q two", "p two", "n two", "m two"],
            ])
        #expect(data.examples.map(\.line) == [2, 3])
        let choice = try EmbeddingLossChoice(name: "multiple-negatives-ranking")
        #expect(try choice.scores(of: data, path: path) == nil)
        #expect(throws: DataError.self) { try EmbeddingLossChoice(name: "triplet").scores(of: data, path: path) }
    }

    @Test func scoredPairsAreRescaledForCosineSimilarity() throws {
        let path = try Self.write(
            "sts.jsonl",
            #"{"sentence1": "a", "sentence2": "b", "score": 5}"# + "\n"
                + #"{"sentence1": "c", "sentence2": "d", "score": 0}"#
                + "\n" + #"{"sentence1": "e", "sentence2": "f", "score": 2.5}"# + "\n")
        let choice = try EmbeddingLossChoice(name: "cosine-similarity")
        let data = try EmbeddingDatasetReader.read(path, columns: choice.columns())
        #expect(data.textColumns == ["sentence1", "sentence2"] && data.scoreColumn == "score")
        #expect(try choice.scores(of: data, path: path) == [1, 0, 0.5])
        #expect(try choice.scores(of: data, path: path, range: ScoreRange(lower: 0, upper: 10)) == [0.5, 0, 0.25])
    }

    @Test func contrastiveLabelsMustBeBinary() throws {
        let path = try Self.write("pairs.csv", "sentence1,sentence2,label\n\"a, b\",c,1\nd,e,0\nf,g,0.5\n")
        let choice = try EmbeddingLossChoice(name: "contrastive")
        let data = try EmbeddingDatasetReader.read(path, columns: choice.columns())
        #expect(data.examples.first?.texts == ["a, b", "c"])
        let error = try #require(throws: DataError.self) { try choice.scores(of: data, path: path) }
        #expect(error.line == 4)
    }

    @Test func columnOptionsNameOrIndexColumns() throws {
        let path = try Self.write("named.tsv", "query\tanswer\trating\nq\ta\t3\n")
        let choice = try EmbeddingLossChoice(name: "cosine-similarity")
        let data = try EmbeddingDatasetReader.read(
            path, columns: choice.columns(text: "query", pair: "answer", score: "2"))
        #expect(data.textColumns == ["query", "answer"] && data.examples.first?.score == 3)
        let headerless = try Self.write("plain.tsv", "q\ta\nr\tb\n")
        let plain = try EmbeddingDatasetReader.read(headerless, columns: .init(texts: ["0", "1"]))
        #expect(plain.examples.map(\.texts) == [["q", "a"], ["r", "b"]])
        #expect(throws: DataError.self) { try EmbeddingDatasetReader.read(headerless) }
    }

    @Test func missingScoresAndTextsAreErrors() throws {
        let noScore = try Self.write("pairs.tsv", "sentence1\tsentence2\na\tb\n")
        let choice = try EmbeddingLossChoice(name: "online-contrastive")
        #expect(throws: DataError.self) { try EmbeddingDatasetReader.read(noScore, columns: choice.columns()) }
        let short = try Self.write("short.tsv", "anchor\tpositive\na\tb\nc\n")
        let error = try #require(throws: DataError.self) { try EmbeddingDatasetReader.read(short) }
        #expect(error.line == 3)
        let badScore = try Self.write("bad.tsv", "sentence1\tsentence2\tscore\na\tb\thigh\n")
        #expect(throws: DataError.self) { try EmbeddingDatasetReader.read(badScore) }
    }

    @Test func lossOption() throws {
        for name in EmbeddingLossChoice.names { #expect(try EmbeddingLossChoice(name: name).loss.name == name) }
        let scaled = try EmbeddingLossChoice(name: "multiple-negatives-ranking", scale: 50)
        #expect((scaled.loss as? MultipleNegativesRankingLoss)?.scale == 50)
        #expect((try EmbeddingLossChoice(name: "triplet", margin: 1).loss as? TripletLoss)?.margin == 1)
        #expect(throws: OptionError.self) { try EmbeddingLossChoice(name: "infonce") }
        #expect(throws: OptionError.self) { try EmbeddingLossChoice(name: "triplet", scale: 20) }
        #expect(throws: OptionError.self) { try EmbeddingLossChoice(name: "cosine-similarity", margin: 1) }
        #expect(throws: OptionError.self) { try EmbeddingLossChoice(name: "contrastive", margin: -1) }
    }
}
