import Foundation
import TestSupport
import Testing
import Text

/// `WordPieceTokenizer.encode(words:maxLength:)` against transformers'
/// `tokenizer(words, is_split_into_words=True, truncation=True, max_length=L)` and `word_ids()`
/// (Tests/Fixtures/tasks/word-alignment.json, written by tools/make_task_fixtures.py).
@Suite struct WordAlignmentTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String
            var words: [String]
            var maxLength: Int?
            var tokens: [String]
            var ids: [Int32]
            var wordIds: [Int32]
            var wordLabels: [Int32]
            var labels: [Int32]
        }
        var command: String
        var cases: [Case]
    }

    static func fixture() throws -> Fixture {
        let url = Fixtures.url("tasks/word-alignment.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    @Test func matchesTransformers() throws {
        let tokenizer = try TextTestSupport.modelTokenizer()
        let fixture = try Self.fixture()
        #expect(fixture.cases.count >= 20)
        for c in fixture.cases {
            let label = "\(c.name), max length \(c.maxLength.map(String.init) ?? "none")"
            let alignment = tokenizer.encode(words: c.words, maxLength: c.maxLength)
            #expect(alignment.encoding.ids == c.ids, "\(label): ids; expected tokens \(c.tokens)")
            #expect(alignment.encoding.typeIds.allSatisfy { $0 == 0 }, "\(label): type ids")
            #expect(alignment.wordIds == c.wordIds, "\(label): word ids")
            #expect(alignment.tokenLabels(c.wordLabels) == c.labels, "\(label): labels")
        }
    }

    /// The first token of each word carries the word index; continuation pieces, special tokens
    /// and words that vanish or are truncated away get none.
    @Test func firstTokensAndPredictedWords() throws {
        let tokenizer = try TextTestSupport.modelTokenizer()
        let alignment = tokenizer.encode(words: ["Unaffable", "\u{200B}", "x", "wonderfully"], maxLength: 7)
        // [CLS] una ##ffa ##ble x wonderful [SEP]
        #expect(alignment.wordIds == [-1, 0, 0, 0, 2, 3, -1])
        #expect(alignment.firstTokenWords == [-1, 0, -1, -1, 2, 3, -1])
        #expect(alignment.isPredicted == [true, false, true, true])
        #expect(alignment.tokenLabels([1, 2, 3, 4]) == [-100, 1, -100, -100, 3, 4, -100])
        let truncated = tokenizer.encode(words: ["Unaffable", "x", "y"], maxLength: 4)
        #expect(truncated.isPredicted == [true, false, false])
    }

    /// Encoding a sentence's words gives the ids of encoding the words joined by spaces when no
    /// word splits differently in context (BERT's pre-tokenizer splits at spaces anyway).
    @Test func agreesWithTheTextEncodingOfJoinedWords() throws {
        let tokenizer = try TextTestSupport.modelTokenizer()
        let words = ["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."]
        #expect(
            tokenizer.encode(words: words, maxLength: 8).encoding
                == tokenizer.encode(words.joined(separator: " "), maxLength: 8))
    }
}
