extension BertModel: TrainableModel {
    public var parameterTable: ParameterTable { layout.table }
    public var head: TaskHead { layout.head }
    public var lora: LoRAConfiguration? { layout.lora }
    public var layerCount: Int { config.numHiddenLayers }

    public var logits: Logits {
        guard let a = activations else { preconditionFailure("BertModel.logits before reserve(...)") }
        return Logits(values: a.logits, gradient: a.logitsGrad, outputs: layout.headOutputs, pool: pool)
    }

    public var wordEmbeddings: MatrixView {
        MatrixView(weights.wordEmbeddings, rows: config.vocabSize, cols: config.hiddenSize)
    }

    /// The embedding LayerNorm's input gradient (left in `hiddenGrad` by `backward`) is the
    /// word rows' gradient: the embedding sum is linear in them.
    public func backwardToWordEmbeddings(_ batch: PackedBatch, inputGradient: MatrixView) {
        backward(batch, dropout: nil, trainable: inputGradientGroups(), observer: nil)
        let n = batch.tokenCount
        inputGradient.data.update(from: activations!.hiddenGrad.data, count: n * config.hiddenSize)
    }

    public func saveWeights(to path: String) throws { try saveWeights(to: path, metadata: ["format": "pt"]) }

    public func savedConfig(_ config: HuggingFaceConfig) -> HuggingFaceConfig {
        var saved = config
        saved.family = .bert(self.config)
        saved.architectures = [layout.head.architecture(in: BertFamily())]
        return saved
    }
}
