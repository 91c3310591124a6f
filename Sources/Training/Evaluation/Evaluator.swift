import Model
import Parallel

/// The metrics of one evaluation: the `eval_`-prefixed values of a metrics record, and
/// lines for people.
public struct EvaluationReport: Sendable {
    public var values: [String: Double]
    public var lines: [String]

    /// A metrics record at `step`.
    public func record(step: Int, epoch: Double) -> MetricsRecord {
        var all = values
        all["step"] = Double(step)
        all["epoch"] = epoch
        return MetricsRecord(all)
    }
}

/// Evaluation on a labelled data set, sharded over the ranks: each rank runs its contiguous
/// share of the examples in file order and counts what the task's metrics need; one
/// allreduce combines the counts (regression gathers its predictions the same way), so
/// every example counts once whatever the rank count and every rank ends with the same
/// metrics — which is what lets every rank take the same early-stopping decision.
public struct Evaluator {
    let model: BertModel
    let communicator: Communicator
    let task: TaskKind
    let labels: LabelSet
    let batch: PackedBatch
    let targets: TargetBuffer
    let localBatchSize: Int

    /// - Parameter globalBatchSize: examples per evaluation batch, summed over ranks.
    public init(model: BertModel, communicator: Communicator, task: TaskKind, labels: LabelSet, batch: PackedBatch,
                targets: TargetBuffer, globalBatchSize: Int) {
        self.model = model
        self.communicator = communicator
        self.task = task
        self.labels = labels
        self.batch = batch
        self.targets = targets
        localBatchSize = max(1, min(batch.sequenceCapacity, (globalBatchSize + communicator.size - 1) / communicator.size))
    }

    public func evaluate(_ dataset: EncodedDataset) throws -> EvaluationReport {
        let k = model.layout.head.labelCount
        let shard = BatchPlan.shardRange(count: dataset.count, rank: communicator.rank, worldSize: communicator.size)
        var classification = ClassificationMetrics(classes: k)
        var multiLabel = MultiLabelMetrics(labels: k)
        var entities = EntityMetrics(tagNames: labels.names)
        var predictions = [Float](repeating: 0, count: task == .regression ? dataset.count : 0)
        var lossSum = 0.0
        var start = shard.lowerBound
        while start < shard.upperBound {
            let end = min(start + localBatchSize, shard.upperBound)
            batch.removeAll()
            targets.removeAll()
            for i in start..<end { dataset.append(i, epoch: 0, to: batch, targets: targets) }
            model.forward(batch, dropout: nil)
            lossSum += TaskLoss.lossAndGradient(task: task, model: model, batch: batch, targets: targets,
                                                labelSmoothing: 0, gradScale: 0)
            let logits = model.activations!.logits
            switch task {
            case .classification:
                for r in 0..<(end - start) {
                    classification.record(truth: Int(targets.integers[r]), predicted: Evaluator.argmax(logits + r * k, count: k))
                }
            case .multiLabel:
                targets.floats.withUnsafeBufferPointer { multiLabel.record(logits: logits, targets: $0.baseAddress!, rows: end - start) }
            case .tokenClassification:
                for b in 0..<batch.sequenceCount {
                    let rows = batch.offset(b)..<(batch.offset(b) + batch.length(b))
                    entities.record(tokenLabels: Array(targets.integers[rows]),
                                    predicted: rows.map { Int32(Evaluator.argmax(logits + $0 * k, count: k)) })
                }
            case .regression:
                for r in 0..<(end - start) { predictions[start + r] = logits[r] }
            }
            start = end
        }
        let loss = try communicator.allreduce(lossSum, operation: .sum)
        switch task {
        case .classification:
            let counts = try summed(classification.counts)
            return Evaluator.report(ClassificationMetrics(classes: k, counts: counts, lossSum: loss), labels: labels)
        case .multiLabel:
            let counts = try summed(multiLabel.counts)
            return Evaluator.report(MultiLabelMetrics(labels: k, counts: counts, lossSum: loss), labels: labels)
        case .tokenClassification:
            let counts = try summed(entities.counts)
            return Evaluator.report(EntityMetrics(tagNames: labels.names, counts: counts, lossSum: loss))
        case .regression:
            try predictions.withUnsafeMutableBufferPointer { try communicator.allreduce($0, operation: .sum) }
            guard case .values(let truth) = dataset.targets else { preconditionFailure("regression data without values") }
            return Evaluator.report(RegressionMetrics(predictions: predictions, targets: truth))
        }
    }

    private func summed(_ counts: [Int]) throws -> [Int] {
        var wide = counts.map(Int64.init)
        try wide.withUnsafeMutableBufferPointer { try communicator.allreduce($0, operation: .sum) }
        return wide.map(Int.init)
    }

    /// Index of the largest value (the first on ties, as `torch.argmax`).
    public static func argmax(_ values: UnsafePointer<Float>, count: Int) -> Int {
        var best = 0
        for j in 1..<max(count, 1) where values[j] > values[best] { best = j }
        return best
    }
}
