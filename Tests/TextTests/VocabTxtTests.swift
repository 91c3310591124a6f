import Foundation
import TestSupport
import Testing
import Text

/// The vocab.txt loader against the tokenizer.json loader and against transformers.
@Suite("vocab.txt loader")
struct VocabTxtTests {
    /// Every edge-case text and the first SST-2 dev rows.
    static func sampleTexts() throws -> [(String, String?)] {
        let fixture = try TextTestSupport.fixture("edge-cases.json", as: EdgeCaseFixture.self)
        var texts = fixture.cases.map { ($0.text, $0.pair) }
        let dev = try TextTestSupport.sst2Sentences(
            try TextTestSupport.sst2Directory().appendingPathComponent("dev.tsv"))
        texts += dev.prefix(200).map { ($0, nil) }
        return texts
    }

    @Test("vocab.txt + tokenizer_config.json give the ids of tokenizer.json", arguments: ["\n", "\r\n"])
    func sameIdsAsTokenizerJSON(lineEnding: String) throws {
        let model = try PretrainedModel.directory()
        let reference = try TextTestSupport.modelTokenizer()
        let directory = try Fixtures.temporaryDirectory("text-tests")
        defer { try? FileManager.default.removeItem(at: directory) }
        let vocabTxt = try TextTestSupport.writeVocabTxt(from: model, to: directory, lineEnding: lineEnding)
        try FileManager.default.copyItem(
            at: model.appendingPathComponent("tokenizer_config.json"),
            to: directory.appendingPathComponent("tokenizer_config.json"))

        let loaded = try WordPieceTokenizer.load(directory: directory)
        let explicit = try WordPieceTokenizer(
            vocabTxt: vocabTxt, lowercase: true, stripAccents: nil, handleChineseChars: true)
        #expect(loaded.source == vocabTxt)
        for tokenizer in [loaded, explicit] {
            #expect(tokenizer.vocabSize == reference.vocabSize)
            #expect(tokenizer.normalizer == reference.normalizer)
            #expect(
                [tokenizer.padId, tokenizer.unknownId, tokenizer.clsId, tokenizer.sepId]
                    == [reference.padId, reference.unknownId, reference.clsId, reference.sepId])
            #expect(tokenizer.maskId == reference.maskId)
            for (text, pair) in try Self.sampleTexts() {
                #expect(
                    tokenizer.encode(text, pair: pair, maxLength: 128)
                        == reference.encode(text, pair: pair, maxLength: 128),
                    "\"\(text)\" / \(pair.map { "\"\($0)\"" } ?? "no pair")")
            }
        }
    }

    @Test("other tokenizer_config.json settings, against transformers")
    func configVariants() throws {
        let model = try PretrainedModel.directory()
        let fixture = try TextTestSupport.fixture("edge-cases.json", as: EdgeCaseFixture.self)
        let baseConfig = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: model.appendingPathComponent("tokenizer_config.json")))
                as? [String: Any])
        #expect(fixture.variants.count == 4)
        for variant in fixture.variants {
            let directory = try Fixtures.temporaryDirectory("text-tests")
            defer { try? FileManager.default.removeItem(at: directory) }
            _ = try TextTestSupport.writeVocabTxt(from: model, to: directory)
            var config = baseConfig
            for (key, value) in variant.tokenizerConfig { config[key] = value }
            try JSONSerialization.data(withJSONObject: config).write(
                to: directory.appendingPathComponent("tokenizer_config.json"))
            let tokenizer = try WordPieceTokenizer.load(directory: directory)
            #expect(tokenizer.summary.contains("tokenizer_config.json"))
            for testCase in variant.cases {
                let ids = tokenizer.encode(testCase.text, maxLength: 128).ids
                #expect(ids == testCase.ids, "\(variant.name) \"\(testCase.text)\": got \(tokenizer.tokens(for: ids))")
            }
        }
    }

    @Test("without tokenizer_config.json the BERT defaults apply")
    func defaultsWithoutConfig() throws {
        let directory = try Fixtures.temporaryDirectory("text-tests")
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "cafe", "ist", "##anbul"]
        try tokens.map { $0 + "\n" }.joined().write(
            to: directory.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let tokenizer = try WordPieceTokenizer.load(directory: directory)
        #expect(tokenizer.normalizer == BertNormalizer())
        #expect(tokenizer.encode("CAFÉ İstanbul [MASK]").ids == [2, 5, 6, 7, 4, 3])
        #expect(tokenizer.summary.contains("no tokenizer_config.json"))
    }
}
