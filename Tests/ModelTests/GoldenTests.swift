import Foundation
import TestSupport
import Testing
@testable import Model

/// The model against PyTorch + transformers, with values from `tools/make_model_fixtures.py`
/// (the command is also in each fixture's safetensors metadata).
///
/// Tolerances: logits and loss of the tiny model agree to 1e-5 relative; every gradient
/// tensor to 1e-5 relative plus 1e-5 × the tensor's largest magnitude (elements far below
/// a tensor's scale carry cancellation noise in both implementations); the parameters after
/// 5 AdamW steps to 1e-5 relative plus 1e-6 absolute; the real all-MiniLM-L6-v2 encoder's
/// hidden states and pooler output to 1e-4 absolute.
///
/// Attention key biases are the exception: their true gradient is exactly zero (adding a
/// constant to every score of a softmax row changes nothing), so both implementations
/// produce rounding noise there (checked to be ~0), which Adam then scales to full-size
/// random steps — they are left out of the after-AdamW comparison.
@Suite struct GoldenTests {
    static let golden = Fixtures.url("model/tiny-golden.safetensors").path

    /// The tiny BertForSequenceClassification and the fixture's padded batch, packed.
    static func tinyModelAndBatch() throws -> (BertModel, PackedBatch, [Int32], SafeTensorsFile) {
        let directory = Fixtures.url("model/tiny-bert").path
        let file = try HuggingFaceConfig(contentsOf: directory + "/config.json")
        #expect(file.labels == ["neg", "neu", "pos"])
        let config = try #require(file.bert)
        let model = BertModel(layout: BertLayout(config: config, head: .sequence(outputs: file.labels.count)))
        let report = try model.loadWeights(from: SafeTensorsFile(contentsOf: directory + "/model.safetensors"))
        #expect(report.missing.isEmpty && report.unused.isEmpty)

        let golden = try SafeTensorsFile(contentsOf: golden)
        let ids = try golden.floats("input.ids"), types = try golden.floats("input.types")
        let lengths = try golden.floats("input.lengths").map { Int($0) }
        let labels = try golden.floats("input.labels").map { Int32($0) }
        let width = ids.count / lengths.count
        let batch = PackedBatch(sequenceCapacity: lengths.count, tokenCapacity: ids.count)
        for (b, n) in lengths.enumerated() {
            batch.append(
                ids: ids[(b * width)..<(b * width + n)].map { Int32($0) },
                typeIds: types[(b * width)..<(b * width + n)].map { Int32($0) }, sample: UInt64(b))
        }
        model.reserve(maxSequences: lengths.count, maxTokens: ids.count, maxLength: width)
        return (model, batch, labels, golden)
    }

    /// Forward, mean cross-entropy and backward, as `model(..., labels=labels).loss.backward()`.
    static func lossAndGradients(_ model: BertModel, _ batch: PackedBatch, _ labels: [Int32]) -> Double {
        model.forward(batch, dropout: DropoutKey(seed: 1, step: 0))  // dropout probabilities are 0 in this config
        let a = model.activations!
        let k = model.layout.head.labelCount
        let sum = labels.withUnsafeBufferPointer {
            CrossEntropy.forwardBackward(
                logits: a.logits, labels: $0.baseAddress!, rows: labels.count, classes: k,
                gradScale: 1 / Float(labels.count), logitsGrad: a.logitsGrad)
        }
        model.gradients.zero()
        model.backward(
            batch, dropout: DropoutKey(seed: 1, step: 0), trainable: .all(layers: model.config.numHiddenLayers))
        return sum / Double(labels.count)
    }

    static func isKeyBias(_ name: String) -> Bool { name.hasSuffix("attention.self.key.bias") }

