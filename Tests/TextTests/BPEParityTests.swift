import Foundation
import TestSupport
import Testing
import Text

/// Byte-level BPE ids against Hugging Face tokenizers, for tokenizers trained on SST-2 by
/// tools/make_bpe_fixtures.py (its command is in each expected-*.json): every form of each
/// tokenizer (tokenizer.json with string merges, with pair merges, vocab.json + merges.txt)
/// must give the ids `Tokenizer.encode(text, add_special_tokens=False).ids` gave.
@Suite("Byte-level BPE parity with Hugging Face tokenizers")
struct BPEParityTests {
    static let forms = [
        ("gpt2", "gpt2"), ("gpt2-pairs", "gpt2"), ("gpt2-files", "gpt2"),
        ("prefix", "prefix"), ("prefix-pairs", "prefix"), ("prefix-files", "prefix"),
    ]

    /// `no-regex` makes every sentence one word, most of them longer than
    /// `BPEModel.queueThreshold`: the heap-ordered merge path against the reference.
    @Test("every SST-2 dev sentence", arguments: forms + [("no-regex", "no-regex")])
    func devSentences(form: String, reference: String) throws {
        let expected = try BPETestSupport.expected(reference)
        let data = try #require(expected.data)
        let sentences = try TextTestSupport.sst2Sentences(
            try TextTestSupport.sst2Directory().appendingPathComponent("dev.tsv"))
        try #require(sentences.count == data.rows, "dev.tsv has \(sentences.count) rows, the fixture \(data.rows)")
        try #require(
            TextTestSupport.fnv1a64(sentences.joined(separator: "\n").utf8) == data.sentencesFNV1a64,
            "dev.tsv is not the file the fixture was made from (\(expected.command))")
        let tokenizer = try BPETestSupport.load(form)
        var mismatches: [String] = []
        for (row, sentence) in sentences.enumerated() {
            let ids = tokenizer.ids(sentence)
            if ids != expected.dev[row] {
                mismatches.append("row \(row + 2) \"\(sentence)\": got \(ids), expected \(expected.dev[row])")
            }
            if tokenizer.decode(ids) != BPETestSupport.decoded(sentence, prefixSpace: tokenizer.addPrefixSpace) {
                mismatches.append("row \(row + 2): decode gives \"\(tokenizer.decode(ids))\"")
            }
        }
        #expect(
            mismatches.isEmpty,
            Comment(
                rawValue: "\(form): \(mismatches.count) mismatches of \(sentences.count) rows, first ones:\n"
                    + mismatches.prefix(5).joined(separator: "\n")))
    }

    @Test(
        "edge cases: ids, decoding and lossy decoding of cut sequences", arguments: forms + [("no-regex", "no-regex")])
    func edgeCases(form: String, reference: String) throws {
        let expected = try BPETestSupport.expected(reference)
        let tokenizer = try BPETestSupport.load(form)
        for edge in expected.edgeCases {
            let ids = tokenizer.ids(edge.text)
            #expect(ids == edge.ids, "\(form) \(edge.name): \(edge.text.debugDescription)")
            if !tokenizer.addPrefixSpace {
                #expect(tokenizer.decode(ids) == edge.text, "\(form) \(edge.name): round trip")
            }
            #expect(tokenizer.decode(edge.ids) == edge.decoded, "\(form) \(edge.name): decode")
            let half = Array(edge.ids.prefix(edge.ids.count / 2))
            #expect(tokenizer.decode(half) == edge.halfDecoded, "\(form) \(edge.name): decode of the first half")
        }
    }

    /// The post-processor's special tokens, pairs and truncation; the vocab.json form of
    /// `prefix` has no post-processor (transformers' GPT2Tokenizer adds none), so it is left out.
    @Test("special tokens, pairs and truncation", arguments: forms.filter { $0.0 != "prefix-files" })
    func encodings(form: String, reference: String) throws {
        let expected = try BPETestSupport.expected(reference)
        let tokenizer = try BPETestSupport.load(form)
        for test in expected.encodings {
            let encoding = tokenizer.encode(test.text, pair: test.pair, maxLength: test.maxLength)
            #expect(encoding.ids == test.ids, "\(form) \(test.name)")
            #expect(encoding.typeIds == TextTestSupport.typeIds(test.typeIds), "\(form) \(test.name): type ids")
            #expect(encoding.attentionMask == [Int32](repeating: 1, count: test.ids.count))
        }
    }

    @Test("decode(ids(x)) == x for random text over many scripts, spaces and controls")
    func randomRoundTrips() throws {
        let tokenizer = try BPETestSupport.load("gpt2")
        let prefixed = try BPETestSupport.load("prefix")
        // Scalars drawn from ASCII, Latin-1, combining marks, CJK, emoji, spaces, controls and
        // the private-use and supplementary planes; surrogates cannot be in a String.
        let ranges: [ClosedRange<UInt32>] = [
            0x00...0x7F, 0x20...0x20, 0x80...0xFF, 0x300...0x36F, 0x4E00...0x4E80, 0x1F300...0x1F64F, 0x2000...0x206F,
            0xE000...0xE010, 0x10000...0x10100, 0x0600...0x06FF, 0x3000...0x3000, 0x0E00...0x0E7F,
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        for _ in 0..<300 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int(next() % 40) {
                let range = ranges[Int(next() % UInt64(ranges.count))]
                let value = range.lowerBound + UInt32(next() % UInt64(range.count))
                if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
            }
            let text = String(scalars)
            #expect(tokenizer.decode(tokenizer.ids(text)) == text, "\(text.debugDescription)")
            #expect(prefixed.decode(prefixed.ids(text)) == BPETestSupport.decoded(text, prefixSpace: true))
        }
    }
}
