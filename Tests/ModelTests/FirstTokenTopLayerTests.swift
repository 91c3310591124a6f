import Foundation
import TestSupport
import Testing

@testable import Model

/// The top layer on `[CLS]` rows only (`BertModel+FirstTokenLayer`): the same logits and every
/// gradient as the full top layer, with dropout on (its masks on the compact rows must be the
/// full layer's), adapters, several threads, and when the input gradient stops at the top.
@Suite struct FirstTokenTopLayerTests {
    static let config = BertConfig(
        vocabSize: 24, hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 12,
        hiddenDropoutProb: 0.2, attentionProbsDropoutProb: 0.2, maxPositionEmbeddings: 10, typeVocabSize: 2)

    /// Logits and the whole gradient slab of one training step, with the top layer full or not.
    static func step(
        full: Bool, lora: LoRAConfiguration?, threads: Int, trainable: TrainableGroups
    ) -> (logits: [Float], gradients: [Float]) {
        let layout = BertLayout(config: config, head: .sequence(outputs: 3), lora: lora)
        let model = BertModel(layout: layout, pool: ThreadPool(threads: threads))
        model.computesFullTopLayer = full
        var random = TestRandom(seed: 21)
        random.fill(model.parameters.base, count: model.parameters.count, scale: 0.5)
        let batch = PackedBatch(sequenceCapacity: 3, tokenCapacity: 20)
        batch.append(ids: [1, 5, 7, 2], typeIds: [0, 0, 1, 1], sample: 3)
        batch.append(ids: [1, 9, 2, 4, 4, 2, 11, 3, 6], typeIds: [0, 0, 0, 1, 1, 1, 1, 1, 1], sample: 8)
        batch.append(ids: [1], sample: 12)
        model.reserve(maxSequences: 3, maxTokens: 20, maxLength: 10)
        let key = DropoutKey(seed: 5, step: 2)
        model.forward(batch, dropout: key)
        let a = model.activations!
        let labels: [Int32] = [2, 0, 1]
        _ = labels.withUnsafeBufferPointer {
            CrossEntropy.forwardBackward(
                logits: a.logits, labels: $0.baseAddress!, rows: 3, classes: 3, gradScale: 1, logitsGrad: a.logitsGrad)
        }
        model.gradients.zero()
        model.backward(batch, dropout: key, trainable: trainable)
        return (Array(UnsafeBufferPointer(start: a.logits, count: 9)), model.gradients.array)
    }

    static func expectSame(lora: LoRAConfiguration? = nil, threads: Int = 1, trainable: TrainableGroups, _ name: String)
    {
        let full = step(full: true, lora: lora, threads: threads, trainable: trainable)
        let first = step(full: false, lora: lora, threads: threads, trainable: trainable)
        expectClose(first.logits, full.logits, absolute: 1e-6, relative: 1e-5, "\(name) logits")
        expectClose(first.gradients, full.gradients, absolute: 1e-6, relative: 1e-4, "\(name) gradients")
        #expect(full.gradients.contains { $0 != 0 }, "\(name): the step has gradients to compare")
    }

    @Test func wholeModel() { Self.expectSame(trainable: .all(layers: 2), "all groups") }

    @Test func severalThreads() { Self.expectSame(threads: 3, trainable: .all(layers: 2), "3 threads") }

    @Test func adapters() {
        let lora = LoRAConfiguration(rank: 2, alpha: 4, targets: LoRATarget.bertTargets)
        Self.expectSame(
            lora: lora,
            trainable: TrainableGroups(embeddings: false, layers: [false, false], pooler: true, head: true),
            "LoRA")
    }

    /// Only the top layer trains: its input gradient is never formed.
    @Test func topLayerAlone() {
        Self.expectSame(
            trainable: TrainableGroups(embeddings: false, layers: [false, true], pooler: true, head: true),
            "top layer only")
    }

    @Test func whereItApplies() {
        #expect(
            BertModel(layout: BertLayout(config: Self.config, head: .sequence(outputs: 2))).topLayerReadsFirstTokensOnly
        )
        var mean = Self.config
        mean.classifierPooling = .mean
        #expect(!BertModel(layout: BertLayout(config: mean, head: .sequence(outputs: 2))).topLayerReadsFirstTokensOnly)
        #expect(
            !BertModel(layout: BertLayout(config: Self.config, head: .token(outputs: 2))).topLayerReadsFirstTokensOnly)
        let full = BertModel(layout: BertLayout(config: Self.config, head: .sequence(outputs: 2)))
        full.computesFullTopLayer = true
        #expect(!full.topLayerReadsFirstTokensOnly)
    }
}
