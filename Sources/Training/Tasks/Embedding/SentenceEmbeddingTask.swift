import Model

/// What the tasks that train a sentence-embedding body share (embedding, SetFit): the
/// model's pooling is the head, the model is saved as a bare sentence-transformers body (no
/// `problem_type`, so `config.json` alone does not name the task), word-level augmentation
/// is off, and the loss couples the global batch (`coupledLoss`) instead of being taken per
/// micro-batch.
public protocol SentenceEmbeddingTask: FineTuningTask {
    /// The body's pooling and normalisation (its `modules.json`).
    var pooling: SentencePooling { get }
}

extension SentenceEmbeddingTask {
    public func head(labels: Int) -> TaskHead { .embedding(pooling) }
    public var problemType: String? { nil }
    public func isSaved(as config: HuggingFaceConfig) -> Bool { false }
    public var allowsTextAugmentation: Bool { false }

    /// No per-batch loss: the evaluator's loss comes from the task's metrics, training's
    /// from `coupledLoss`.
    public func lossAndGradient(
        _ logits: Logits, batch: PackedBatch, targets: TargetBuffer, labelSmoothing: Float, gradScale: Float
    ) -> Double { 0 }

    /// The pooling of `model`'s sentence-transformers pipeline and the embedding dimension,
    /// for task `name`; a model outside the BERT family is refused.
    static func embeddingBody(of model: ModelDirectory, for name: String) throws -> (SentencePooling, Int) {
        guard let bert = model.config.bert else {
            throw OptionError(
                "--task \(name): built for BERT-family encoders; \(model.path) is \(model.config.modelType)")
        }
        let pooling = try model.sentencePipeline().pooling
        return (pooling, pooling.dimension(hiddenSize: bert.hiddenSize))
    }
}
