import Foundation
import Model
import Parallel
import Text

/// A fine-tuned classifier loaded for `evaluate` and `predict`: rank 0 reads the weights and
/// broadcasts them, every rank runs its share of the examples.
public final class InferenceSession {
    public let directory: ModelDirectory
    public let labels: LabelSet
    public let model: BertModel
    let communicator: Communicator
    let maxLength: Int
    let localBatchSize: Int

    /// Opens the model in `path`, which must be a sequence classifier (a fine-tuned model or
    /// checkpoint).
    public init(modelPath: String, communicator: Communicator, maxLength: Int, globalBatchSize: Int, threads: Int?) throws {
        self.communicator = communicator
        let opened = try communicator.agreeing { () -> ModelDirectory in
            let directory = try ModelDirectory(modelPath)
            guard directory.config.architectures.contains(where: { $0.hasSuffix("ForSequenceClassification") }),
                  directory.config.bert.labels.count >= 2 else {
                throw CheckpointError("\(modelPath)/config.json: architectures \(directory.config.architectures) has no sequence-classification head with labels; fine-tune the model first (ddp-train train)")
            }
            if maxLength > directory.config.bert.maxPositionEmbeddings {
                throw OptionError("--max-length \(maxLength) exceeds the model's max_position_embeddings (\(directory.config.bert.maxPositionEmbeddings))")
            }
            return directory
        }
        directory = opened
        labels = LabelSet(names: opened.config.bert.labels)
        let threads = try threads ?? ThreadPlan(ranksOnNode: communicator.localSize).threads
        BLAS.setThreads(threads)
        let model = BertModel(layout: BertLayout(config: opened.config.bert, head: .sequenceClassification(labels: opened.config.bert.labels.count)),
                              pool: ThreadPool(threads: threads))
        self.model = model
        try communicator.agreeing {
            if communicator.rank == 0 {
                _ = try model.loadWeights(from: SafeTensorsFile(contentsOf: opened.weightsPath))
            }
        }
        try communicator.broadcast(model.parameters.buffer, root: 0)
        self.maxLength = maxLength
        localBatchSize = max(1, (globalBatchSize + communicator.size - 1) / communicator.size)
    }

    /// Tokenises `rows` for this model (labels mapped when present; unknown labels are an
    /// error when `requireLabels`).
    public func encode(_ rows: [LabelledText], file: String, requireLabels: Bool) throws -> EncodedDataset {
        try EncodedDataset.encode(rows, file: file, tokenizer: directory.tokenizer, maxLength: maxLength,
                                  labelSet: labels, requireLabels: requireLabels)
    }

    /// A packed batch buffer big enough for this rank's shards of `dataset`.
    func batchBuffer(for dataset: EncodedDataset) -> PackedBatch {
        let longest = max(dataset.longest, 1)
        model.reserve(maxSequences: localBatchSize, maxTokens: localBatchSize * longest, maxLength: longest)
        return PackedBatch(sequenceCapacity: localBatchSize, tokenCapacity: localBatchSize * longest)
    }

    /// Accuracy, loss, F1 and per-class precision/recall over `dataset`.
    public func evaluate(_ dataset: EncodedDataset) throws -> ClassificationMetrics {
        let evaluator = Evaluator(model: model, communicator: communicator, batch: batchBuffer(for: dataset),
                                  globalBatchSize: localBatchSize * communicator.size)
        return try evaluator.evaluate(dataset, classes: labels.count)
    }

    /// The logits of every example, `[count × labels]`, complete on every rank: each rank
    /// fills its shard and one allreduce sums the (otherwise zero) rows.
    public func logits(_ dataset: EncodedDataset) throws -> [Float] {
        let k = labels.count
        var all = [Float](repeating: 0, count: dataset.count * k)
        let batch = batchBuffer(for: dataset)
        let shard = BatchPlan.shardRange(count: dataset.count, rank: communicator.rank, worldSize: communicator.size)
        var start = shard.lowerBound
        while start < shard.upperBound {
            let end = min(start + localBatchSize, shard.upperBound)
            batch.removeAll()
            for i in start..<end { dataset.append(i, to: batch, sample: UInt64(i)) }
            model.forward(batch, dropout: nil)
            let logits = model.activations!.logits
            for r in 0..<(end - start) {
                for j in 0..<k { all[(start + r) * k + j] = logits[r * k + j] }
            }
            start = end
        }
        try all.withUnsafeMutableBufferPointer { try communicator.allreduce($0, operation: .sum) }
        return all
    }
}
