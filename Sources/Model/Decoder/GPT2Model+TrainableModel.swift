extension GPT2Model: TrainableModel {
    public var parameterTable: ParameterTable { layout.table }
    public var head: TaskHead { layout.head }
    public var lora: LoRAConfiguration? { layout.lora }
    public var layerCount: Int { config.nLayer }

    /// `[N, V]` (language model), `[B, K]` (sequence head) or `[N, K]` (token head).
    public var logits: Logits {
        guard let a = activations else { preconditionFailure("GPT2Model.logits before reserve(...)") }
        let outputs = layout.head == .languageModel ? config.vocabSize : layout.head.labelCount
        return Logits(values: a.logits, gradient: a.logitsGrad, outputs: outputs, pool: pool)
    }

    public var wordEmbeddings: MatrixView {
        MatrixView(weights.tokenEmbeddings, rows: config.vocabSize, cols: config.nEmbd)
    }

    /// The residual stream's gradient at the bottom (left in `streamGrad` by `backward`) is
    /// the word rows' gradient: `x₀ = wte[ids] + wpe[positions]`.
    public func backwardToWordEmbeddings(_ batch: PackedBatch, inputGradient: MatrixView) {
        backward(batch, dropout: nil, trainable: inputGradientGroups(), observer: nil)
        let n = batch.tokenCount
        inputGradient.data.update(from: activations!.streamGrad.data, count: n * config.nEmbd)
    }

    public func saveWeights(to path: String) throws { try saveWeights(to: path, metadata: ["format": "pt"]) }

    /// The config with this model's fields and class (`GPT2LMHeadModel`,
    /// `GPT2ForSequenceClassification`, …). A sequence head without `pad_token_id` saves
    /// `eos_token_id` as its pad id, as transformers users set it: its
    /// `GPT2ForSequenceClassification` refuses batches of more than one row without one.
    public func savedConfig(_ config: HuggingFaceConfig) -> HuggingFaceConfig {
        var saved = config
        var own = self.config
        if case .sequence = layout.head, own.padTokenId == nil { own.padTokenId = own.eosTokenId }
        saved.family = .gpt2(own)
        saved.architectures = [layout.head.architecture(in: GPT2Family())]
        return saved
    }

    /// The base weights with their adapters merged in, by table name.
    func mergedAdapterWeights() -> [String: FloatSlab] {
        guard let lora = layout.lora else { return [:] }
        var merged: [String: FloatSlab] = [:]
        for l in 0..<config.nLayer {
            for target in lora.targets {
                let name = layout.baseWeightName(target, layer: l)
                let (fanIn, fanOut) = GPT2Layout.shape(of: target, config: config)
                merged[name] = AdapterFiles.merged(
                    weight: parameters.base + layout.table[name]!.offset, pair: weights.blocks[l].adapters[target]!,
                    fanIn: fanIn, fanOut: fanOut, lora: lora)
            }
        }
        return merged
    }

    /// LoRA adapters in PEFT's form (`base_model.model.transformer.h.0.attn.c_attn.lora_A.weight`);
    /// PEFT's `lora_A`/`lora_B` are `[r, in]`/`[out, r]` whatever `fan_in_fan_out` says, which
    /// only tells PEFT to transpose the product when it merges into a `Conv1D`.
    public func saveAdapters(to path: String) throws {
        try AdapterFiles.save(table: layout.table, parameters: parameters, to: path)
    }

    public func loadAdapters(from file: SafeTensorsFile) throws {
        try AdapterFiles.load(table: layout.table, parameters: parameters, from: file)
    }

    public func initializeAdapters(seed: UInt64) {
        AdapterFiles.initialize(table: layout.table, parameters: parameters, seed: seed)
    }
}
