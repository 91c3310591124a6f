import Foundation
import TestSupport
import Testing
@testable import Model

@Suite struct LoRATests {
    static let config = BertConfig(
        vocabSize: 20, hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 2,
        intermediateSize: 12, hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1,
        maxPositionEmbeddings: 8, typeVocabSize: 2)
    static let lora = LoRAConfiguration(rank: 2, alpha: 4, targets: LoRATarget.bertTargets)

    static func batch() -> PackedBatch {
        let batch = PackedBatch(sequenceCapacity: 2, tokenCapacity: 12)
        batch.append(ids: [1, 5, 7, 2], typeIds: [0, 0, 1, 1], sample: 3)
        batch.append(ids: [1, 9, 2, 4, 4, 2], sample: 8)
        return batch
    }

    /// A model with random base weights and random (non-zero) adapters.
    static func adaptedModel() -> BertModel {
        let model = BertModel(layout: BertLayout(config: config, head: .sequence(outputs: 3), lora: lora))
        var random = TestRandom(seed: 21)
        random.fill(model.parameters.base, count: model.parameters.count, scale: 0.5)
        model.reserve(maxSequences: 2, maxTokens: 12, maxLength: 8)
        return model
    }

    @Test func layoutKeepsAdaptersInsideTheirLayerGroups() {
        let layout = BertLayout(config: Self.config, head: .sequence(outputs: 3), lora: Self.lora)
        let adapters = layout.table.entries.filter(\.isAdapter)
        #expect(adapters.count == 2 * 2 * LoRATarget.bertTargets.count)
        #expect(layout.table["bert.encoder.layer.1.intermediate.dense.lora_A.weight"]?.shape == [2, 8])
        #expect(layout.table["bert.encoder.layer.1.intermediate.dense.lora_B.weight"]?.shape == [12, 2])
        #expect(layout.table["bert.encoder.layer.0.output.dense.lora_A.weight"]?.shape == [2, 12])
        // Each group is contiguous: a layer's range covers its adapters.
        for l in 0..<2 {
            let range = layout.table.range(of: .layer(l))!
            for entry in adapters where entry.group == .layer(l) { #expect(range.contains(entry.offset)) }
        }
    }

    /// With the pretrained weights frozen and only the adapters and the head training, the
    /// adapters' gradients (and the head's) agree with finite differences, dropout on.
    @Test func adapterGradientsMatchFiniteDifferences() {
        let model = Self.adaptedModel(), batch = Self.batch()
        let key = DropoutKey(seed: 5, step: 2)
        let labels: [Int32] = [2, 0]
        func loss() -> Double {
            model.forward(batch, dropout: key)
            let a = model.activations!
            return labels.withUnsafeBufferPointer {
                CrossEntropy.forwardBackward(
                    logits: a.logits, labels: $0.baseAddress!, rows: 2, classes: 3, gradScale: 1,
                    logitsGrad: a.logitsGrad)
            }
        }
        _ = loss()
        model.gradients.zero()
        let trainable = TrainableGroups(
            embeddings: false, layers: [false, false], pooler: false, head: true, adapters: true)
        model.backward(batch, dropout: key, trainable: trainable)
        for entry in model.layout.table.entries {
            let gradient = Array(UnsafeBufferPointer(start: model.gradients.base + entry.offset, count: entry.count))
            guard trainable.contains(entry) else {
                #expect(gradient.allSatisfy { $0 == 0 }, "frozen \(entry.name) got a gradient")
                continue
            }
            var numeric: [Float] = []
            for i in 0..<entry.count {
                let p = model.parameters.base + entry.offset + i
                let saved = p.pointee
                p.pointee = saved + 1e-2
                let up = loss()
                p.pointee = saved - 1e-2
                let down = loss()
                p.pointee = saved
                numeric.append(Float((up - down) / 2e-2))
            }
            expectClose(gradient, numeric, absolute: 2e-3, relative: 3e-2, entry.name)
        }
    }

    /// The merged export — a plain model with `W + (α/r)·B·A` — gives the adapter model's logits.
    @Test func mergedExportGivesTheAdapterModelsLogits() throws {
        let model = Self.adaptedModel(), batch = Self.batch()
        model.forward(batch, dropout: nil)
        let adapted = Array(UnsafeBufferPointer(start: model.activations!.logits, count: 6))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "merged-\(UUID().uuidString).safetensors"
        ).path
        try model.saveWeights(to: path)
        let file = try SafeTensorsFile(contentsOf: path)
        #expect(!file.names.contains { $0.contains("lora") })
        let plain = BertModel(layout: BertLayout(config: Self.config, head: .sequence(outputs: 3)))
        let report = try plain.loadWeights(from: file)
        #expect(report.missing.isEmpty && report.unused.isEmpty)
        plain.reserve(maxSequences: 2, maxTokens: 12, maxLength: 8)
        plain.forward(batch, dropout: nil)
        let merged = Array(UnsafeBufferPointer(start: plain.activations!.logits, count: 6))
        expectClose(merged, adapted, absolute: 1e-6, relative: 1e-5, "merged vs adapter logits")
        // The merge changed the weights: the base model alone differs.
        let base = BertModel(layout: BertLayout(config: Self.config, head: .sequence(outputs: 3), lora: Self.lora))
        base.parameters.copy(from: model.parameters)
        for entry in base.layout.table.entries where entry.isAdapter {
            (base.parameters.base + entry.offset).update(repeating: 0, count: entry.count)
        }
        base.reserve(maxSequences: 2, maxTokens: 12, maxLength: 8)
        base.forward(batch, dropout: nil)
        #expect(Array(UnsafeBufferPointer(start: base.activations!.logits, count: 6)) != adapted)
    }

    @Test func adapterFileRoundTripsInPEFTNames() throws {
        let model = Self.adaptedModel()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "adapter-\(UUID().uuidString).safetensors"
        ).path
        try model.saveAdapters(to: path)
        let file = try SafeTensorsFile(contentsOf: path)
        #expect(file.names.contains("base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight"))
        #expect(file.names.contains("base_model.model.classifier.weight"))
        let other = Self.adaptedModel()
        for entry in other.layout.table.entries where entry.isAdapter || entry.group == .head {
            (other.parameters.base + entry.offset).update(repeating: 0, count: entry.count)
        }
        try other.loadAdapters(from: file)
        #expect(other.parameters.array == model.parameters.array)
    }

    @Test func initialisationStartsFromThePretrainedFunction() {
        let model = Self.adaptedModel()
        model.initializeAdapters(seed: 1)
        for entry in model.layout.table.entries where entry.isAdapter {
            let values = Array(UnsafeBufferPointer(start: model.parameters.base + entry.offset, count: entry.count))
            if entry.name.hasSuffix("lora_B.weight") {
                #expect(values.allSatisfy { $0 == 0 })
            } else {
                let bound = 1 / Float(entry.shape[1]).squareRoot()
                #expect(values.allSatisfy { abs($0) <= bound } && Set(values).count > 1)
            }
        }
    }
}
