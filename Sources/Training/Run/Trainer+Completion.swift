import Model
import Parallel

/// After the last step: what the task adds to the trained model (SetFit's head) and the
/// final evaluation of the completed model.
extension Trainer {
    /// What the task adds to the trained model (SetFit's head), every rank alike.
    func completeTraining() throws -> TaskCompletion? {
        let completion = try communicator.agreeing {
            try task.completeTraining(
                TrainingCompletionContext(
                    model: model, trainPath: options.train!, request: dataRequest, labels: labels,
                    batch: engine.batch))
        }
        if let completion, isRoot { emit(.notice(completion.notice)) }
        return completion
    }

    /// The final evaluation of a completed model: the validation file read and evaluated as
    /// the completed task has it (SetFit: classified through its head), and logged.
    func evaluate(with task: any FineTuningTask) throws -> MetricsRecord {
        let validation = try communicator.agreeing {
            try task.read(options.validation!, dataRequest).encode(labels)
        }
        // The validation file was not read before training, so the buffers are sized now.
        let share = BatchPlan.largestShare(of: options.evalBatchSize, parts: communicator.size)
        let sequences = max(share * validation.textsPerExample, engine.batch.sequenceCapacity)
        let longest = max(validation.longest, trainSet.longest)
        let tokens = max(sequences * longest, engine.batch.tokenCapacity)
        model.reserve(maxSequences: sequences, maxTokens: tokens, maxLength: longest)
        let evaluator = Evaluator(
            model: model, communicator: communicator, task: task, labels: labels,
            batch: PackedBatch(sequenceCapacity: sequences, tokenCapacity: tokens),
            targets: TargetBuffer(integerCapacity: tokens, floatCapacity: sequences * max(labels.count, 1)),
            globalBatchSize: options.evalBatchSize)
        return logEvaluation(try evaluator.evaluate(validation))
    }
}
