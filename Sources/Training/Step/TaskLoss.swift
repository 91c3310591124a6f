import Model

/// The loss of a task on one batch: returns the batch's summed loss and writes the logits'
/// gradient, scaled by `gradScale` = 1 / (loss units in the whole global batch — examples,
/// labels × examples, or labelled tokens), so summed gradients are those of the global mean.
enum TaskLoss {
    static func lossAndGradient(
        task: TaskKind, model: BertModel, batch: PackedBatch, targets: TargetBuffer, labelSmoothing: Float, gradScale: Float
    ) -> Double {
        let a = model.activations!
        let k = model.layout.head.labelCount
        switch task {
        case .classification:
            return targets.integers.withUnsafeBufferPointer {
                CrossEntropy.forwardBackward(logits: a.logits, labels: $0.baseAddress!, rows: batch.sequenceCount, classes: k,
                                             labelSmoothing: labelSmoothing, gradScale: gradScale, logitsGrad: a.logitsGrad)
            }
        case .tokenClassification:
            return targets.integers.withUnsafeBufferPointer {
                CrossEntropy.forwardBackward(logits: a.logits, labels: $0.baseAddress!, rows: batch.tokenCount, classes: k,
                                             labelSmoothing: labelSmoothing, gradScale: gradScale, logitsGrad: a.logitsGrad)
            }
        case .regression:
            return targets.floats.withUnsafeBufferPointer {
                MeanSquaredError.forwardBackward(predictions: a.logits, targets: $0.baseAddress!, count: batch.sequenceCount,
                                                 gradScale: gradScale, predictionsGrad: a.logitsGrad)
            }
        case .multiLabel:
            return targets.floats.withUnsafeBufferPointer {
                BinaryCrossEntropyWithLogits.forwardBackward(logits: a.logits, targets: $0.baseAddress!, rows: batch.sequenceCount,
                                                             labels: k, gradScale: gradScale, logitsGrad: a.logitsGrad)
            }
        }
    }
}
