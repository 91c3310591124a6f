import Foundation
import TestSupport
import Testing
import Text

/// Data and helpers shared by the tokenizer tests (paths and the model come from TestSupport).
enum TextTestSupport {
    /// SST-2: `$SST2_DIR`, else `<repository>/../shared/data/sst2` (no machine-specific path).
    static func sst2Directory() throws -> URL {
        let environment = ProcessInfo.processInfo.environment["SST2_DIR"]
        let directory =
            environment.flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? Fixtures.repository.deletingLastPathComponent().appendingPathComponent("shared/data/sst2")
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("dev.tsv").path) else {
            throw FixtureMissing(
                "SST-2 (dev.tsv)", at: directory.path,
                remedy: "set SST2_DIR to the directory with train.tsv and dev.tsv")
        }
        return directory
    }

    /// Sentences of an SST-2 TSV: header `sentence<TAB>label`, each row split at its last tab,
    /// the trailing space of the sentence stripped (the same reading as the fixture script).
    static func sst2Sentences(_ url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == "sentence\tlabel" else {
            throw FixtureMissing("\(url.path):1: expected the header \"sentence<TAB>label\"")
        }
        lines.removeFirst()
        return lines.filter { !$0.isEmpty }.map { line in
            let sentence = line.lastIndex(of: "\t").map { line[..<$0] } ?? line[...]
            var end = sentence.endIndex
            while end > sentence.startIndex && sentence[sentence.index(before: end)] == " " {
                end = sentence.index(before: end)
            }
            return String(sentence[..<end])
        }
    }

    /// The tokenizer of the pretrained model, read once.
    static func modelTokenizer() throws -> WordPieceTokenizer {
        try sharedModelTokenizer.get()
    }

    /// Decodes a fixture file of Tests/Fixtures/tokenizer.
    static func fixture<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        try Fixtures.decode("tokenizer/" + name, as: T.self, generator: "tools/make_tokenizer_fixtures.py")
    }

    /// FNV-1a 64-bit hash as 16 hex digits (as the fixture script computes it).
    static func fnv1a64(_ bytes: some Sequence<UInt8>) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// "0011" → [0, 0, 1, 1].
    static func typeIds(_ digits: String) -> [Int32] {
        digits.utf8.map { Int32($0) - 48 }
    }

    /// Writes vocab.txt (one token per line, ordered by id) made from the vocabulary of the
    /// model's tokenizer.json into `directory`.
    static func writeVocabTxt(from modelDirectory: URL, to directory: URL, lineEnding: String = "\n") throws -> URL {
        let data = try Data(contentsOf: modelDirectory.appendingPathComponent("tokenizer.json"))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let model = root["model"] as? [String: Any], let vocab = model["vocab"] as? [String: Int]
        else { throw FixtureMissing("\(modelDirectory.path)/tokenizer.json: no model.vocab") }
        let ordered = vocab.sorted { $0.value < $1.value }
        guard ordered.enumerated().allSatisfy({ $0.offset == $0.element.value }) else {
            throw FixtureMissing("\(modelDirectory.path)/tokenizer.json: model.vocab ids are not 0..<\(vocab.count)")
        }
        let url = directory.appendingPathComponent("vocab.txt")
        try ordered.map { $0.key + lineEnding }.joined().write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}

private let sharedModelTokenizer = Result<WordPieceTokenizer, any Error> {
    try WordPieceTokenizer.load(directory: try PretrainedModel.directory())
}

// MARK: Fixture formats (written by tools/make_tokenizer_fixtures.py)

struct Versions: Decodable {
    var python: String
    var transformers: String
    var tokenizers: String
}

struct SST2Fixture: Decodable {
    struct Data: Decodable {
        var file: String
        var rows: Int
        var sentencesFNV1a64: String
    }
    struct Encodings: Decodable {
        var maxLength: Int
        var ids: [[Int32]]
        var typeIds: [String]
    }
    var command: String
    var versions: Versions
    var data: Data
    var single: Encodings
    var pairs: Encodings
}

struct EdgeCaseFixture: Decodable {
    struct Case: Decodable {
        var name: String
        var text: String
        var pair: String?
        var maxLength: Int?
        var tokens: [String]
        var ids: [Int32]
        var typeIds: String
        var note: String?
    }
    struct Variant: Decodable {
        struct Case: Decodable {
            var text: String
            var ids: [Int32]
        }
        var name: String
        var tokenizerConfig: [String: Bool]
        var cases: [Case]
    }
    struct AddedTokens: Decodable {
        /// An entry of tokenizer.json's `added_tokens`, keys as in that file.
        struct Token: Codable {
            var id: Int
            var content: String
            var singleWord: Bool
            var leftStrip: Bool
            var rightStrip: Bool
            var normalized: Bool
            var special: Bool

            enum CodingKeys: String, CodingKey {
                case id, content, normalized, special
                case singleWord = "single_word"
                case leftStrip = "lstrip"
                case rightStrip = "rstrip"
            }
        }
        struct Case: Decodable {
            var text: String
            var tokens: [String]
            var ids: [Int32]
        }
        var addedTokens: [Token]
        var cases: [Case]
    }
    var command: String
    var versions: Versions
    var cases: [Case]
    var variants: [Variant]
    var addedTokens: AddedTokens
}

struct UnicodeChunksFixture: Decodable {
    struct Config: Decodable {
        struct Normalizer: Decodable {
            var cleanText: Bool
            var handleChineseChars: Bool
            var stripAccents: Bool?
            var lowercase: Bool

            enum CodingKeys: String, CodingKey {
                case cleanText = "clean_text"
                case handleChineseChars = "handle_chinese_chars"
                case stripAccents = "strip_accents"
                case lowercase
            }
        }
        var normalizer: Normalizer
        var hashes: [String]
    }
    var command: String
    var versions: Versions
    var chunkSize: Int
    var configs: [Config]
}
