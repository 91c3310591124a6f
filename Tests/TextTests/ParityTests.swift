import Foundation
import TestSupport
import Testing
import Text

/// Token ids and type ids against the Hugging Face tokenizer, on real data and on hard inputs.
/// Expected values come from tools/make_tokenizer_fixtures.py (its command is in each file).
@Suite("Parity with the Hugging Face tokenizer")
struct ParityTests {
    @Test("every SST-2 dev sentence, max length 128")
    func sst2DevSentences() throws {
        let fixture = try TextTestSupport.fixture("sst2-dev.json", as: SST2Fixture.self)
        let sentences = try TextTestSupport.sst2Sentences(
            try TextTestSupport.sst2Directory().appendingPathComponent("dev.tsv"))
        try #require(
            sentences.count == fixture.data.rows,
            "dev.tsv has \(sentences.count) rows, the fixture \(fixture.data.rows)")
        try #require(
            TextTestSupport.fnv1a64(sentences.joined(separator: "\n").utf8) == fixture.data.sentencesFNV1a64,
            "dev.tsv is not the file the fixture was made from (\(fixture.command))")
        let tokenizer = try TextTestSupport.modelTokenizer()
        var mismatches: [String] = []
        for (row, sentence) in sentences.enumerated() {
            let encoding = tokenizer.encode(sentence, maxLength: fixture.single.maxLength)
            let expectedTypes = TextTestSupport.typeIds(fixture.single.typeIds[row])
            if encoding.ids != fixture.single.ids[row] || encoding.typeIds != expectedTypes {
                mismatches.append(
                    "row \(row + 2) \"\(sentence)\": got \(encoding.ids), expected \(fixture.single.ids[row])")
            }
        }
        let differing = mismatches.count
        #expect(
            differing == 0,
            Comment(
                rawValue: "\(differing) of \(sentences.count) rows differ, first "
                    + "ones:\n\(mismatches.prefix(5).joined(separator: "\n"))")
        )
    }

    @Test("SST-2 dev sentences in pairs, max length 24 (longest-first truncation)")
    func sst2DevPairs() throws {
        let fixture = try TextTestSupport.fixture("sst2-dev.json", as: SST2Fixture.self)
        let sentences = try TextTestSupport.sst2Sentences(
            try TextTestSupport.sst2Directory().appendingPathComponent("dev.tsv"))
        try #require(sentences.count == fixture.data.rows)
        let tokenizer = try TextTestSupport.modelTokenizer()
        var mismatches: [String] = []
        for (n, row) in stride(from: 0, to: sentences.count - 1, by: 2).enumerated() {
            let encoding = tokenizer.encode(
                sentences[row], pair: sentences[row + 1], maxLength: fixture.pairs.maxLength)
            let expectedTypes = TextTestSupport.typeIds(fixture.pairs.typeIds[n])
            if encoding.ids != fixture.pairs.ids[n] || encoding.typeIds != expectedTypes {
                mismatches.append(
                    "rows \(row + 2)+\(row + 3): got \(encoding.ids) \(encoding.typeIds), expected "
                        + "\(fixture.pairs.ids[n]) \(expectedTypes)"
                )
            }
        }
        #expect(fixture.pairs.ids.count == sentences.count / 2)
        let differing = mismatches.count
        #expect(
            differing == 0, "\(differing) pairs differ, first ones:\n\(mismatches.prefix(5).joined(separator: "\n"))")
    }

    @Test("hand-written edge cases, pairs and every truncation budget around the limits")
    func edgeCases() throws {
        let fixture = try TextTestSupport.fixture("edge-cases.json", as: EdgeCaseFixture.self)
        let tokenizer = try TextTestSupport.modelTokenizer()
        #expect(fixture.cases.count > 100)
        for testCase in fixture.cases {
            let encoding = tokenizer.encode(testCase.text, pair: testCase.pair, maxLength: testCase.maxLength)
            #expect(
                encoding.ids == testCase.ids,
                "\(testCase.name): got \(tokenizer.tokens(for: encoding.ids)), expected \(testCase.tokens)")
            #expect(encoding.typeIds == TextTestSupport.typeIds(testCase.typeIds), "\(testCase.name): type ids")
            #expect(encoding.attentionMask == [Int32](repeating: 1, count: encoding.count), "\(testCase.name): mask")
        }
    }

    @Test("added tokens with every matching flag (normalized, lstrip, rstrip, single_word)")
    func addedTokenFlags() throws {
        let fixture = try TextTestSupport.fixture("edge-cases.json", as: EdgeCaseFixture.self).addedTokens
        let model = try PretrainedModel.directory()
        // The model's tokenizer.json with the fixture's added_tokens in place of its own.
        let data = try Data(contentsOf: model.appendingPathComponent("tokenizer.json"))
        var root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        root["added_tokens"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(fixture.addedTokens))
        let directory = try Fixtures.temporaryDirectory("text-tests")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("tokenizer.json")
        try JSONSerialization.data(withJSONObject: root).write(to: url)
        let tokenizer = try WordPieceTokenizer(tokenizerJSON: url)
        #expect(tokenizer.vocabSize == 30522 + fixture.addedTokens.filter { $0.id >= 30522 }.count)
        for testCase in fixture.cases {
            let ids = tokenizer.encode(testCase.text).ids
            #expect(
                ids == testCase.ids,
                "\"\(testCase.text)\": got \(tokenizer.tokens(for: ids)), expected \(testCase.tokens)")
        }
    }

    @Test("the pretrained tokenizer's settings and summary")
    func pretrainedSettings() throws {
        let tokenizer = try TextTestSupport.modelTokenizer()
        #expect(tokenizer.vocabSize == 30522)
        #expect(
            tokenizer.normalizer
                == BertNormalizer(cleanText: true, handleChineseChars: true, stripAccents: nil, lowercase: true))
        #expect(
            [tokenizer.padId, tokenizer.unknownId, tokenizer.clsId, tokenizer.sepId, tokenizer.maskId] == [
                0, 100, 101, 102, 103,
            ])
        #expect(tokenizer.template == .bert(cls: 101, sep: 102))
        #expect(tokenizer.model.maxInputCharsPerWord == 100 && tokenizer.model.continuingSubwordPrefix == "##")
        let summary = tokenizer.summary
        for part in [
            "tokenizer.json", "30522 ids", "lower-cases", "strips accents (follows lower-casing)", "[PAD]=0",
            "[UNK]=100", "[CLS]=101", "[SEP]=102", "[MASK]=103",
        ] {
            #expect(summary.contains(part), "summary lacks \"\(part)\": \(summary)")
        }
        print(summary)
    }

    @Test("the fixtures record how they were made")
    func fixtureProvenance() throws {
        let files = [
            try TextTestSupport.fixture("sst2-dev.json", as: SST2Fixture.self).command,
            try TextTestSupport.fixture("edge-cases.json", as: EdgeCaseFixture.self).command,
            try TextTestSupport.fixture("unicode-chunks.json", as: UnicodeChunksFixture.self).command,
        ]
        for command in files {
            #expect(command.contains("tools/make_tokenizer_fixtures.py"))
        }
    }
}
