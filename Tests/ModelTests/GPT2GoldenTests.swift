import Foundation
import TestSupport
import Testing

@testable import Model

/// GPT-2 against PyTorch + transformers, with values from `tools/make_gpt2_fixtures.py`:
/// a tiny random `GPT2LMHeadModel` (2 layers, n_embd 32, 4 heads, vocab 101, tied
/// embeddings) on a packed batch of three sequences (7, 5 and 9 tokens).
///
/// Tolerances: logits and loss to 1e-5 relative; every gradient to 1e-5 relative plus 1e-5 ×
/// the tensor's largest magnitude; parameters after 5 AdamW steps to 1e-5 relative plus 1e-6
/// absolute. The key part of `c_attn.bias` has an exactly-zero true gradient (a constant
/// added to a softmax row's scores changes nothing), so both sides hold rounding noise far
/// below the tensor's scale there, which the absolute term admits.
@Suite struct GPT2GoldenTests {
    static func tiny(head: TaskHead = .languageModel) throws -> (GPT2Model, PackedBatch, SafeTensorsFile) {
        let (model, report) = try GPT2Fixture.model("tiny-gpt2", head: head)
        #expect(report.unused.isEmpty && report.ignoredBuffers.isEmpty)
        #expect(report.missing == (head == .languageModel ? [] : ["score.weight"]))
        let golden = try GPT2Fixture.file("tiny-golden.safetensors")
        return (model, try GPT2Fixture.batch(golden).0, golden)
    }

    @Test func logitsLossAndEveryGradientWithTheTiedEmbedding() throws {
        let (model, batch, golden) = try Self.tiny()
        let loss = GPT2Fixture.causalLoss(model, batch)
        let (_, lengths, width) = try GPT2Fixture.batch(golden)
        let v = model.config.vocabSize
        expectClose(
            Array(UnsafeBufferPointer(start: model.logits.values, count: batch.tokenCount * v)),
            GPT2Fixture.unpadded(try golden.floats("logits"), lengths: lengths, width: width, classes: v),
            absolute: 1e-6, relative: 1e-5, "logits")
        expectClose([Float(loss)], try golden.floats("loss"), absolute: 0, relative: 1e-5, "loss")
        for entry in model.layout.table.entries {
            GPT2Fixture.expectGradient(
                GPT2Fixture.huggingFaceValues(entry, in: model.gradients), try golden.floats("grad." + entry.name),
                "grad \(entry.name)")
        }
        #expect(model.layout.table.entries.count == 2 + 2 * 12 + 2)
        #expect(model.layout.table["lm_head.weight"] == nil, "tied: wte is the head")
    }

    @Test func fiveAdamWStepsWithWarmupDecayAndClipping() throws {
        let (model, batch, golden) = try Self.tiny()
        let table = model.layout.table
        // The HF Trainer's groups: no decay on biases and on ln_1, ln_2, ln_f weights.
        #expect(table.entries.filter { !$0.decays }.count == 2 * 8 + 2)
        #expect(table["transformer.wte.weight"]!.decays && !table["transformer.h.1.ln_2.weight"]!.decays)
        let optimizer = AdamW(parameterCount: model.parameters.count, weightDecay: 0.01)
        let schedule = LearningRateSchedule(kind: .linear, warmupSteps: 2, totalSteps: 5)
        let runs = table.updateRuns(trainable: { _ in true })
        var losses: [Float] = [], norms: [Float] = []
        for step in 0..<5 {
            losses.append(Float(GPT2Fixture.causalLoss(model, batch)))
            norms.append(Float(GradientClipping.clip(model.gradients, runs: runs, maxNorm: 0.5, pool: .serial)))
            optimizer.step(
                parameters: model.parameters, gradients: model.gradients, runs: runs,
                learningRate: Float(1e-3 * schedule.multiplier(step: step)), pool: .serial)
        }
        expectClose(losses, try golden.floats("loss.trajectory"), absolute: 0, relative: 1e-5, "loss trajectory")
        expectClose(norms, try golden.floats("gradnorm.trajectory"), absolute: 0, relative: 1e-5, "gradient norms")
        let kept = golden.names.filter { $0.hasPrefix("adamw5.") }
        #expect(kept.count == 5)
        for key in kept {
            let entry = try #require(table[String(key.dropFirst("adamw5.".count))])
            expectClose(
                GPT2Fixture.huggingFaceValues(entry, in: model.parameters), try golden.floats(key),
                absolute: 1e-6, relative: 1e-5, "after 5 steps \(entry.name)")
        }
    }

