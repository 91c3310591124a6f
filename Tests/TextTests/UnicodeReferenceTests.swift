import Foundation
import Testing
import Text

/// Every code point through the normalizer and pre-tokenizer, against the reference.
///
/// The fixture holds, for each block of 4096 code points and four normalizer settings, a hash
/// of the pre-tokens that Hugging Face tokenizers makes of "a" + c + "b " for every c of the
/// block. A mismatch names the block; `tools/make_tokenizer_fixtures.py` shows how to print the
/// reference's output for it.
@Suite("Unicode: every code point as the reference sees it")
struct UnicodeReferenceTests {
    static func chunkText(first: UInt32, size: UInt32) -> String {
        var text = String.UnicodeScalarView()
        for value in first..<min(first + size, 0x110000) {
            guard let scalar = Unicode.Scalar(value) else { continue }  // surrogates
            text.append("a")
            text.append(scalar)
            text.append("b")
            text.append(" ")
        }
        return String(text)
    }

    @Test("normalizer + pre-tokenizer on all 1,112,064 scalars, four settings")
    func allCodePoints() throws {
        let fixture = try TestSupport.fixture("unicode-chunks.json", as: UnicodeChunksFixture.self)
        let size = UInt32(fixture.chunkSize)
        let chunks = (0..<(0x110000 / size)).map { Self.chunkText(first: $0 * size, size: size) }
        for config in fixture.configs {
            let settings = config.normalizer
            let normalizer = BertNormalizer(
                cleanText: settings.cleanText, handleChineseChars: settings.handleChineseChars,
                stripAccents: settings.stripAccents, lowercase: settings.lowercase)
            try #require(config.hashes.count == chunks.count)
            var mismatched: [String] = []
            for (index, text) in chunks.enumerated() {
                let words = BertPreTokenizer.split(normalizer.normalize(text))
                if TestSupport.fnv1a64(words.joined(separator: "\n").utf8) != config.hashes[index] {
                    mismatched.append("U+" + String(UInt32(index) * size, radix: 16, uppercase: true))
                }
            }
            #expect(
                mismatched.isEmpty,
                "\(normalizer): blocks of \(size) code points from \(mismatched.joined(separator: ", ")) differ")
        }
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
