import Foundation
import Model
import Parallel
import Text

/// Few-shot classification as SetFit does it (`--task setfit`), from a few labelled texts
/// per class: (1) pairs of the training texts, same label → target 1, different → 0, drawn
/// as setfit draws them (`SetFitPairSampler`, `--num-iterations`); (2) the sentence-embedding
/// body fine-tuned on them with the cosine-similarity loss (the embedding task's step);
/// (3) a logistic-regression head fitted on the trained body's embeddings of the training
/// texts (`completeTraining`), saved beside the body as `head.safetensors`.
///
/// As setfit, `--validation` is evaluated once the head is fitted (classification accuracy
/// and F1), not while the body trains; and `predict` and `evaluate` on the saved model classify
/// through the head (`loaded(from:)`).
public struct SetFitTask: SentenceEmbeddingTask {
    public let pooling: SentencePooling
    public let dimension: Int
    public let iterations: Int
    public let seed: UInt64
    /// The fitted head of a trained model; nil while the body trains.
    public let classifier: LogisticRegressionHead?

    public init(
        pooling: SentencePooling = .meanNormalized, dimension: Int = 0, iterations: Int = 20, seed: UInt64 = 42,
        classifier: LogisticRegressionHead? = nil
    ) {
        self.pooling = pooling
        self.dimension = dimension
        self.iterations = iterations
        self.seed = seed
        self.classifier = classifier
    }

    public var name: String { "setfit" }
    public var summary: String {
        "few-shot classification (SetFit): contrastive pairs train the embedding body, then a logistic-regression head"
    }

    public func configured(by options: TrainingOptions, model: ModelDirectory) throws -> any FineTuningTask {
        try options.refuseLossSettings(for: name)
        let (pooling, dimension) = try Self.embeddingBody(of: model, for: name)
        return SetFitTask(
            pooling: pooling, dimension: dimension, iterations: options.numIterations ?? 20, seed: UInt64(options.seed))
    }

    /// The saved model's task with its head, which must fit the body's embeddings.
    public func loaded(from directory: ModelDirectory) throws -> any FineTuningTask {
        let path = directory.path + "/" + LogisticRegressionHead.fileName
        let head = try LogisticRegressionHead.read(from: path)
        let (pooling, dimension) = try Self.embeddingBody(of: directory, for: name)
        guard head.dim == dimension else {
            throw CheckpointError(
                "\(path): the head reads \(head.dim)-dimensional embeddings, but the model in \(directory.path) makes "
                    + "\(dimension)-dimensional ones (\(pooling.summary))")
        }
        return SetFitTask(pooling: pooling, dimension: dimension, classifier: head)
    }

    public func isSaved(in directory: ModelDirectory) -> Bool {
        FileManager.default.fileExists(atPath: directory.path + "/" + LogisticRegressionHead.fileName)
    }

    public func coupledLoss(communicator: Communicator) -> (any CoupledBatchLoss)? {
        // Training the body; a loaded classifier evaluates through the per-batch path.
        classifier == nil
            ? EmbeddingBatchLoss(loss: CrossRankEmbeddingLoss(loss: CosineSimilarityLoss(), communicator: communicator))
            : nil
    }

    // MARK: Data

    public func read(_ path: String, _ request: DataRequest) throws -> TaskData {
        let rows = try TextDatasetReader.read(path, columns: request.readColumns)
        let names = rows.compactMap(\.label)
        if classifier != nil {
            return TaskData(labelNames: names, texts: rows.map { ($0.text, $0.pair) }) { labels in
                try ClassificationTask.encode(rows, file: path, request: request, labelSet: labels)
            }
        }
        return TaskData(labelNames: names, texts: []) { labels in
            try pairs(of: rows, file: path, request: request, labels: labels ?? labelSet(inferredFrom: names))
        }
    }

    /// SetFit's pairs of `rows`: two texts per example, target 1 (same label) or 0.
    func pairs(of rows: [LabelledText], file: String, request: DataRequest, labels: LabelSet) throws -> EncodedDataset {
        let texts = try ClassificationTask.encode(rows, file: file, request: request, labelSet: labels)
        guard case .classes(let classes) = texts.targets else { preconditionFailure("classes expected") }
        let drawn: [SetFitPair]
        do {
            drawn = try SetFitPairSampler.pairs(
                labels: classes.map(Int.init), sampling: .iterations(iterations), seed: seed)
        } catch {
            throw DataError(file: file, error.description)
        }
        let encodings = (0..<texts.count).map { i in
            let range = texts.offsets[i]..<texts.offsets[i + 1]
            return Encoding(ids: Array(texts.ids[range]), typeIds: Array(texts.typeIds[range]))
        }
        var dataset = EncodedDataset(file: file, targets: .values(drawn.map(\.target)), textsPerExample: 2)
        for pair in drawn {
            dataset.append([encodings[pair.first], encodings[pair.second]], line: texts.lines[pair.first])
        }
        return dataset
    }

