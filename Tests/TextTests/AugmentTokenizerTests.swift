import Testing
import Text

/// Word dropout writes the token into the raw text, where the tokenizer finds it as an added
/// token: each replaced word becomes exactly one special id, not "[", "mask", "]".
@Suite("Augmentation and the tokenizer")
struct AugmentTokenizerTests {
    static let vocabulary: [String: Int32] = [
        "[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4, "[": 5, "]": 6, "mask": 7, "unk": 8,
        "w": 9, "##0": 10, "##1": 11, "##2": 12, "##3": 13, "##4": 14, "##5": 15, "##6": 16, "##7": 17,
        "##8": 18, "##9": 19,
    ]

    @Test("replaced words become the special token's id", arguments: ["[MASK]", "[UNK]"])
    func replacementBecomesSpecialId(token: String) throws {
        let tokenizer = try WordPieceTokenizer(vocabulary: Self.vocabulary)
        let specialId = try #require(Self.vocabulary[token])
        let augmenter = AugmentTestSupport.augmenter(
            AugmentationOptions(wordDropoutProbability: 0.3, wordDropoutToken: token))
        let text = AugmentTestSupport.distinctWords(10)
        let plainIds = tokenizer.ids(text)
        #expect(!plainIds.contains(specialId))
        var replacedTotal = 0
        for example in 0..<200 {
            let augmented = augmenter.augment(text, seed: 6, epoch: 0, example: example)
            let replaced = AugmentTestSupport.words(augmented).filter { $0 == token }.count
            let ids = tokenizer.ids(augmented)
            #expect(ids.filter { $0 == specialId }.count == replaced, "\(augmented)")
            // No word pieces of the token's spelling leak in.
            #expect(!ids.contains(5) && !ids.contains(6) && !ids.contains(7) && !ids.contains(8))
            replacedTotal += replaced
        }
        #expect(replacedTotal > 0)
    }
}
