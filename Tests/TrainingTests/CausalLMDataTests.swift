import Foundation
import Testing
@testable import Text

@testable import Training

/// `LanguageModelingData`: documents concatenated with EOS and cut into blocks, and
/// prompt/completion rows predicting only the completion — with a byte tokenizer (each
/// UTF-8 byte is its own id) so every expected id can be written down by hand.
@Suite struct CausalLMDataTests {
    /// Byte ids; EOS is 999, outside the byte range.
    static let eos: Int32 = 999
    static func bytes(_ text: String) -> [Int32] { text.utf8.map { Int32($0) } }
    static func ids(_ text: String) -> [Int32] { text.map { $0 == "|" ? eos : Int32($0.asciiValue!) } }

    static func blocks(_ documents: [(String, Int)], size: Int) throws -> EncodedDataset {
        try LanguageModelingData.blocks(
            documents.map { DocumentCorpus.Document(text: $0.0, line: $0.1) }, file: "corpus.txt",
            tokenize: bytes, eos: eos, blockSize: size)
    }

    static func pairs(_ rows: [(String, String, Int)], size: Int) throws -> EncodedDataset {
        try LanguageModelingData.pairs(
            rows.map { DocumentCorpus.PromptCompletion(prompt: $0.0, completion: $0.1, line: $0.2) },
            file: "pairs.jsonl", tokenize: bytes, eos: eos, blockSize: size)
    }

    /// Example `i`'s ids and token targets.
    static func example(_ dataset: EncodedDataset, _ i: Int) -> (ids: [Int32], targets: [Int32]) {
        let range = dataset.offsets[i]..<dataset.offsets[i + 1]
        guard case .tokens(let labels) = dataset.targets else {
            Issue.record("targets are not per token: \(dataset.targets)")
            return (Array(dataset.ids[range]), [])
        }
        return (Array(dataset.ids[range]), Array(labels[range]))
    }

    static func message(_ body: () throws -> EncodedDataset) -> String {
        do {
            let dataset = try body()
            return "no error: \(dataset.count) examples"
        } catch {
            return "\(error)"
        }
    }

    // MARK: Blocks

    @Test func documentsAreJoinedByEOSAndCutIntoBlocksDroppingTheRemainder() throws {
        // Stream "abc|de|fghij|": 13 tokens, 3 blocks of 4, the final EOS dropped.
        let dataset = try Self.blocks([("abc", 1), ("de", 5), ("fghij", 8)], size: 4)
        #expect(dataset.count == 3)
        #expect(dataset.file == "corpus.txt")
        #expect(dataset.offsets == [0, 4, 8, 12])
        #expect(dataset.ids == Self.ids("abc|de|fghij"))
        #expect(dataset.typeIds == [Int32](repeating: 0, count: 12))
        #expect(Self.example(dataset, 0) == (Self.ids("abc|"), Self.ids("bc|") + [-100]))
        #expect(Self.example(dataset, 1) == (Self.ids("de|f"), Self.ids("e|f") + [-100]))
        #expect(Self.example(dataset, 2) == (Self.ids("ghij"), Self.ids("hij") + [-100]))
        // Each block's first token: "a" of the first document, "d" of the second, "g" of the third.
        #expect(dataset.lines == [1, 5, 8])
        #expect((0..<3).map(dataset.lossUnits) == [3, 3, 3])
    }

    @Test func eosIsPredictedAndItsBlockBelongsToTheDocumentItEnds() throws {
        // Blocks of 3 of "abc|de|fghij|": "abc", "|de", "|fg", "hij" (the last EOS dropped).
        let dataset = try Self.blocks([("abc", 1), ("de", 5), ("fghij", 8)], size: 3)
        #expect(dataset.count == 4)
        #expect(Self.example(dataset, 0) == (Self.ids("abc"), Self.ids("bc") + [-100]))
        #expect(Self.example(dataset, 1) == (Self.ids("|de"), Self.ids("de") + [-100]))
        #expect(Self.example(dataset, 2) == (Self.ids("|fg"), Self.ids("fg") + [-100]))
        // The EOS opening a block ends the previous document, whose line it keeps.
        #expect(dataset.lines == [1, 1, 5, 8])
        // Blocks of 5, "abc|d e|fgh ij|": the EOS after "abc" and after "de" are targets.
        let five = try Self.blocks([("abc", 1), ("de", 5), ("fghij", 8)], size: 5)
        guard case .tokens(let labels) = five.targets else { return }
        #expect(labels.filter { $0 == Self.eos }.count == 2)
        #expect(labels == Self.ids("bc|d") + [-100] + Self.ids("|fgh") + [-100])
    }

