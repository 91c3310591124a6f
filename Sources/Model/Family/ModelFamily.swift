/// A model family: which `config.json` it reads (`model_type`) and how it builds a model.
/// Adding a family is a type conforming to this, its `TrainableModel`, and one line in
/// `ModelFamilies.all`.
public protocol ModelFamily: Sendable {
    /// `model_type` in `config.json`.
    var modelType: String { get }
    /// A replica for `config` with `head` (and LoRA adapters), computing on `pool`.
    func makeModel(config: HuggingFaceConfig, head: TaskHead, lora: LoRAConfiguration?, pool: ThreadPool)
        -> any TrainableModel
    /// The parameters such a model has, without allocating it (for `inspect`).
    func parameterTable(config: HuggingFaceConfig, head: TaskHead, lora: LoRAConfiguration?) -> ParameterTable
}

/// The families ddp-train can fine-tune.
public enum ModelFamilies {
    public static let all: [any ModelFamily] = [
        BertFamily()
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

    public func makeModel(config: HuggingFaceConfig, head: TaskHead, lora: LoRAConfiguration?, pool: ThreadPool)
        -> any TrainableModel
    {
        BertModel(layout: BertLayout(config: config.bert, head: head, lora: lora), pool: pool)
    }

    public func parameterTable(config: HuggingFaceConfig, head: TaskHead, lora: LoRAConfiguration?) -> ParameterTable {
        BertLayout(config: config.bert, head: head, lora: lora).table
    }
}
