import Model

/// What a task adds to a trained model after its last step, before the final model is
/// written: SetFit fits its classification head on the trained body's embeddings. Returned
/// by `FineTuningTask.completeTraining`.
public struct TaskCompletion {
    /// The task as the finished model has it (SetFit: with its head): the final evaluation
    /// and the saved model's `predict` and `evaluate` use it.
    public var task: any FineTuningTask
    /// Lines for the run's log (what was fitted).
    public var notice: String
    /// Writes the task's own files into the directory of the final model being written.
    public var write: (_ directory: String) throws -> Void
}

/// What `completeTraining` may use: the trained model (identical on every rank), how the
/// run reads data, and a batch buffer the model has activations for.
public struct TrainingCompletionContext {
    public let model: any TrainableModel
    public let trainPath: String
    public let request: DataRequest
    public let labels: LabelSet
    public let batch: PackedBatch
}

extension TrainableModel {
    /// The head's rows for every example of `dataset` (one sequence each), `[count, outputs]`,
    /// run forward without dropout in as many batches of `batch`'s capacity as needed.
    public func outputs(of dataset: EncodedDataset, batch: PackedBatch) -> [Float] {
        let width = logits.outputs
        var result = [Float](repeating: 0, count: dataset.count * width)
        var start = 0
        while start < dataset.count {
            batch.removeAll()
            var end = start
            while end < dataset.count && batch.sequenceCount < batch.sequenceCapacity
                && batch.tokenCount + dataset.length(end) <= batch.tokenCapacity
            {
                dataset.append(end, to: batch, sample: UInt64(end))
                end += 1
            }
            precondition(end > start, "outputs(of:): example \(start) does not fit the batch buffer")
            forward(batch, dropout: nil)
            result.withUnsafeMutableBufferPointer {
                ($0.baseAddress! + start * width).update(from: logits.values, count: (end - start) * width)
            }
            start = end
        }
        return result
    }
}