    /// `GPT2ForSequenceClassification`: `score` (no bias) at each sequence's last token.
    @Test func sequenceClassificationHead() throws {
        let (model, batch, golden) = try Self.tiny(head: .sequence(outputs: 3))
        let score = try #require(model.layout.table["score.weight"])
        try golden.read(
            "seq.param.score.weight", shape: score.shape,
            into: UnsafeMutableBufferPointer(start: model.parameters.base + score.offset, count: score.count))
        model.forward(batch, dropout: nil)
        let labels = try golden.floats("seq.labels").map { Int32($0) }
        let logits = model.logits
        let loss =
            labels.withUnsafeBufferPointer {
                CrossEntropy.forwardBackward(
                    logits: logits.values, labels: $0.baseAddress!, rows: 3, classes: 3, gradScale: 1 / 3,
                    logitsGrad: logits.gradient)
            } / 3
        expectClose(
            Array(UnsafeBufferPointer(start: logits.values, count: 9)), try golden.floats("seq.logits"),
            absolute: 1e-6, relative: 1e-5, "sequence logits")
        expectClose([Float(loss)], try golden.floats("seq.loss"), absolute: 0, relative: 1e-5, "sequence loss")
        model.gradients.zero()
        model.backward(batch, dropout: nil, trainable: .all(layers: 2))
        for key in golden.names where key.hasPrefix("seq.grad.") {
            let entry = try #require(model.layout.table[String(key.dropFirst("seq.grad.".count))])
            GPT2Fixture.expectGradient(
                GPT2Fixture.huggingFaceValues(entry, in: model.gradients), try golden.floats(key),
                "seq grad \(entry.name)")
        }
    }

    /// A bare `GPT2Model` save (keys without `transformer.`, exact `gelu`): its last hidden state.
    @Test func bareModelWithoutPrefix() throws {
        let (model, report) = try GPT2Fixture.model("tiny-bare", head: .none)
        #expect(report == WeightLoadReport())
        #expect(model.layout.table.entries.first?.name == "wte.weight")
        let golden = try GPT2Fixture.file("tiny-bare-golden.safetensors")
        let batch = PackedBatch(sequenceCapacity: 1, tokenCapacity: 16)
        batch.append(ids: try golden.floats("input.ids").map { Int32($0) }, sample: 0)
        model.forward(batch, dropout: nil)
        let hidden = model.activations!.hidden
        expectClose(
            Array(UnsafeBufferPointer(start: hidden.data, count: batch.tokenCount * hidden.cols)),
            try golden.floats("hidden"), absolute: 1e-6, relative: 1e-5, "last hidden state")
    }

    /// `tie_word_embeddings: false`: a separate `lm_head.weight`, and wte's gradient from the
    /// lookup alone.
    @Test func untiedLanguageModelHead() throws {
        let (model, report) = try GPT2Fixture.model("tiny-untied", head: .languageModel)
        #expect(report == WeightLoadReport())
        #expect(model.layout.table["lm_head.weight"] != nil)
        let golden = try GPT2Fixture.file("tiny-untied-golden.safetensors")
        let batch = PackedBatch(sequenceCapacity: 1, tokenCapacity: 16)
        batch.append(ids: try golden.floats("input.ids").map { Int32($0) }, sample: 0)
        let loss = GPT2Fixture.causalLoss(model, batch)
        expectClose(
            Array(UnsafeBufferPointer(start: model.logits.values, count: batch.tokenCount * 50)),
            try golden.floats("logits"), absolute: 1e-6, relative: 1e-5, "logits")
        expectClose([Float(loss)], try golden.floats("loss"), absolute: 0, relative: 1e-5, "loss")
        for name in ["lm_head.weight", "transformer.wte.weight"] {
            let entry = try #require(model.layout.table[name])
            GPT2Fixture.expectGradient(
                GPT2Fixture.huggingFaceValues(entry, in: model.gradients), try golden.floats("grad." + name),
                "grad \(name)")
        }
    }
}
