import Foundation
import TestSupport
import Testing
import Text

/// Every code point through the normalizer and pre-tokenizer, against the reference.
///
/// The fixture holds, for each block of 4096 code points and four normalizer settings, a hash
/// of the pre-tokens that Hugging Face tokenizers makes of "a" + c + "b " for every c of the
/// block. A mismatch names the first code point of the block; `tools/make_tokenizer_fixtures.py
/// --show-block U+XXXX` prints the reference's words for each of its code points.
@Suite("Unicode: every code point as the reference sees it")
struct UnicodeReferenceTests {
    /// "a" + c + "b " for every scalar c of the block (surrogates skipped).
    static func chunkText(first: UInt32, size: UInt32) -> String {
        var text = String.UnicodeScalarView()
        for value in first..<min(first + size, 0x110000) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            text.append("a")
            text.append(scalar)
            text.append("b")
            text.append(" ")
        }
        return String(text)
    }

    @Test("normalizer + pre-tokenizer on all 1,112,064 scalars", arguments: 0..<4)
    func allCodePoints(setting: Int) throws {
        let fixture = try TextTestSupport.fixture("unicode-chunks.json", as: UnicodeChunksFixture.self)
        try #require(fixture.configs.count == 4)
        let config = fixture.configs[setting]
        let size = UInt32(fixture.chunkSize)
        let normalizer = BertNormalizer(
            cleanText: config.normalizer.cleanText, handleChineseChars: config.normalizer.handleChineseChars,
            stripAccents: config.normalizer.stripAccents, lowercase: config.normalizer.lowercase)
        try #require(config.hashes.count == Int(0x110000 / size))
        var mismatched: [String] = []
        for (index, expected) in config.hashes.enumerated() {
            let first = UInt32(index) * size
            let words = BertPreTokenizer.split(normalizer.normalize(Self.chunkText(first: first, size: size)))
            if TextTestSupport.fnv1a64(words.joined(separator: "\n").utf8) != expected {
                mismatched.append("U+" + String(first, radix: 16, uppercase: true))
            }
        }
        let blocks = mismatched.joined(separator: ", ")
        #expect(mismatched.isEmpty, "\(normalizer): the blocks of \(size) code points from \(blocks) differ")
    }

    @Test(
        "the ASCII fast path agrees with the general path",
        arguments: [
            BertNormalizer(), BertNormalizer(lowercase: false),
            BertNormalizer(cleanText: false, handleChineseChars: false),
        ])
    func asciiFastPath(normalizer: BertNormalizer) {
        // "é" forces the scalar path for the whole string; each step works scalar by scalar
        // (NFD reordering never crosses an ASCII character), so the parts must add up.
        let ascii = String(decoding: (0..<128).flatMap { [UInt8(ascii: "x"), UInt8($0)] }, as: UTF8.self)
        #expect(normalizer.normalize(ascii + "é") == normalizer.normalize(ascii) + normalizer.normalize("é"))
        #expect(
            BertPreTokenizer.split(normalizer.normalize(ascii + "é")).dropLast()
                == BertPreTokenizer.split(normalizer.normalize(ascii)).dropLast())
    }
}