    @Test func anExactMultipleKeepsEveryTokenAndEmptyDocumentsAddOnlyEOS() throws {
        // "ab|" + "|" + "cde|" = 8 tokens: two blocks of 4, nothing dropped.
        let dataset = try Self.blocks([("ab", 2), ("", 4), ("cde", 6)], size: 4)
        #expect(dataset.ids == Self.ids("ab||cde|"))
        #expect(Self.example(dataset, 1) == (Self.ids("cde|"), Self.ids("de|") + [-100]))
        #expect(dataset.lines == [2, 6])
        // One block exactly as long as the stream.
        let one = try Self.blocks([("xyz", 3)], size: 4)
        #expect(Self.example(one, 0) == (Self.ids("xyz|"), Self.ids("yz|") + [-100]))
        // Multi-byte text: a token per byte, as the tokenizer gives.
        let accent = try Self.blocks([("é", 1)], size: 3)
        #expect(accent.ids == [0xC3, 0xA9, Self.eos])
    }

    @Test func tooLittleTextNamesTheFileAndTheSizes() {
        #expect(
            Self.message { try Self.blocks([("abc", 1), ("de", 5)], size: 8) }
                == "corpus.txt: holds 7 tokens, fewer than one block of 8 (lower --block-size, or add text)")
        #expect(Self.message { try Self.blocks([("", 1)], size: 2) }.hasPrefix("corpus.txt: holds 1 tokens"))
    }

    // MARK: Prompt and completion

    @Test func onlyTheCompletionAndEOSArePredicted() throws {
        let dataset = try Self.pairs([("ab", "cd", 3), ("xyz", "w", 7)], size: 10)
        #expect(dataset.count == 2)
        #expect(dataset.lines == [3, 7])
        #expect(dataset.offsets == [0, 5, 10])
        // The prompt's last position predicts the completion's first token.
        #expect(Self.example(dataset, 0) == (Self.ids("abcd|"), [-100] + Self.ids("cd|") + [-100]))
        #expect(Self.example(dataset, 1) == (Self.ids("xyzw|"), [-100, -100] + Self.ids("w|") + [-100]))
        #expect((0..<2).map(dataset.lossUnits) == [3, 2])
    }

    @Test func rowsAreTruncatedToTheBlock() throws {
        // "abc" + "defgh" + EOS cut to 5: EOS and "fgh" are gone.
        let cut = try Self.pairs([("abc", "defgh", 1)], size: 5)
        #expect(Self.example(cut, 0) == (Self.ids("abcde"), [-100, -100] + Self.ids("de") + [-100]))
        #expect(cut.lossUnits(0) == 2)
        // A prompt one short of the block predicts a single token.
        let tight = try Self.pairs([("abcd", "efg", 1)], size: 5)
        #expect(Self.example(tight, 0) == (Self.ids("abcde"), [-100, -100, -100, Self.ids("e")[0], -100]))
        #expect(tight.lossUnits(0) == 1)
        // Room for exactly prompt, completion and EOS.
        let exact = try Self.pairs([("ab", "cd", 1)], size: 5)
        #expect(Self.example(exact, 0).targets == [-100] + Self.ids("cd|") + [-100])
    }

    @Test func emptyPromptsAndEmptyCompletions() throws {
        // Nothing precedes the first completion token, which therefore is not predicted.
        let noPrompt = try Self.pairs([("", "xy", 1)], size: 8)
        #expect(Self.example(noPrompt, 0) == (Self.ids("xy|"), Self.ids("y|") + [-100]))
        #expect(noPrompt.lossUnits(0) == 2)
        // An empty completion still teaches where the text ends.
        let noCompletion = try Self.pairs([("ab", "", 1)], size: 8)
        #expect(Self.example(noCompletion, 0) == (Self.ids("ab|"), [-100] + Self.ids("|") + [-100]))
        #expect(noCompletion.lossUnits(0) == 1)
    }

    @Test func aPromptFillingTheBlockIsAnErrorOnItsLine() {
        #expect(
            Self.message { try Self.pairs([("ab", "c", 1), ("abcde", "f", 4)], size: 5) }
                == "pairs.jsonl:4: the prompt's 5 tokens leave no room for the completion in a block of 5")
        #expect(
            Self.message { try Self.pairs([("abcdefg", "", 9)], size: 5) }
                == "pairs.jsonl:9: the prompt's 7 tokens leave no room for the completion in a block of 5")
    }

    @Test func lossUnitsCountPredictedTokensWhateverTheTargets() {
        let dataset = EncodedDataset(file: "t", sequences: [[1, 2, 3], [4, 5]], labels: [0, 1])
            .withTargets(.tokens([-100, 7, 0, -100, -100]))
        #expect(dataset.lossUnits(0) == 2)
        #expect(dataset.lossUnits(1) == 0)
    }
}
