import Foundation
import JSON
import Model
import Text

/// A Hugging Face model directory: `config.json`, `model.safetensors` and the tokenizer
/// (`tokenizer.json`; or `vocab.txt`, or `vocab.json` + `merges.txt`, with `tokenizer_config.json`:
/// `Tokenizers.load(directory:)`). Opening it checks that
/// each part is there and readable, before any rank starts work.
public struct ModelDirectory: Sendable {
    public let path: String
    public let config: HuggingFaceConfig
    public let tokenizer: any TextTokenizer
    /// The sentence-transformers pipeline when the directory has `modules.json` that ddp-train
    /// reads; otherwise nil, and `sentenceTransformersError` says why when there is one.
    public let sentenceTransformers: SentenceTransformersConfig?
    /// Why the directory's sentence-transformers files cannot be used (a Dense module, an
    /// unsupported pooling mode …). Only embedding needs them: such a model still fine-tunes
    /// as a classifier, so opening the directory does not fail on this.
    public let sentenceTransformersError: HuggingFaceConfigError?
    public var weightsPath: String { path + "/model.safetensors" }

    /// The tokenizer files copied into every checkpoint and the final model.
    public static let tokenizerFiles = [
        "tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json", "vocab.json", "merges.txt",
        "added_tokens.json",
    ]

