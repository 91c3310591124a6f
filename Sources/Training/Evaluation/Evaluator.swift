import Model
import Parallel

/// Evaluation on a labelled data set, sharded over the ranks: each rank runs its contiguous
/// share of the examples in file order, counts a confusion matrix and sums the loss, and
/// one allreduce combines them — so every example counts once whatever the rank count, and
/// every rank ends with the same metrics.
public struct Evaluator {
    let model: BertModel
    let communicator: Communicator
    let batch: PackedBatch
    let localBatchSize: Int

    /// - Parameter globalBatchSize: examples per evaluation batch, summed over ranks.
    public init(model: BertModel, communicator: Communicator, batch: PackedBatch, globalBatchSize: Int) {
        self.model = model
        self.communicator = communicator
        self.batch = batch
        localBatchSize = max(1, (globalBatchSize + communicator.size - 1) / communicator.size)
    }

    public func evaluate(_ dataset: EncodedDataset, classes: Int) throws -> ClassificationMetrics {
        let shard = BatchPlan.shardRange(count: dataset.count, rank: communicator.rank, worldSize: communicator.size)
        var metrics = ClassificationMetrics(classes: classes)
        var lossSum = 0.0
        var start = shard.lowerBound
        while start < shard.upperBound {
            let end = min(start + localBatchSize, shard.upperBound)
            batch.removeAll()
            for i in start..<end { dataset.append(i, to: batch, sample: UInt64(i)) }
            model.forward(batch, dropout: nil)
            let a = model.activations!
            let rows = end - start
            lossSum += dataset.labels.withUnsafeBufferPointer { labels in
                CrossEntropy.forwardBackward(logits: a.logits, labels: labels.baseAddress! + start, rows: rows,
                                             classes: classes, gradScale: 0, logitsGrad: a.logitsGrad)
            }
            for r in 0..<rows {
                metrics.record(truth: Int(dataset.labels[start + r]), predicted: Evaluator.argmax(a.logits + r * classes, count: classes))
            }
            start = end
        }
        var counts = metrics.counts.map(Int64.init)
        try counts.withUnsafeMutableBufferPointer { try communicator.allreduce($0, operation: .sum) }
        let totalLoss = try communicator.allreduce(lossSum, operation: .sum)
        return ClassificationMetrics(classes: classes, counts: counts.map(Int.init), lossSum: totalLoss)
    }

    /// Index of the largest value (the first on ties, as `torch.argmax`).
    public static func argmax(_ values: UnsafePointer<Float>, count: Int) -> Int {
        var best = 0
        for j in 1..<max(count, 1) where values[j] > values[best] { best = j }
        return best
    }
}

extension ClassificationMetrics {
    /// The `eval_`-prefixed fields of a metrics record.
    public func record(labels: LabelSet, step: Int, epoch: Double) -> MetricsRecord {
        var values: [String: Double] = [
            "step": Double(step), "epoch": epoch,
            "eval_loss": loss, "eval_accuracy": accuracy, "eval_macro_f1": macroF1, "eval_samples": Double(total),
        ]
        for (c, name) in labels.names.enumerated() {
            values["eval_precision_\(name)"] = precision(c)
            values["eval_recall_\(name)"] = recall(c)
            values["eval_f1_\(name)"] = f1(c)
        }
        return MetricsRecord(values)
    }
}
