import Model
import Reports
import Parallel

/// The metrics of one evaluation: the `eval_`-prefixed values of a metrics record, and
/// lines for people.
public struct EvaluationReport: Sendable {
    public var values: [String: Double]
    public var lines: [String]
    /// What the HTML report shows of this evaluation (the task's: a confusion matrix, …).
    public var sections: [ReportSection] = []

    /// A metrics record at `step`.
    public func record(step: Int, epoch: Double) -> MetricsRecord {
        var all = values
        all["step"] = Double(step)
        all["epoch"] = epoch
        return MetricsRecord(all)
    }
}

/// Evaluation on a labelled data set, sharded over the ranks: each rank runs its contiguous
/// share of the examples in file order and the task's `TaskMetrics` counts what its metrics
/// need; one allreduce combines them, so every example counts once whatever the rank count
/// and every rank ends with the same metrics — which is what lets every rank take the same
/// early-stopping decision.
public struct Evaluator {
    let model: any TrainableModel
    let communicator: Communicator
    let task: any FineTuningTask
    let labels: LabelSet
    let batch: PackedBatch
    let targets: TargetBuffer
    let localBatchSize: Int

    /// - Parameter globalBatchSize: examples per evaluation batch, summed over ranks.
    public init(
        model: any TrainableModel, communicator: Communicator, task: any FineTuningTask, labels: LabelSet,
        batch: PackedBatch, targets: TargetBuffer, globalBatchSize: Int
    ) {
        self.model = model
        self.communicator = communicator
        self.task = task
        self.labels = labels
        self.batch = batch
        self.targets = targets
        localBatchSize = max(1, BatchPlan.largestShare(of: globalBatchSize, parts: communicator.size))
    }

    public func evaluate(_ dataset: EncodedDataset) throws -> EvaluationReport {
        let k = model.logits.outputs
        let localBatchSize = max(1, min(self.localBatchSize, batch.sequenceCapacity / dataset.textsPerExample))
        let shard = BatchPlan.shardRange(count: dataset.count, rank: communicator.rank, worldSize: communicator.size)
        var metrics = task.metrics(labels: labels, dataset: dataset)
        let logits = model.logits
        var lossSum = 0.0
        var start = shard.lowerBound
        while start < shard.upperBound {
            let end = min(start + localBatchSize, shard.upperBound)
            batch.removeAll()
            targets.removeAll()
            for i in start..<end { dataset.append(i, epoch: 0, to: batch, targets: targets) }
            model.forward(batch, dropout: nil)
            lossSum += task.lossAndGradient(logits, batch: batch, targets: targets, labelSmoothing: 0, gradScale: 0)
            metrics.record(logits.values, outputs: k, batch: batch, targets: targets, examples: start..<end)
            start = end
        }
        let loss = try communicator.allreduce(lossSum, operation: .sum)
        var sums = metrics.partialSums
        try sums.withUnsafeMutableBufferPointer { try communicator.allreduce($0, operation: .sum) }
        return metrics.report(sums: sums, lossSum: loss)
    }

    /// Index of the largest value (the first on ties, as `torch.argmax`).
    public static func argmax(_ values: UnsafePointer<Float>, count: Int) -> Int {
        var best = 0
        for j in 1..<max(count, 1) where values[j] > values[best] { best = j }
        return best
    }
}
