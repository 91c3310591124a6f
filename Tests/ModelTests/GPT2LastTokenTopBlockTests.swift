import Foundation
import TestSupport
import Testing

@testable import Model

/// GPT-2's top block on each sequence's last row only (`GPT2Model+LastTokenBlock`): the same
/// logits and every gradient as the full block, with dropout on at every site (its masks on
/// the compact rows must be the full block's), adapters, several threads, and when the input
/// gradient stops at the top.
@Suite struct GPT2LastTokenTopBlockTests {
    static let config = GPT2Config(
        vocabSize: 13, nEmbd: 8, nLayer: 2, nHead: 2, nPositions: 10, nInner: 12, residPdrop: 0.2,
        embdPdrop: 0.2, attnPdrop: 0.2, classifierDropout: 0.2, bosTokenId: 12, eosTokenId: 12)

    static func expectSame(lora: LoRAConfiguration? = nil, threads: Int = 1, trainable: TrainableGroups, _ name: String)
    {
        func step(full: Bool) -> (logits: [Float], gradients: [Float]) {
            let layout = GPT2Layout(config: config, head: .sequence(outputs: 3), lora: lora)
            let model = GPT2Model(layout: layout, pool: ThreadPool(threads: threads))
            model.computesFullTopBlock = full
            return TopLayerShortcut.step(model, trainable: trainable)
        }
        TopLayerShortcut.expectSame(shortcut: step(full: false), full: step(full: true), name)
    }

    @Test func wholeModel() { Self.expectSame(trainable: .all(layers: 2), "all groups") }

    @Test func severalThreads() { Self.expectSame(threads: 3, trainable: .all(layers: 2), "3 threads") }

    @Test func adapters() {
        let lora = LoRAConfiguration(rank: 2, alpha: 4, targets: LoRATarget.gpt2Targets)
        Self.expectSame(
            lora: lora,
            trainable: TrainableGroups(embeddings: false, layers: [false, false], pooler: true, head: true),
            "LoRA")
    }

    /// Only the top block trains: its input gradient is never formed.
    @Test func topBlockAlone() {
        Self.expectSame(
            trainable: TrainableGroups(embeddings: false, layers: [false, true], pooler: true, head: true),
            "top block only")
    }

    @Test func whereItApplies() {
        #expect(
            GPT2Model(layout: GPT2Layout(config: Self.config, head: .sequence(outputs: 2))).topBlockReadsLastTokensOnly)
        #expect(!GPT2Model(layout: GPT2Layout(config: Self.config, head: .languageModel)).topBlockReadsLastTokensOnly)
        #expect(
            !GPT2Model(layout: GPT2Layout(config: Self.config, head: .token(outputs: 2))).topBlockReadsLastTokensOnly)
    }
}
