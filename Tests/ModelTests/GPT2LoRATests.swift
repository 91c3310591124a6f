import Foundation
import TestSupport
import Testing

@testable import Model

/// LoRA on GPT-2's four projections: the adapters' gradients by finite differences, the
/// merged save equal to the adapted model, PEFT's key names, and targets of another family
/// refused.
@Suite struct GPT2LoRATests {
    static let lora = LoRAConfiguration(rank: 2, alpha: 4, targets: LoRATarget.gpt2Targets)

    static func adapted() throws -> GPT2Model {
        let model = GPT2Model(
            layout: GPT2Layout(config: try GPT2Fixture.config("tiny-gpt2"), head: .languageModel, lora: lora))
        _ = try model.loadWeights(from: GPT2Fixture.file("tiny-gpt2/model.safetensors"))
        var random = TestRandom(seed: 31)
        for entry in model.layout.table.entries where entry.isAdapter {
            random.fill(model.parameters.base + entry.offset, count: entry.count, scale: 0.3)
        }
        model.reserve(maxSequences: 3, maxTokens: 32, maxLength: 16)
        return model
    }

    @Test func adaptersSitInTheirBlocksWithPEFTNames() throws {
        let table = try Self.adapted().layout.table
        #expect(table.entries.filter(\.isAdapter).count == 2 * 4 * 2)
        #expect(table["transformer.h.1.attn.c_attn.lora_A.weight"]?.shape == [2, 32])
        #expect(table["transformer.h.1.attn.c_attn.lora_B.weight"]?.shape == [96, 2])
        #expect(table["transformer.h.0.mlp.c_proj.lora_A.weight"]?.shape == [2, 64])
        #expect(table["transformer.h.0.mlp.c_fc.lora_B.weight"]?.group == .layer(0))
        let config = try HuggingFaceConfig(contentsOf: Fixtures.url("gpt2/tiny-gpt2/config.json").path)
        let bert = LoRAConfiguration(rank: 2, alpha: 4, targets: [.query])
        #expect(throws: ModelFamilyError.self) {
            try GPT2Family().check(config: config, head: .languageModel, lora: bert)
        }
        #expect(throws: ModelFamilyError.self) {
            try BertFamily().check(
                config: HuggingFaceConfig(
                    bert: BertConfig(
                        vocabSize: 9, hiddenSize: 4, numHiddenLayers: 1, numAttentionHeads: 1,
                        intermediateSize: 8), architectures: []),
                head: .languageModel, lora: nil)
        }
    }

    @Test func adapterGradientsByFiniteDifferences() throws {
        let model = try Self.adapted()
        let batch = PackedBatch(sequenceCapacity: 2, tokenCapacity: 12)
        batch.append(ids: [1, 5, 7, 2], sample: 3)
        batch.append(ids: [9, 2, 4, 4, 2], sample: 8)
        let loraOnly = TrainableGroups(
            embeddings: false, layers: [false, false], pooler: false, head: true, adapters: true)
        let labels = GPT2Fixture.nextTokenLabels(batch)
        func loss() -> Double {
            model.forward(batch, dropout: nil)
            let logits = model.logits
            return labels.withUnsafeBufferPointer {
                CrossEntropy.forwardBackward(
                    logits: logits.values, labels: $0.baseAddress!, rows: labels.count, classes: logits.outputs,
                    gradScale: 1, logitsGrad: logits.gradient)
            }
        }
        _ = loss()
        model.gradients.zero()
        model.backward(batch, dropout: nil, trainable: loraOnly)
        for entry in model.layout.table.entries {
            let ours = Array(UnsafeBufferPointer(start: model.gradients.base + entry.offset, count: entry.count))
            guard entry.isAdapter else {
                #expect(ours.allSatisfy { $0 == 0 }, "frozen \(entry.name) got a gradient")
                continue
            }
            let indices = stride(from: 0, to: entry.count, by: max(1, entry.count / 8)).map { entry.offset + $0 }
            let (analytic, numeric) = centralDifferences(
                parameters: model.parameters, gradients: model.gradients, at: indices, loss: loss)
            expectClose(analytic, numeric, absolute: 2e-3, relative: 3e-2, "lora \(entry.name)")
        }
    }

    @Test func mergedSaveEqualsTheAdaptedModelAndAdaptersUsePEFTKeys() throws {
        let model = try Self.adapted()
        let batch = PackedBatch(sequenceCapacity: 1, tokenCapacity: 8)
        batch.append(ids: [3, 1, 4, 1, 5, 9], sample: 0)
        model.forward(batch, dropout: nil)
        let adapted = Array(UnsafeBufferPointer(start: model.logits.values, count: 6 * 101))
        let directory = try Fixtures.temporaryDirectory("gpt2-lora")
        defer { try? FileManager.default.removeItem(at: directory) }
        try model.saveWeights(to: directory.path + "/model.safetensors")
        try model.saveAdapters(to: directory.path + "/adapter_model.safetensors")
        let (plain, _) = try GPT2Fixture.model("tiny-gpt2", head: .languageModel)
        _ = try plain.loadWeights(from: SafeTensorsFile(contentsOf: directory.path + "/model.safetensors"))
        plain.forward(batch, dropout: nil)
        expectClose(
            Array(UnsafeBufferPointer(start: plain.logits.values, count: 6 * 101)), adapted, absolute: 1e-5,
            relative: 1e-5, "merged logits")
        let adapters = try SafeTensorsFile(contentsOf: directory.path + "/adapter_model.safetensors")
        #expect(adapters.names.contains("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight"))
        #expect(adapters.names.contains("base_model.model.transformer.h.1.mlp.c_proj.lora_B.weight"))
        #expect(adapters.names.count == 16, "adapters only: the tied head has no parameter of its own")
        let reloaded = try Self.adapted()
        try reloaded.loadAdapters(from: adapters)
        let a = model.layout.table.entries.filter(\.isAdapter).map { model.parameters.base[$0.offset] }
        #expect(reloaded.layout.table.entries.filter(\.isAdapter).map { reloaded.parameters.base[$0.offset] } == a)
    }
}
