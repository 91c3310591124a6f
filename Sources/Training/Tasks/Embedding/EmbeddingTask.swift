import Foundation
import Model
import Parallel
import Text

/// Sentence embeddings (`--task embedding`): the model's pooled, normalised output is the
/// embedding of each text, trained with an embedding loss (`--loss`) on pairs, triplets or
/// scored pairs; saved as a sentence-transformers model (the bare body with `modules.json`).
///
/// An example is every text of a row (anchor, positive, negatives; or the two sentences of a
/// pair), each encoded on its own (`EncodedDataset.textsPerExample`); its score or 0/1 label
/// is its float target. The loss couples the global batch (`EmbeddingBatchLoss`): with
/// cross-rank negatives (the default) every rank's anchors are scored against every
/// candidate of the global batch, so the model does not depend on the rank count.
public struct EmbeddingTask: SentenceEmbeddingTask {
    public let loss: EmbeddingLossChoice
    /// The model's pooling (its `modules.json`, or mean pooling then normalisation).
    public let pooling: SentencePooling
    /// Whether the multiple-negatives losses see every rank's examples as negatives.
    public let gathersAcrossRanks: Bool
    /// Dimension of the embeddings (for the evaluation's sums over ranks).
    public let dimension: Int

    public init(
        loss: EmbeddingLossChoice, pooling: SentencePooling = .meanNormalized, gathersAcrossRanks: Bool = true,
        dimension: Int = 0
    ) {
        self.loss = loss
        self.pooling = pooling
        self.gathersAcrossRanks = gathersAcrossRanks
        self.dimension = dimension
    }

    /// The registry's entry: multiple-negatives ranking, settled by `configured`.
    public init() { self.init(loss: try! EmbeddingLossChoice(name: EmbeddingLossChoice.names[0])) }

    public var name: String { "embedding" }
    public var summary: String {
        "sentence embeddings from pairs, triplets or scored pairs: --loss (multiple-negatives ranking with "
            + "negatives across ranks, cosine similarity, contrastive, triplet); saved for sentence-transformers"
    }

    public func configured(by options: TrainingOptions, model: ModelDirectory) throws -> any FineTuningTask {
        try options.refuseSetFitSettings(for: name)
        let (pooling, dimension) = try Self.embeddingBody(of: model, for: name)
        return EmbeddingTask(
            loss: try EmbeddingLossChoice(
                name: options.loss ?? EmbeddingLossChoice.names[0], scale: options.lossScale,
                margin: options.lossMargin),
            pooling: pooling, gathersAcrossRanks: options.crossRankNegatives, dimension: dimension)
    }

    public func coupledLoss(communicator: Communicator) -> (any CoupledBatchLoss)? {
        EmbeddingBatchLoss(
            loss: CrossRankEmbeddingLoss(
                loss: loss.loss, communicator: communicator, gathersAcrossRanks: gathersAcrossRanks))
    }

    // MARK: Data

    /// A data file of pairs, triplets or scored pairs; or, for `--validation`, a folder of
    /// queries, corpus and relevance judgements (`RetrievalValidation`).
    public func read(_ path: String, _ request: DataRequest) throws -> TaskData {
        if RetrievalValidation.isRetrievalFolder(path) { return try RetrievalValidation.read(path, request: request) }
        let columns = loss.columns(text: request.columns.text, pair: request.columns.pair, score: request.columns.label)
        let data = try EmbeddingDatasetReader.read(path, columns: columns)
        let scores = try loss.scores(of: data, path: path)
        return TaskData(labelNames: [], texts: []) { _ in
            Self.encode(data, scores: scores, file: path, request: request)
        }
    }

    /// Each text of each example tokenised on its own; the scores (NaN where the loss reads
    /// none) as float targets.
    static func encode(
        _ data: EmbeddingDataset, scores: [Float]?, file: String, request: DataRequest
    ) -> EncodedDataset {
        var dataset = EncodedDataset(
            file: file, targets: .values(scores ?? [Float](repeating: .nan, count: data.examples.count)),
            textsPerExample: data.textColumns.count)
        for example in data.examples {
            dataset.append(
                example.texts.map { request.tokenizer.encode($0, pair: nil, maxLength: request.maxLength) },
                line: example.line)
        }
        return dataset
    }

    public func labelSet(inferredFrom names: [String]) -> LabelSet { LabelSet(names: []) }
    public var minimumLabels: Int { 0 }

    // MARK: Evaluation (inference on an embedding model is `ddp-train embed`)

    public func metrics(labels: LabelSet, dataset: EncodedDataset) -> any TaskMetrics {
        if case .retrieval(let queryCount, let relevant) = dataset.targets {
            return RetrievalSetMetrics(
                queryCount: queryCount, relevant: relevant, count: dataset.count, dimension: dimension)
        }
        guard case .values(let scores) = dataset.targets else { preconditionFailure("embedding data without scores") }
        return EmbeddingMetrics(
            loss: loss.loss, scores: scores, columns: dataset.textsPerExample, dimension: dimension)
    }

    /// What the data's kind measures best: the similarity correlation for scored pairs, the
    /// best-threshold accuracy for 0/1 pairs, MRR@10 of each anchor's positive otherwise.
    public var defaultBestMetric: String {
        if loss.loss is CosineSimilarityLoss { return "eval_spearman_cosine" }
        return loss.loss.needsScores ? "eval_cosine_accuracy" : "eval_mrr_at_10"
    }

    // MARK: Prediction

    public func prediction(_ i: Int, logits: ArraySlice<Float>, context: PredictionContext) -> String {
        PredictionJSON.members([("embedding", PredictionJSON.list(Array(logits)))])
    }

    public func explanationTargets(
        _ i: Int, logits: ArraySlice<Float>, context: PredictionContext, target: String?
    ) throws -> [ExplanationTarget] {
        throw OptionError("explain: an embedding model has no label to attribute (embed it with ddp-train embed)")
    }
}
