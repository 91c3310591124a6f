/// GPT-2 decoders (`model_type: gpt2`).
public struct GPT2Family: ModelFamily {
    public init() {}
    public var modelType: String { "gpt2" }
    public var classPrefix: String { "GPT2" }
    /// PEFT's default for GPT-2: the fused query/key/value projection.
    public var defaultLoRATargets: [LoRATarget] { [.fusedAttention] }

    /// The prefix of the body's keys in a checkpoint with `head`: `transformer.` for every
    /// `GPT2…` class with a head, none for the bare `GPT2Model`.
    public static func keyPrefix(_ head: TaskHead) -> String { head.savesBareBody ? "" : "transformer." }

    public func check(config: HuggingFaceConfig, head: TaskHead, lora: LoRAConfiguration?) throws(ModelFamilyError) {
        guard config.gpt2 != nil else { throw ModelFamilyError("model_type \"\(config.modelType)\" is not GPT-2") }
        if case .embedding = head {
            throw ModelFamilyError("sentence embeddings (pooling) are built for BERT-family encoders, not GPT-2")
        }
        if let lora, let other = lora.targets.first(where: { !LoRATarget.gpt2Targets.contains($0) }) {
            throw ModelFamilyError(
                "LoRA target \"\(other.rawValue)\" is not a GPT-2 module; GPT-2's are "
                    + LoRATarget.gpt2Targets.map(\.rawValue).joined(separator: ", "))
        }
    }

    public func makeModel(config: HuggingFaceConfig, head: TaskHead, lora: LoRAConfiguration?, pool: ThreadPool)
        throws(ModelFamilyError) -> any TrainableModel
    {
        try check(config: config, head: head, lora: lora)
        return GPT2Model(layout: GPT2Layout(config: config.gpt2!, head: head, lora: lora), pool: pool)
    }

    public func configSizes(_ config: HuggingFaceConfig) -> ConfigSizes {
        let gpt2 = config.gpt2!
        var dimensions: [ConfigSizes.Dimension] = [
            .stated("vocab_size", gpt2.vocabSize, as: 0, of: "wte.weight"),
            .stated("n_embd", gpt2.nEmbd, as: 1, of: "wte.weight"),
            .stated("n_positions", gpt2.nPositions, as: 0, of: "wpe.weight"),
        ]
        // Conv1D stores [in, out]: the feed-forward width is c_fc's second dimension.
        if let inner = gpt2.nInner { dimensions.append(.stated("n_inner", inner, as: 1, of: "h.0.mlp.c_fc.weight")) }
        return ConfigSizes(dimensions: dimensions, layerKey: "n_layer", layers: gpt2.nLayer, layerPrefix: "h.")
    }

    public func parameterTable(config: HuggingFaceConfig, head: TaskHead, lora: LoRAConfiguration?)
        throws(ModelFamilyError) -> ParameterTable
    {
        try check(config: config, head: head, lora: lora)
        return GPT2Layout(config: config.gpt2!, head: head, lora: lora).table
    }
}
