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

    static func expectSame(lora: LoRAConfiguration? = nil, threads: Int = 1, trainable: TrainableGroups, _ name: String)
    {
        func step(full: Bool) -> (logits: [Float], gradients: [Float]) {
            let layout = BertLayout(config: config, head: .sequence(outputs: 3), lora: lora)
            let model = BertModel(layout: layout, pool: ThreadPool(threads: threads))
            model.computesFullTopLayer = full
            return TopLayerShortcut.step(model, trainable: trainable)
        }
        TopLayerShortcut.expectSame(shortcut: step(full: false), full: step(full: true), name)
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
