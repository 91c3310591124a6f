import Foundation
import Model
import Parallel
import Text

/// A fine-tuned model loaded for `evaluate` and `predict`: rank 0 reads the weights and
/// broadcasts them, every rank runs its share of the examples. The task follows from the
/// model's `config.json` (`TaskRegistry.task(savedAs:)`).
public final class InferenceSession {
    public let directory: ModelDirectory
    public let task: any FineTuningTask
    public let labels: LabelSet
    public let model: any TrainableModel
    let communicator: Communicator
    /// Tokens per example: as asked, else the length the model was trained with.
    public let maxLength: Int
    let localBatchSize: Int

    /// Opens the fine-tuned model (or checkpoint) in `path`; `maxLength` nil takes the
    /// model's own (`TrainedLength`).
    public init(
        modelPath: String, communicator: Communicator, maxLength: Int?, globalBatchSize: Int,
        threads: Int?
    ) throws {
        self.communicator = communicator
        let opened = try communicator.agreeing { () -> (ModelDirectory, any FineTuningTask, Int) in
            let directory = try ModelDirectory(modelPath)
            guard let task = try TaskRegistry.task(savedIn: directory) else {
                throw CheckpointError(
                    "\(modelPath)/config.json: architectures \(directory.config.architectures) has no head of a task "
                        + "ddp-train knows (\(TaskRegistry.names.joined(separator: ", "))); fine-tune the model "
                        + "first (ddp-train train)"
                )
            }
            let positions = directory.config.maxPositions
            if let maxLength, maxLength > positions {
                throw OptionError(
                    "--max-length \(maxLength) exceeds the model's \(directory.config.maxPositionsKey) (\(positions))")
            }
            return (directory, task, maxLength ?? TrainedLength.defaultMaxLength(of: directory))
        }
        directory = opened.0
        task = opened.1
        self.maxLength = opened.2
        labels = LabelSet(names: directory.config.labels)
        let threads = try threads ?? ThreadPlan(ranksOnNode: communicator.localSize).threads
        BLAS.setThreads(threads)
        let model = try ModelFamilies.family(of: directory.config).makeModel(
            config: directory.config, head: task.head(labels: labels.count), lora: nil,
            pool: ThreadPool(threads: threads))
        self.model = model
        let weights = directory.weightsPath
        try communicator.agreeing {
            if communicator.rank == 0 {
                _ = try model.loadWeights(from: SafeTensorsFile(contentsOf: weights), loadHead: true)
            }
        }
        try communicator.broadcast(model.parameters.buffer, root: 0)
        localBatchSize = max(1, BatchPlan.largestShare(of: globalBatchSize, parts: communicator.size))
    }

    /// Reads `path` for this model's task; `.encode(labels)` of the result maps labels when
    /// present (unknown labels are an error).
    public func read(
        _ path: String, columns: ColumnSelection, labelSeparator: Character = ",",
        requireLabels: Bool
    ) throws -> TaskData {
        try task.read(
            path,
            DataRequest(
                columns: columns, labelSeparator: labelSeparator, tokenizer: directory.tokenizer,
                maxLength: maxLength, requireLabels: requireLabels))
    }

    /// Buffers big enough for this rank's shards of `dataset`.
    func buffers(for dataset: EncodedDataset) -> (PackedBatch, TargetBuffer) {
        let longest = max(dataset.longest, 1)
        model.reserve(maxSequences: localBatchSize, maxTokens: localBatchSize * longest, maxLength: longest)
        return (
            PackedBatch(sequenceCapacity: localBatchSize, tokenCapacity: localBatchSize * longest),
            TargetBuffer(
                integerCapacity: localBatchSize * longest,
                floatCapacity: localBatchSize * max(labels.count, 1))
        )
    }

    /// The task's metrics over `dataset`.
    public func evaluate(_ dataset: EncodedDataset) throws -> EvaluationReport {
        let (batch, targets) = buffers(for: dataset)
        let evaluator = Evaluator(
            model: model, communicator: communicator, task: task, labels: labels, batch: batch,
            targets: targets, globalBatchSize: localBatchSize * communicator.size)
        return try evaluator.evaluate(dataset)
    }

    /// The logits of every example — `[examples × outputs]`, or for a per-token head
    /// `[tokens × outputs]` aligned with the data set's token ids (outputs: the labels, or the
    /// vocabulary of a language-model head) — complete on every rank: each rank fills its
    /// shard and one allreduce sums the (otherwise zero) rows.
    public func logits(_ dataset: EncodedDataset) throws -> [Float] {
        let (batch, _) = buffers(for: dataset)
        let k = model.logits.outputs  // after `buffers` reserved the activations
        let perToken = model.head.isPerToken
        var all = [Float](repeating: 0, count: (perToken ? dataset.ids.count : dataset.count) * k)
        let shard = BatchPlan.shardRange(count: dataset.count, rank: communicator.rank, worldSize: communicator.size)
        var start = shard.lowerBound
        while start < shard.upperBound {
            let end = min(start + localBatchSize, shard.upperBound)
            batch.removeAll()
            for i in start..<end { dataset.append(i, to: batch, sample: UInt64(i)) }
            model.forward(batch, dropout: nil)
            let logits = model.logits.values
            let first = perToken ? dataset.offsets[start] : start
            let rows = perToken ? batch.tokenCount : end - start
            for r in 0..<rows {
                for j in 0..<k { all[(first + r) * k + j] = logits[r * k + j] }
            }
            start = end
        }
        try all.withUnsafeMutableBufferPointer { try communicator.allreduce($0, operation: .sum) }
        return all
    }

    /// One JSON line per example (`{"line": …, <the task's prediction>}`), from `logits`.
    public func predictionLines(_ data: TaskData, dataset: EncodedDataset, logits: [Float]) -> String {
        let k = model.logits.outputs
        let context = PredictionContext(
            data: data, dataset: dataset, labels: labels, tokenizer: directory.tokenizer,
            maxLength: maxLength)
        var text = ""
        for i in 0..<dataset.count {
            let rows =
                model.head.isPerToken
                ? (dataset.offsets[i] * k)..<(dataset.offsets[i + 1] * k) : (i * k)..<((i + 1) * k)
            text +=
                "{\"line\": \(dataset.lines[i]), " + task.prediction(i, logits: logits[rows], context: context) + "}\n"
        }
        return text
    }
}
