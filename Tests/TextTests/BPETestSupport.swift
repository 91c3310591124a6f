import Foundation
import TestSupport
import Testing
import Text

/// The byte-level BPE fixtures of Tests/Fixtures/bpe (written by tools/make_bpe_fixtures.py).
enum BPETestSupport {
    static let generator = "tools/make_bpe_fixtures.py"

    /// The directory of one tokenizer form, e.g. `"gpt2-pairs"`.
    static func directory(_ name: String) throws -> URL {
        try Fixtures.existing("bpe/" + name, generator: generator)
    }

    /// The expected ids of a tokenizer (`"gpt2"`, `"prefix"`, `"no-regex"`).
    static func expected(_ name: String) throws -> BPEExpected {
        try Fixtures.decode("bpe/expected-\(name).json", as: BPEExpected.self, generator: generator)
    }

    /// What decoding the ids of `text` gives: `text`, with the space `add_prefix_space` puts
    /// before a text that does not start with U+0020 (a scalar, not a grapheme: " " + a
    /// combining mark starts with a space too).
    static func decoded(_ text: String, prefixSpace: Bool) -> String {
        prefixSpace && !text.isEmpty && text.unicodeScalars.first != " " ? " " + text : text
    }

    /// The tokenizer of a fixture directory, through the protocol's loader.
    static func load(_ name: String) throws -> ByteLevelBPETokenizer {
        let tokenizer = try Tokenizers.load(directory: try directory(name))
        return try #require(tokenizer as? ByteLevelBPETokenizer, "\(name): loaded as \(type(of: tokenizer))")
    }
}

/// Expected values of one tokenizer (`expected-<name>.json`).
struct BPEExpected: Decodable {
    struct Data: Decodable {
        var file: String
        var rows: Int
        var sentencesFNV1a64: String
    }
    /// `encode(text, add_special_tokens=False)` and `decode` of the ids and of their first half.
    struct EdgeCase: Decodable {
        var name: String
        var text: String
        var ids: [Int32]
        var decoded: String
        var halfDecoded: String
    }
    /// `encode(text, pair)` with the post-processor's special tokens, truncated longest-first.
    struct Case: Decodable {
        var name: String
        var text: String
        var pair: String?
        var maxLength: Int?
        var ids: [Int32]
        var typeIds: String
    }
    var command: String
    var versions: Versions
    var data: Data?
    /// The ids of every SST-2 dev sentence, in file order.
    var dev: [[Int32]]
    var edgeCases: [EdgeCase]
    var encodings: [Case]
}
