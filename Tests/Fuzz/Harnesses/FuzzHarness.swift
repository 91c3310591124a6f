import Foundation
import JSON
import Model
import Text
import Training

/// One parser of untrusted input, driven by arbitrary bytes: it must return (or throw a
/// clear error) and never trap, crash or hang. Run by libFuzzer through `ddp-fuzz`
/// (tools/fuzz.sh) and, over the committed corpora and every crash input found, by the
/// unit tests (FuzzRegressionTests).
public struct FuzzHarness: Sendable {
    public let name: String
    /// The file name the input is written under for readers that take a path (the
    /// extension chooses the format); nil for parsers of bytes in memory.
    let fileName: String?
    let body: @Sendable (_ bytes: [UInt8], _ path: String?) -> Void

    /// Runs the harness on `bytes`. Readers that take a path read a private copy in
    /// `scratch` (a directory of this process).
    public func run(_ bytes: [UInt8], scratch: String) {
        guard let fileName else { return body(bytes, nil) }
        let path = scratch + "/" + fileName
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        body(bytes, path)
    }

    public static func named(_ name: String) -> FuzzHarness? { all.first { $0.name == name } }

    public static let all: [FuzzHarness] = [
        FuzzHarness(name: "json", fileName: nil) { bytes, _ in _ = try? JSONParser.parse(bytes) },
        FuzzHarness(name: "safetensors", fileName: nil) { bytes, _ in
            guard let file = try? SafeTensorsFile(bytes: bytes, file: "fuzz.safetensors") else { return }
            for name in file.names { _ = try? file.floats(name) }
        },
        FuzzHarness(name: "config", fileName: nil) { bytes, _ in
            _ = try? HuggingFaceConfig(bytes: bytes, file: "config.json")
        },
        FuzzHarness(name: "wordpiece", fileName: "tokenizer.json") { _, path in
            let url = URL(fileURLWithPath: path!)
            guard let tokenizer = try? WordPieceTokenizer(tokenizerJSON: url) else { return }
            exercise(tokenizer)
        },
        FuzzHarness(name: "bpe", fileName: "tokenizer.json") { _, path in
            let url = URL(fileURLWithPath: path!)
            guard let tokenizer = try? ByteLevelBPETokenizer(tokenizerJSON: url) else { return }
            exercise(tokenizer)
        },
        FuzzHarness(name: "tsv", fileName: "data.tsv") { _, path in _ = try? TextDatasetReader.read(path!) },
        FuzzHarness(name: "csv", fileName: "data.csv") { _, path in _ = try? TextDatasetReader.read(path!) },
        FuzzHarness(name: "jsonl", fileName: "data.jsonl") { _, path in _ = try? TextDatasetReader.read(path!) },
        FuzzHarness(name: "conll", fileName: "data.conll") { _, path in _ = try? CoNLLReader.read(path!) },
        FuzzHarness(name: "config-file", fileName: "run.json") { _, path in _ = try? ConfigFile.entries(path!) },
    ]

    /// Tokenizes texts that reach the unusual paths: accents, CJK, emoji, control and
    /// combining characters, a long word, and pairs with truncation.
    static func exercise(_ tokenizer: some TextTokenizer) {
        let texts = ["Hello, world!", "naïve café 東京 🙂\u{0301}\u{0000}\t", String(repeating: "x", count: 300), ""]
        for text in texts {
            _ = tokenizer.encode(text, pair: nil, maxLength: nil)
            _ = tokenizer.encode(text, pair: "a second text", maxLength: 8)
            _ = tokenizer.encode(words: text.split(separator: " ").map(String.init), maxLength: 4)
        }
    }
}
