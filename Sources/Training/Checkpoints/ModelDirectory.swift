import Foundation
import Model
import Text

/// A Hugging Face model directory: `config.json`, `model.safetensors` and the tokenizer
/// (`tokenizer.json`, or `vocab.txt` with `tokenizer_config.json`). Opening it checks that
/// each part is there and readable, before any rank starts work.
public struct ModelDirectory: Sendable {
    public let path: String
    public let config: HuggingFaceConfig
    public let tokenizer: WordPieceTokenizer
    public var weightsPath: String { path + "/model.safetensors" }

    /// The tokenizer files copied into every checkpoint and the final model.
    public static let tokenizerFiles = ["tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"]

    public init(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CheckpointError("\(path): no such model directory" + (path == DefaultPaths.pretrainedModel ? " (run tools/setup.sh to install the pretrained all-MiniLM-L6-v2)" : ""))
        }
        self.path = path
        config = try HuggingFaceConfig(contentsOf: path + "/config.json")
        guard FileManager.default.fileExists(atPath: path + "/model.safetensors") else {
            let others = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".bin") || $0.hasSuffix(".h5") || $0.hasSuffix(".ckpt") }
            throw CheckpointError("\(path): no model.safetensors (the model's weights)" + (others.isEmpty ? "" : "; found \(others.joined(separator: ", ")), which ddp-train does not read: save the model with safe_serialization=True"))
        }
        tokenizer = try WordPieceTokenizer.load(directory: URL(fileURLWithPath: path))
        if tokenizer.vocabSize > config.bert.vocabSize {
            throw CheckpointError("\(path): the tokenizer has \(tokenizer.vocabSize) tokens but config.json's vocab_size is \(config.bert.vocabSize)")
        }
    }

    /// Writes `model` as a Hugging Face model into `directory`: `config.json` (from `config`,
    /// with the architecture and labels of the model's head), `model.safetensors`, and the
    /// tokenizer files of `tokenizerSource`.
    public static func write(model: BertModel, config: HuggingFaceConfig, tokenizerSource: String, into directory: DurableDirectory) throws {
        var config = config
        config.bert = model.config
        config.architectures = [model.layout.head.architecture]
        try directory.write(try config.jsonText(file: directory.path("config.json")), as: "config.json")
        try model.saveWeights(to: directory.path("model.safetensors"))
        for name in tokenizerFiles where FileManager.default.fileExists(atPath: tokenizerSource + "/" + name) {
            try directory.copy(tokenizerSource + "/" + name, as: name)
        }
    }
}