    public func labelSet(inferredFrom names: [String]) -> LabelSet {
        classifier.map { LabelSet(names: $0.labels) } ?? LabelSet.infer(from: names)
    }

    // MARK: Evaluation

    public func metrics(labels: LabelSet, dataset: EncodedDataset) -> any TaskMetrics {
        if let classifier {
            return SetFitAccumulator(
                head: classifier,
                inner: ClassificationAccumulator(
                    metrics: ClassificationMetrics(classes: labels.count), labels: labels))
        }
        guard case .values(let scores) = dataset.targets else { preconditionFailure("SetFit pairs without targets") }
        return EmbeddingMetrics(loss: CosineSimilarityLoss(), scores: scores, columns: 2, dimension: dimension)
    }

    public var defaultBestMetric: String { "eval_accuracy" }
    /// The body's pairs say little about the classifier; setfit evaluates the finished model.
    public var evaluatesWhileTraining: Bool { classifier != nil }

    /// Fits the head on the trained body's embeddings of the training texts (every rank
    /// the same: the model and the fit are deterministic), and saves it as `head.safetensors`.
    public func completeTraining(_ context: TrainingCompletionContext) throws -> TaskCompletion? {
        let rows = try TextDatasetReader.read(context.trainPath, columns: context.request.readColumns)
        let texts = try ClassificationTask.encode(
            rows, file: context.trainPath, request: context.request, labelSet: context.labels)
        guard case .classes(let classes) = texts.targets else { preconditionFailure("classes expected") }
        let embeddings = context.model.outputs(of: texts, batch: context.batch)
        let head = try LogisticRegressionHead.fit(
            embeddings: embeddings, rows: texts.count, dim: context.model.logits.outputs,
            targets: classes.map(Int.init), labels: context.labels.names)
        return TaskCompletion(
            task: SetFitTask(
                pooling: pooling, dimension: dimension, iterations: iterations, seed: seed, classifier: head),
            notice: "fitted the logistic-regression head on the embeddings of \(texts.count) training texts "
                + "(\(head.classes) classes)",
            write: { directory in try head.write(to: directory + "/" + LogisticRegressionHead.fileName) })
    }

    // MARK: Prediction

    public func prediction(_ i: Int, logits: ArraySlice<Float>, context: PredictionContext) -> String {
        guard let classifier, let scores = try? classifier.logits(Array(logits), rows: 1) else {
            return PredictionJSON.members([("embedding", PredictionJSON.list(Array(logits)))])
        }
        let best = Evaluator.argmax(scores, count: scores.count)
        return PredictionJSON.members([
            ("label", PredictionJSON.string(classifier.labels[best])),
            ("probabilities", PredictionJSON.list(PredictionJSON.softmax(scores))),
            ("logits", PredictionJSON.list(scores)),
        ])
    }

    public func explanationTargets(
        _ i: Int, logits: ArraySlice<Float>, context: PredictionContext, target: String?
    ) throws -> [ExplanationTarget] {
        throw OptionError("explain: a SetFit model's head is outside the network; explain is not built for it")
    }
}

/// Classification metrics of a SetFit model: each batch's embeddings through the head, then
/// counted as the classification task counts its logits.
struct SetFitAccumulator: TaskMetrics {
    let head: LogisticRegressionHead
    var inner: ClassificationAccumulator
    /// Cross-entropy of the head's probabilities, summed over this rank's examples.
    var lossSum = 0.0

    mutating func record(
        _ logits: UnsafePointer<Float>, outputs: Int, batch: PackedBatch, targets: TargetBuffer, examples: Range<Int>
    ) {
        let embeddings = Array(UnsafeBufferPointer(start: logits, count: examples.count * outputs))
        guard let scores = try? head.logits(embeddings, rows: examples.count) else {
            preconditionFailure("SetFit head of dimension \(head.dim) on \(outputs)-dimensional embeddings")
        }
        for r in 0..<examples.count {
            let row = Array(scores[(r * head.classes)..<((r + 1) * head.classes)])
            let truth = Int(targets.integers[r])
            if truth >= 0 { lossSum -= log(max(PredictionJSON.softmax(row)[truth], 1e-300)) }
        }
        scores.withUnsafeBufferPointer {
            inner.record(
                $0.baseAddress!, outputs: head.classes, batch: batch, targets: targets, examples: examples)
        }
    }

    var partialSums: [Double] { inner.partialSums + [lossSum] }

    func report(sums: [Double], lossSum: Double) -> EvaluationReport {
        inner.report(sums: Array(sums.dropLast()), lossSum: sums.last!)
    }
}
