import Foundation
import TestSupport
import Testing

@testable import Model

/// What the tests of a top layer computed on the head's rows only (`FirstTokenTopLayerTests`,
/// `GPT2LastTokenTopBlockTests`) share: one training step of a three-class sequence head on
/// three sequences of 4, 9 and 1 tokens with dropout on, and the comparison of both paths.
enum TopLayerShortcut {
    /// Fills `model` with seeded random parameters, runs one step with `trainable` and returns
    /// the logits and the whole gradient slab.
    static func step(_ model: some TrainableModel, trainable: TrainableGroups) -> (
        logits: [Float], gradients: [Float]
    ) {
        var random = TestRandom(seed: 21)
        random.fill(model.parameters.base, count: model.parameters.count, scale: 0.5)
        let batch = PackedBatch(sequenceCapacity: 3, tokenCapacity: 20)
        batch.append(ids: [1, 5, 7, 2], typeIds: [0, 0, 1, 1], sample: 3)
        batch.append(ids: [1, 9, 2, 4, 4, 2, 11, 3, 6], typeIds: [0, 0, 0, 1, 1, 1, 1, 1, 1], sample: 8)
        batch.append(ids: [6], sample: 12)
        model.reserve(maxSequences: 3, maxTokens: 20, maxLength: 10)
        let key = DropoutKey(seed: 5, step: 2)
        model.forward(batch, dropout: key)
        let logits = model.logits
        let labels: [Int32] = [2, 0, 1]
        _ = labels.withUnsafeBufferPointer {
            CrossEntropy.forwardBackward(
                logits: logits.values, labels: $0.baseAddress!, rows: 3, classes: 3, gradScale: 1,
                logitsGrad: logits.gradient)
        }
        model.gradients.zero()
        model.backward(batch, dropout: key, trainable: trainable, observer: nil)
        return (Array(UnsafeBufferPointer(start: logits.values, count: 9)), model.gradients.array)
    }

    /// The shortcut's step against the full layer's: the same logits and gradients up to the
    /// order of float sums.
    static func expectSame(
        shortcut: (logits: [Float], gradients: [Float]), full: (logits: [Float], gradients: [Float]), _ name: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        expectClose(
            shortcut.logits, full.logits, absolute: 1e-6, relative: 1e-5, "\(name) logits",
            sourceLocation: sourceLocation)
        expectClose(
            shortcut.gradients, full.gradients, absolute: 1e-6, relative: 1e-4, "\(name) gradients",
            sourceLocation: sourceLocation)
        #expect(
            full.gradients.contains { $0 != 0 }, "\(name): the step has gradients to compare",
            sourceLocation: sourceLocation)
    }
}
