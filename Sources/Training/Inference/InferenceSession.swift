import Foundation
import Model
import Parallel
import Text

/// A fine-tuned model loaded for `evaluate` and `predict`: rank 0 reads the weights and
/// broadcasts them, every rank runs its share of the examples. The task follows from the
/// model's `config.json` (architecture and `problem_type`).
public final class InferenceSession {
    public let directory: ModelDirectory
    public let task: TaskKind
    public let labels: LabelSet
    public let model: BertModel
    let communicator: Communicator
    public let maxLength: Int
    let localBatchSize: Int

    /// Opens the fine-tuned model (or checkpoint) in `path`.
    public init(modelPath: String, communicator: Communicator, maxLength: Int, globalBatchSize: Int, threads: Int?) throws {
        self.communicator = communicator
        let opened = try communicator.agreeing { () -> (ModelDirectory, TaskKind) in
            let directory = try ModelDirectory(modelPath)
            guard let task = InferenceSession.task(of: directory.config) else {
                throw CheckpointError("\(modelPath)/config.json: architectures \(directory.config.architectures) has no classification or regression head; fine-tune the model first (ddp-train train)")
            }
            if maxLength > directory.config.bert.maxPositionEmbeddings {
                throw OptionError("--max-length \(maxLength) exceeds the model's max_position_embeddings (\(directory.config.bert.maxPositionEmbeddings))")
            }
            return (directory, task)
        }
        directory = opened.0
        task = opened.1
        labels = LabelSet(names: directory.config.bert.labels)
        let threads = try threads ?? ThreadPlan(ranksOnNode: communicator.localSize).threads
        BLAS.setThreads(threads)
        let model = BertModel(layout: BertLayout(config: directory.config.bert, head: task.head(labels: labels.count)),
                              pool: ThreadPool(threads: threads))
        self.model = model
        let weights = directory.weightsPath
        try communicator.agreeing {
            if communicator.rank == 0 { _ = try model.loadWeights(from: SafeTensorsFile(contentsOf: weights)) }
        }
        try communicator.broadcast(model.parameters.buffer, root: 0)
        self.maxLength = maxLength
        localBatchSize = max(1, (globalBatchSize + communicator.size - 1) / communicator.size)
    }

    /// The task a saved model was fine-tuned for, from its architecture and `problem_type`.
    public static func task(of config: HuggingFaceConfig) -> TaskKind? {
        if config.architectures.contains(where: { $0.hasSuffix("ForTokenClassification") }) { return .tokenClassification }
        guard config.architectures.contains(where: { $0.hasSuffix("ForSequenceClassification") }) else { return nil }
        switch config.bert.problemType {
        case "regression": return .regression
        case "multi_label_classification": return .multiLabel
        case nil where config.bert.labels.count == 1: return .regression
        default: return config.bert.labels.count >= 2 ? .classification : nil
        }
    }

    /// Reads `path` for this model's task; `.encode(labels)` of the result maps labels when
    /// present (unknown labels are an error).
    public func read(_ path: String, columns: ColumnSelection, labelSeparator: Character = ",", requireLabels: Bool) throws -> TaskData {
        try TaskData.read(path, task: task, columns: columns, labelSeparator: labelSeparator, tokenizer: directory.tokenizer,
                          maxLength: maxLength, requireLabels: requireLabels)
    }

    /// Buffers big enough for this rank's shards of `dataset`.
    func buffers(for dataset: EncodedDataset) -> (PackedBatch, TargetBuffer) {
        let longest = max(dataset.longest, 1)
        model.reserve(maxSequences: localBatchSize, maxTokens: localBatchSize * longest, maxLength: longest)
        return (PackedBatch(sequenceCapacity: localBatchSize, tokenCapacity: localBatchSize * longest),
                TargetBuffer(integerCapacity: localBatchSize * longest, floatCapacity: localBatchSize * max(labels.count, 1)))
    }

    /// The task's metrics over `dataset`.
    public func evaluate(_ dataset: EncodedDataset) throws -> EvaluationReport {
        let (batch, targets) = buffers(for: dataset)
        let evaluator = Evaluator(model: model, communicator: communicator, task: task, labels: labels, batch: batch,
                                  targets: targets, globalBatchSize: localBatchSize * communicator.size)
        return try evaluator.evaluate(dataset)
    }

    /// The logits of every example — `[examples × labels]`, or for token classification
    /// `[tokens × labels]` aligned with the data set's token ids — complete on every rank:
    /// each rank fills its shard and one allreduce sums the (otherwise zero) rows.
    public func logits(_ dataset: EncodedDataset) throws -> [Float] {
        let k = labels.count
        let perToken = task == .tokenClassification
        var all = [Float](repeating: 0, count: (perToken ? dataset.ids.count : dataset.count) * k)
        let (batch, _) = buffers(for: dataset)
        let shard = BatchPlan.shardRange(count: dataset.count, rank: communicator.rank, worldSize: communicator.size)
        var start = shard.lowerBound
        while start < shard.upperBound {
            let end = min(start + localBatchSize, shard.upperBound)
            batch.removeAll()
            for i in start..<end { dataset.append(i, to: batch, sample: UInt64(i)) }
            model.forward(batch, dropout: nil)
            let logits = model.activations!.logits
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
}
