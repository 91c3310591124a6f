import Foundation
import Testing
import Text

/// WordPiece, truncation, the template and the tokenizer API on a tiny hand-made vocabulary.
@Suite("WordPiece on a tiny vocabulary")
struct WordPieceTests {
    static let tokens = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",  // 0...4
        "un", "##aff", "##able", "aff", "able",  // 5...9
        "a", "##a", "##b", "é", "##é",  // 10...14
        ",", "hello", "world", "##s", "##x",  // 15...19
        "##",  // 20
    ]
    static let vocabulary = Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($0.element, Int32($0.offset)) })
    static let model = WordPiece(vocabulary: vocabulary, unknownToken: "[UNK]")
    static let shortWords = WordPiece(vocabulary: vocabulary, unknownToken: "[UNK]", maxInputCharsPerWord: 6)

    @Test("greedy longest match first, with ## continuations")
    func greedy() {
        #expect(Self.model.tokenize(word: "unaffable") == [5, 6, 7])
        #expect(Self.model.tokenize(word: "affable") == [8, 7])
        #expect(Self.model.tokenize(word: "able") == [9])
        #expect(Self.model.tokenize(word: "aab") == [10, 11, 12])
        #expect(Self.model.tokenize(word: "hellos") == [16, 18])
    }

    @Test("one unmatched piece makes the whole word [UNK]")
    func unmatchedPiece() {
        #expect(Self.model.tokenize(word: "unq") == [1])
        #expect(Self.model.tokenize(word: "q") == [1])
        #expect(Self.model.tokenize(word: "unaffz") == [1])
    }

    @Test("words longer than maxInputCharsPerWord scalars are [UNK]; the limit counts scalars, not bytes")
    func longWords() {
        #expect(Self.shortWords.tokenize(word: "aaaaaa") == [10, 11, 11, 11, 11, 11])
        #expect(Self.shortWords.tokenize(word: "aaaaaaa") == [1])
        #expect(Self.shortWords.tokenize(word: "éééééé") == [13, 14, 14, 14, 14, 14])
        #expect(Self.shortWords.tokenize(word: "ééééééé") == [1])
        #expect(Self.model.tokenize(word: String(repeating: "a", count: 100)).count == 100)
        #expect(Self.model.tokenize(word: String(repeating: "a", count: 101)) == [1])
    }

    @Test("shorter candidates drop whole scalars, never split a UTF-8 sequence")
    func multiByte() {
        #expect(Self.model.tokenize(word: "éa") == [13, 11])
        #expect(Self.model.tokenize(word: "aé") == [10, 14])
    }

    @Test("a word may start with the literal prefix")
    func literalPrefix() {
        #expect(Self.model.tokenize(word: "##") == [20])
        #expect(Self.model.tokenize(word: "##s") == [18])
    }

    @Test(
        "longest_first truncation, case by case",
        arguments: [
            // (first, second, maxLength, expected first, expected second) with 3 special tokens
            (10, 2, 15, 10, 2),  // fits
            (10, 2, 14, 9, 2),  // the longer loses one
            (10, 2, 8, 3, 2),  // the shorter fits beside the rest
            (10, 2, 6, 2, 1),  // both cut: 3 = 1 + 2, the longer gets the odd one
            (2, 10, 6, 1, 2),  // same, second longer
            (5, 5, 8, 2, 3),  // as long: the second gets the odd one
            (5, 5, 3, 0, 0),  // no room
            (5, 5, 2, 5, 5),  // max length below the special tokens: nothing is cut
            (0, 9, 5, 0, 2),
        ])
    func longestFirst(first: Int, second: Int, maxLength: Int, keepFirst: Int, keepSecond: Int) {
        let kept = Truncation.longestFirst(first: first, second: second, maxLength: maxLength, specialTokens: 3)
        #expect(kept.first == keepFirst && kept.second == keepSecond)
    }

    @Test("single sequence truncation")
    func singleTruncation() {
        #expect(Truncation.longestFirst(first: 10, second: nil, maxLength: 5, specialTokens: 2) == (3, nil))
        #expect(Truncation.longestFirst(first: 10, second: nil, maxLength: 2, specialTokens: 2) == (0, nil))
        #expect(Truncation.longestFirst(first: 10, second: nil, maxLength: 1, specialTokens: 2) == (10, nil))
        #expect(Truncation.longestFirst(first: 3, second: nil, maxLength: 512, specialTokens: 2) == (3, nil))
    }

    static func tokenizer() throws -> WordPieceTokenizer {
        try WordPieceTokenizer(vocabulary: vocabulary)
    }

    @Test("encode: template, type ids, special tokens in the text")
    func encode() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.encode("Hello, world").ids == [2, 16, 15, 17, 3])
        #expect(tokenizer.encode("Hello, world").typeIds == [0, 0, 0, 0, 0])
        let pair = tokenizer.encode("hello", pair: "worlds")
        #expect(pair.ids == [2, 16, 3, 17, 18, 3])
        #expect(pair.typeIds == [0, 0, 0, 1, 1, 1])
        #expect(tokenizer.encode("", pair: "").ids == [2, 3, 3])
        #expect(tokenizer.encode("hello[MASK]world [mask]").ids == [2, 16, 4, 17, 1, 1, 1, 3])
        #expect(tokenizer.tokenize("UNAFFABLE helloz") == ["un", "##aff", "##able", "[UNK]"])
        #expect(tokenizer.encode("hello world hello world", maxLength: 4).ids == [2, 16, 17, 3])
        #expect(tokenizer.encode("hello world", pair: "hello world", maxLength: 5).ids == [2, 16, 3, 16, 3])
    }

    @Test("padding: [PAD], type id 0, attention 0; never truncates")
    func padding() throws {
        let tokenizer = try Self.tokenizer()
        let encoding = tokenizer.encode("hello", pair: "world")
        let padded = tokenizer.pad(encoding, to: 8)
        #expect(padded.ids == [2, 16, 3, 17, 3, 0, 0, 0])
        #expect(padded.typeIds == [0, 0, 0, 1, 1, 0, 0, 0])
        #expect(padded.attentionMask == [1, 1, 1, 1, 1, 0, 0, 0])
        #expect(tokenizer.pad(encoding, to: 3) == encoding)
        let batch = tokenizer.pad(batch: [tokenizer.encode("hello"), encoding])
        #expect(batch.map(\.count) == [5, 5])
        #expect(batch[0].attentionMask == [1, 1, 1, 0, 0])
    }

    @Test("vocabulary lookups, special ids and summary")
    func lookups() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.vocabSize == Self.tokens.count)
        #expect(tokenizer.id(for: "##able") == 7)
        #expect(tokenizer.id(for: "nope") == nil)
        #expect(tokenizer.token(for: 17) == "world")
        #expect(tokenizer.token(for: 99) == nil && tokenizer.token(for: -1) == nil)
        #expect(tokenizer.tokens(for: [2, 99, 3]) == ["[CLS]", "[UNK]", "[SEP]"])
        #expect([tokenizer.padId, tokenizer.unknownId, tokenizer.clsId, tokenizer.sepId] == [0, 1, 2, 3])
        #expect(tokenizer.maskId == 4)
        for part in [
            "21 ids", "lower-cases", "strips accents", "[PAD]=0", "[UNK]=1", "[CLS]=2", "[SEP]=3", "[MASK]=4",
            "over 100 characters",
        ] {
            #expect(tokenizer.summary.contains(part), "summary lacks \"\(part)\": \(tokenizer.summary)")
        }
    }

    @Test("the in-memory initializer checks the special tokens")
    func missingSpecials() {
        var vocabulary = Self.vocabulary
        vocabulary.removeValue(forKey: "[SEP]")
        #expect(throws: TokenizerError.missingToken(path: "<vocabulary>", key: "sep_token", token: "[SEP]")) {
            try WordPieceTokenizer(vocabulary: vocabulary)
        }
    }
}