    @Test func tinyModelLogitsLossAndEveryGradient() throws {
        let (model, batch, labels, golden) = try Self.tinyModelAndBatch()
        let loss = Self.lossAndGradients(model, batch, labels)
        let logits = Array(UnsafeBufferPointer(start: model.activations!.logits, count: 9))
        expectClose(logits, try golden.floats("logits"), absolute: 1e-7, relative: 1e-5, "logits")
        expectClose([Float(loss)], try golden.floats("loss"), absolute: 0, relative: 1e-5, "loss")
        var checked = 0
        for entry in model.layout.table.entries {
            let ours = Array(UnsafeBufferPointer(start: model.gradients.base + entry.offset, count: entry.count))
            let expected = try golden.floats("grad." + entry.name)
            if Self.isKeyBias(entry.name) {
                #expect(
                    ours.allSatisfy { abs($0) < 1e-7 } && expected.allSatisfy { abs($0) < 1e-7 },
                    "\(entry.name) gradient is not ~0")
            } else {
                let scale = expected.map(abs).max() ?? 0
                expectClose(ours, expected, absolute: 1e-5 * scale, relative: 1e-5, "grad \(entry.name)")
            }
            checked += 1
        }
        #expect(checked == 41)
    }

    @Test func fiveAdamWStepsWithWarmupDecayAndClipping() throws {
        let (model, batch, labels, golden) = try Self.tinyModelAndBatch()
        let optimizer = AdamW(parameterCount: model.parameters.count, weightDecay: 0.01)
        let schedule = LearningRateSchedule(kind: .linear, warmupSteps: 2, totalSteps: 5)
        let runs = model.layout.table.updateRuns(trainable: { _ in true })
        var losses: [Float] = [], norms: [Float] = []
        for step in 0..<5 {
            losses.append(Float(Self.lossAndGradients(model, batch, labels)))
            norms.append(Float(GradientClipping.clip(model.gradients, runs: runs, maxNorm: 0.5, pool: .serial)))
            optimizer.step(
                parameters: model.parameters, gradients: model.gradients, runs: runs,
                learningRate: Float(1e-3 * schedule.multiplier(step: step)), pool: .serial)
        }
        expectClose(losses, try golden.floats("loss.trajectory"), absolute: 0, relative: 1e-5, "loss trajectory")
        expectClose(norms, try golden.floats("gradnorm.trajectory"), absolute: 0, relative: 1e-5, "gradient norms")
        for entry in model.layout.table.entries where !Self.isKeyBias(entry.name) {
            let ours = Array(UnsafeBufferPointer(start: model.parameters.base + entry.offset, count: entry.count))
            expectClose(
                ours, try golden.floats("adamw5." + entry.name), absolute: 1e-6, relative: 1e-5,
                "after 5 steps \(entry.name)")
        }
    }

    @Test func miniLMEncoderMatchesTransformers() throws {
        let directory = try PretrainedModel.directory().path
        let config = try BertConfig(huggingFaceConfigAt: directory + "/config.json")
        let model = BertModel(layout: BertLayout(config: config, head: .none), pool: ThreadPool(threads: 2))
        let report = try model.loadWeights(from: SafeTensorsFile(contentsOf: directory + "/model.safetensors"))
        #expect(report.missing.isEmpty && report.unused.isEmpty && report.ignoredBuffers == ["embeddings.position_ids"])
        #expect(model.parameters.count == 22_713_216)

        let golden = try SafeTensorsFile(contentsOf: Fixtures.url("model/minilm-golden.safetensors").path)
        let pooled = try golden.floats("pooled")
        let sentences = pooled.count / config.hiddenSize
        #expect(sentences >= 20)
        model.reserve(maxSequences: 1, maxTokens: 128, maxLength: 128)
        for i in 0..<sentences {
            let ids = try golden.floats("ids.\(i)").map { Int32($0) }
            let batch = PackedBatch(sequenceCapacity: 1, tokenCapacity: ids.count)
            batch.append(ids: ids, sample: 0)
            model.forward(batch, dropout: nil)
            let a = model.activations!
            let hidden = Array(UnsafeBufferPointer(start: a.hidden.data, count: ids.count * config.hiddenSize))
            expectClose(
                hidden, try golden.floats("hidden.\(i)"), absolute: 1e-4, relative: 0, "sentence \(i) last hidden state"
            )
            let ourPooled = Array(UnsafeBufferPointer(start: a.pooled.data, count: config.hiddenSize))
            expectClose(
                ourPooled, Array(pooled[(i * config.hiddenSize)..<((i + 1) * config.hiddenSize)]),
                absolute: 1e-4, relative: 0, "sentence \(i) pooler output")
        }
    }
}

