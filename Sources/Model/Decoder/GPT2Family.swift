/// GPT-2 decoders (`model_type: gpt2`).
public struct GPT2Family: ModelFamily {
    public init() {}
    public var modelType: String { "gpt2" }
    public var classPrefix: String { "GPT2" }

    /// The prefix of the body's keys in a checkpoint with `head`: `transformer.` for every
    /// `GPT2…` class with a head, none for the bare `GPT2Model`.
    public static func keyPrefix(_ head: TaskHead) -> String { head == .none ? "" : "transformer." }

    public func check(config: HuggingFaceConfig, head: TaskHead, lora: LoRAConfiguration?) throws(ModelFamilyError) {
        guard config.gpt2 != nil else { throw ModelFamilyError("model_type \"\(config.modelType)\" is not GPT-2") }
        throw ModelFamilyError("GPT-2 models are not built yet")
    }

    public func makeModel(config: HuggingFaceConfig, head: TaskHead, lora: LoRAConfiguration?, pool: ThreadPool)
        throws(ModelFamilyError) -> any TrainableModel
    {
        try check(config: config, head: head, lora: lora)
        preconditionFailure("unreachable")
    }

    public func parameterTable(config: HuggingFaceConfig, head: TaskHead, lora: LoRAConfiguration?)
        throws(ModelFamilyError) -> ParameterTable
    {
        try check(config: config, head: head, lora: lora)
        preconditionFailure("unreachable")
    }
}
