/// A model family: which `config.json` it reads (`model_type`) and how it builds a model.
/// Adding a family is a type conforming to this, its `TrainableModel`, its case of
/// `FamilyConfig`, and one line in `ModelFamilies.all`.
public protocol ModelFamily: Sendable {
    /// `model_type` in `config.json`.
    var modelType: String { get }
    /// The start of its Hugging Face class names (`Bert`, `GPT2`).
    var classPrefix: String { get }
    /// Whether the family can build `head` with `lora` on `config`; the error names what it
    /// cannot (a head shape, a LoRA target), for a message before any work starts.
    func check(config: HuggingFaceConfig, head: TaskHead, lora: LoRAConfiguration?) throws(ModelFamilyError)
    /// The modules LoRA adapts when none are named (PEFT's defaults for the family).
    var defaultLoRATargets: [LoRATarget] { get }
    /// A replica for `config` with `head` (and LoRA adapters), computing on `pool`; throws
    /// what `check` throws.
    func makeModel(config: HuggingFaceConfig, head: TaskHead, lora: LoRAConfiguration?, pool: ThreadPool)
        throws(ModelFamilyError) -> any TrainableModel
    /// The sizes `config` states that a checkpoint's tensors must have (see `ConfigSizes`).
    func configSizes(_ config: HuggingFaceConfig) -> ConfigSizes
    /// The parameters such a model has, without allocating it (for `inspect`).
    func parameterTable(config: HuggingFaceConfig, head: TaskHead, lora: LoRAConfiguration?)
        throws(ModelFamilyError) -> ParameterTable
}

/// A model the family cannot build: the message says what and what it can do instead.
public struct ModelFamilyError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The families ddp-train can fine-tune.
public enum ModelFamilies {
    public static let all: [any ModelFamily] = [
        BertFamily(),
        GPT2Family(),
    ]

    public static var modelTypes: [String] { all.map(\.modelType) }

    /// "\"bert\"" or "one of \"bert\", \"gpt2\"", for messages.
    static var expected: String {
        let quoted = modelTypes.map { "\"\($0)\"" }
        return quoted.count == 1 ? quoted[0] : "one of " + quoted.joined(separator: ", ")
    }

    /// The family of `config` (its `model_type`, checked when the config was read).
    public static func family(of config: HuggingFaceConfig) -> any ModelFamily {
        all.first { $0.modelType == config.modelType } ?? all[0]
    }
}

/// BERT-family encoders (`model_type: bert`).
public struct BertFamily: ModelFamily {
    public init() {}
    public var modelType: String { "bert" }
    public var classPrefix: String { "Bert" }
    /// PEFT's default for BERT: the query and value projections.
    public var defaultLoRATargets: [LoRATarget] { [.query, .value] }

    /// The prefix of the encoder's keys in a checkpoint with `head`.
    public static func keyPrefix(_ head: TaskHead) -> String { head.savesBareBody ? "" : "bert." }

    public func check(config: HuggingFaceConfig, head: TaskHead, lora: LoRAConfiguration?) throws(ModelFamilyError) {
        guard config.bert != nil else { throw ModelFamilyError("model_type \"\(config.modelType)\" is not BERT") }
        if head == .languageModel {
            throw ModelFamilyError("a BERT encoder has no language-model head here (use a GPT-2 model)")
        }
        if let lora, let other = lora.targets.first(where: { !LoRATarget.bertTargets.contains($0) }) {
            throw ModelFamilyError(
                "LoRA target \"\(other.rawValue)\" is not a BERT module; BERT's are "
                    + LoRATarget.bertTargets.map(\.rawValue).joined(separator: ", "))
        }
    }

    public func makeModel(config: HuggingFaceConfig, head: TaskHead, lora: LoRAConfiguration?, pool: ThreadPool)
        throws(ModelFamilyError) -> any TrainableModel
    {
        try check(config: config, head: head, lora: lora)
        return BertModel(layout: BertLayout(config: config.bert!, head: head, lora: lora), pool: pool)
    }

    public func configSizes(_ config: HuggingFaceConfig) -> ConfigSizes {
        let bert = config.bert!
        return ConfigSizes(
            dimensions: [
                .stated("vocab_size", bert.vocabSize, as: 0, of: "embeddings.word_embeddings.weight"),
                .stated("hidden_size", bert.hiddenSize, as: 1, of: "embeddings.word_embeddings.weight"),
                .stated(
                    "max_position_embeddings", bert.maxPositionEmbeddings, as: 0,
                    of: "embeddings.position_embeddings.weight"),
                .stated("type_vocab_size", bert.typeVocabSize, as: 0, of: "embeddings.token_type_embeddings.weight"),
                .stated(
                    "intermediate_size", bert.intermediateSize, as: 0, of: "encoder.layer.0.intermediate.dense.weight"),
            ],
            layerKey: "num_hidden_layers", layers: bert.numHiddenLayers, layerPrefix: "encoder.layer.")
    }

    public func parameterTable(config: HuggingFaceConfig, head: TaskHead, lora: LoRAConfiguration?)
        throws(ModelFamilyError) -> ParameterTable
    {
        try check(config: config, head: head, lora: lora)
        return BertLayout(config: config.bert!, head: head, lora: lora).table
    }
}