/// The token-classification head (no pooler; dropout and classifier on every token; loss
/// over labelled tokens only) against a tiny `BertForTokenClassification` from
/// `tools/make_model_fixtures.py`, to the same tolerances as the sequence head.
@Suite struct TokenHeadGoldenTests {
    @Test func tinyTokenClassifierLogitsLossAndEveryGradient() throws {
        let golden = try SafeTensorsFile(contentsOf: Fixtures.url("model/tiny-token-golden.safetensors").path)
        let config = BertConfig(
            vocabSize: 50, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 64,
            hiddenDropoutProb: 0, attentionProbsDropoutProb: 0, maxPositionEmbeddings: 16)
        let model = BertModel(layout: BertLayout(config: config, head: .token(outputs: 5)))
        #expect(model.layout.table.entries.allSatisfy { !$0.name.contains("pooler") })
        for entry in model.layout.table.entries {
            try golden.read(
                "param." + entry.name, shape: entry.shape,
                into: UnsafeMutableBufferPointer(start: model.parameters.base + entry.offset, count: entry.count))
        }
        let ids = try golden.floats("input.ids"), padded = try golden.floats("input.labels")
        let lengths = try golden.floats("input.lengths").map { Int($0) }
        let width = ids.count / lengths.count
        let batch = PackedBatch(sequenceCapacity: 3, tokenCapacity: ids.count)
        var labels: [Int32] = []
        for (b, n) in lengths.enumerated() {
            batch.append(ids: ids[(b * width)..<(b * width + n)].map { Int32($0) }, sample: UInt64(b))
            labels += padded[(b * width)..<(b * width + n)].map { Int32($0) }
        }
        model.reserve(maxSequences: 3, maxTokens: ids.count, maxLength: width)
        model.forward(batch, dropout: DropoutKey(seed: 1, step: 0))
        let a = model.activations!
        let scored = labels.filter { $0 >= 0 }.count
        let loss =
            labels.withUnsafeBufferPointer {
                CrossEntropy.forwardBackward(
                    logits: a.logits, labels: $0.baseAddress!, rows: batch.tokenCount, classes: 5,
                    gradScale: 1 / Float(scored), logitsGrad: a.logitsGrad)
            } / Double(scored)
        // The reference's logits are padded [3, T, 5]: compare the real tokens' rows.
        let reference = try golden.floats("logits")
        var expected: [Float] = []
        for (b, n) in lengths.enumerated() { expected += reference[(b * width * 5)..<((b * width + n) * 5)] }
        expectClose(
            Array(UnsafeBufferPointer(start: a.logits, count: batch.tokenCount * 5)), expected,
            absolute: 1e-6, relative: 1e-5, "token logits")
        expectClose([Float(loss)], try golden.floats("loss"), absolute: 0, relative: 1e-5, "token loss")
        model.gradients.zero()
        model.backward(batch, dropout: DropoutKey(seed: 1, step: 0), trainable: .all(layers: 2))
        for entry in model.layout.table.entries {
            let ours = Array(UnsafeBufferPointer(start: model.gradients.base + entry.offset, count: entry.count))
            let expected = try golden.floats("grad." + entry.name)
            if GoldenTests.isKeyBias(entry.name) {
                #expect(ours.allSatisfy { abs($0) < 1e-7 }, "\(entry.name) gradient is not ~0")
            } else {
                expectClose(
                    ours, expected, absolute: 1e-5 * (expected.map(abs).max() ?? 0), relative: 1e-5,
                    "grad \(entry.name)")
            }
        }
    }
}