    public init(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CheckpointError(
                "\(path): no such model directory"
                    + (path == DefaultPaths.pretrainedModel
                        ? " (run tools/setup.sh to install the pretrained all-MiniLM-L6-v2)" : ""))
        }
        self.path = path
        config = try HuggingFaceConfig(contentsOf: path + "/config.json")
        guard FileManager.default.fileExists(atPath: path + "/model.safetensors") else {
            let others = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter {
                $0.hasSuffix(".bin") || $0.hasSuffix(".h5") || $0.hasSuffix(".ckpt")
            }
            throw CheckpointError(
                "\(path): no model.safetensors (the model's weights)"
                    + (others.isEmpty
                        ? ""
                        : "; found \(others.joined(separator: ", ")), which ddp-train does not read: save the model "
                            + "with safe_serialization=True")
            )
        }
        // Sizes the config states are checked against the weights' header before anything
        // the config sizes is allocated.
        let shapes = try SafeTensorsFile.shapes(contentsOf: path + "/model.safetensors")
        try ModelFamilies.family(of: config).configSizes(config).check(
            against: shapes, weightsFile: path + "/model.safetensors", configFile: path + "/config.json")
        tokenizer = try Tokenizers.load(directory: URL(fileURLWithPath: path))
        if tokenizer.vocabSize > config.vocabSize {
            throw CheckpointError(
                "\(path): the tokenizer has \(tokenizer.vocabSize) tokens but config.json's vocab_size is "
                    + "\(config.vocabSize)"
            )
        }
        (sentenceTransformers, sentenceTransformersError) = Self.readPipeline(path, config: config)
    }

    static func readPipeline(
        _ path: String, config: HuggingFaceConfig
    ) -> (SentenceTransformersConfig?, HuggingFaceConfigError?) {
        guard SentenceTransformersConfig.exists(in: path) else { return (nil, nil) }
        do {
            let pipeline = try SentenceTransformersConfig(directory: path)
            if let bert = config.bert { try pipeline.check(hiddenSize: bert.hiddenSize, directory: path) }
            return (pipeline, nil)
        } catch {
            return (nil, error)
        }
    }

    /// The pipeline `SentenceTransformer(path)` runs on this directory: its own, or for a
    /// plain transformers model mean pooling without normalisation. Throws when its
    /// sentence-transformers files are there but unusable (the error names the file and key).
    public func sentencePipeline() throws(HuggingFaceConfigError) -> SentenceTransformersConfig {
        if let sentenceTransformersError { throw sentenceTransformersError }
        return sentenceTransformers
            ?? .plainModelDefault(hiddenSize: config.bert?.hiddenSize ?? 0, maxSeqLength: nil)
    }

    /// Where the LoRA adapters go, in PEFT's file names: a subdirectory, because transformers
    /// treats a directory holding `adapter_config.json` as an adapter to load on top of its
    /// base model — the merged model beside it would then not be what `from_pretrained`
    /// loads.
    public static let adapterDirectory = "adapter"
    public static let adapterWeightsFile = adapterDirectory + "/adapter_model.safetensors"
    public static let adapterConfigFile = adapterDirectory + "/adapter_config.json"

    /// Writes `model` as a Hugging Face model into `directory`: `config.json` (from `config`,
    /// with the architecture and labels of the model's head), `model.safetensors` (LoRA
    /// adapters merged in), and the tokenizer files of `tokenizerSource`; with LoRA also the
    /// adapters in PEFT's form (`adapter/adapter_model.safetensors`, `adapter/adapter_config.json`).
    /// `tokenizer_config.json` records `maxLength`, the length the model was trained with.
    public static func write(
        model: any TrainableModel, config: HuggingFaceConfig, tokenizerSource: String, maxLength: Int,
        into directory: DurableDirectory
    ) throws {
        let config = model.savedConfig(config)
        try directory.write(try config.jsonText(file: directory.path("config.json")), as: "config.json")
        try model.saveWeights(to: directory.path("model.safetensors"))
        if let lora = model.lora {
            try FileManager.default.createDirectory(
                atPath: directory.path(adapterDirectory), withIntermediateDirectories: true)
            try model.saveAdapters(to: directory.path(adapterWeightsFile))
            try directory.write(
                adapterConfigJSON(lora, head: model.head, baseModel: tokenizerSource), as: adapterConfigFile)
        }
        for name in tokenizerFiles
        where name != TrainedLength.file
            && FileManager.default.fileExists(atPath: tokenizerSource + "/" + name)
        {
            try directory.copy(tokenizerSource + "/" + name, as: name)
        }
        let tokenizerConfig = FileManager.default.contents(atPath: tokenizerSource + "/" + TrainedLength.file)
        try directory.write(TrainedLength.text(setting: maxLength, in: tokenizerConfig), as: TrainedLength.file)
        if let pooling = model.head.sentencePooling {
            try writeSentenceTransformers(
                pooling, hiddenSize: config.bert?.hiddenSize ?? 0, source: tokenizerSource, maxLength: maxLength,
                into: directory)
        }
    }

    /// An embedding model's sentence-transformers files (`SentenceTransformersConfig.files`):
    /// the model's pooling, `max_seq_length` the length it was trained with, and the rest
    /// (lower-casing, version stamps, similarity) as the source model had them.
    static func writeSentenceTransformers(
        _ pooling: SentencePooling, hiddenSize: Int, source: String, maxLength: Int, into directory: DurableDirectory
    ) throws {
        var pipeline =
            (try? SentenceTransformersConfig(directory: source))
            ?? .plainModelDefault(hiddenSize: hiddenSize, maxSeqLength: nil)
        pipeline.pooling = pooling
        pipeline.wordEmbeddingDimension = hiddenSize
        pipeline.maxSeqLength = maxLength
        try FileManager.default.createDirectory(
            atPath: directory.path(SentenceTransformersConfig.poolingDirectory), withIntermediateDirectories: true)
        for (name, text) in pipeline.files() { try directory.write(text, as: name) }
    }

    /// PEFT's `adapter_config.json` for a LoRA model (`SEQ_CLS`, `TOKEN_CLS` for a per-token
    /// classifier, `CAUSAL_LM` for a language model). Target names are PEFT module-name
    /// suffixes; because "output.dense" is also a suffix of "attention.output.dense", a
    /// target list with `output.dense` is written as a regular expression over full module
    /// names instead (PEFT accepts both). GPT-2's `Conv1D` targets need `fan_in_fan_out`.
    static func adapterConfigJSON(_ lora: LoRAConfiguration, head: TaskHead, baseModel: String) -> String {
        let names = lora.targets.map(\.modulePath)
        let targets: JSONValue =
            lora.targets.contains(.output)
            ? .string(
                #".*encoder\.layer\.\d+\.("#
                    + names.map { $0.replacingOccurrences(of: ".", with: #"\."#) }.joined(separator: "|") + ")")
            : .array(lora.targets.map { .string($0.rawValue) })
        let members: [(String, JSONValue)] = [
            ("peft_type", .string("LORA")),
            ("task_type", .string(head.peftTaskType)),
            ("r", JSONValue(lora.rank)),
            ("lora_alpha", JSONValue(lora.alpha)), ("lora_dropout", JSONValue(0.0)),
            ("target_modules", targets),
            ("modules_to_save", head.labelCount > 0 ? .array([.string("classifier"), .string("score")]) : .null),
            ("bias", .string("none")), ("fan_in_fan_out", .bool(lora.targets.contains { $0.isConv1D })),
            ("inference_mode", .bool(true)),
            ("init_lora_weights", .bool(true)), ("base_model_name_or_path", JSONValue(baseModel)),
            ("use_rslora", .bool(false)), ("use_dora", .bool(false)),
        ]
        return JSONWriter.pretty(.object(members.map { JSONMember(key: $0.0, value: $0.1) }))
    }
}
