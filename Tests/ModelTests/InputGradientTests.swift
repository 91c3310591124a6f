import TestSupport
import Testing

@testable import Model

/// `backwardToWordEmbeddings` (the input gradient integrated gradients needs) against central
/// finite differences in the word-embedding rows given to `forward` through
/// `wordEmbeddingOverride`, with f = Σ r ⊙ logits for fixed random r.
@Suite struct InputGradientTests {
    static func check(_ model: any TrainableModel, _ batch: PackedBatch, _ name: String) {
        let n = batch.tokenCount, table = model.wordEmbeddings, c = table.cols
        let rows = FloatSlab(count: n * c)
        for t in 0..<n { (rows.base + t * c).update(from: table.row(Int(batch.tokenIds[t])), count: c) }
        let count = (model.head.isPerToken ? n : batch.sequenceCount) * model.logits.outputs
        model.forward(batch, dropout: nil)
        let lookup = Array(UnsafeBufferPointer(start: model.logits.values, count: count))

        model.wordEmbeddingOverride = UnsafePointer(rows.base)
        defer { model.wordEmbeddingOverride = nil }
        var random = TestRandom(seed: 5)
        let r = random.array(count)
        func f() -> Double {
            model.forward(batch, dropout: nil)
            return GradientCheckTests.dot(model.logits.values, r)
        }
        _ = f()
        // The override holding the lookup's rows changes nothing.
        #expect(Array(UnsafeBufferPointer(start: model.logits.values, count: count)) == lookup, "\(name) logits")
        model.logits.gradient.update(from: r, count: count)
        let analytic = FloatSlab(count: n * c)
        model.backwardToWordEmbeddings(batch, inputGradient: MatrixView(analytic.base, rows: n, cols: c))
        GradientCheckTests.check(name, values: rows.base, count: n * c, analytic: analytic.array, loss: f)
    }

    @Test func bertSequenceHead() throws {
        let (model, batch, _, _) = try GoldenTests.tinyModelAndBatch()
        Self.check(model, batch, "BERT sequence head ∂f/∂word rows")
    }

    @Test func gpt2TokenHead() throws {
        let (model, _) = try GPT2Fixture.model("tiny-gpt2", head: .token(outputs: 3))
        var random = TestRandom(seed: 9)
        random.fill(model.weights.classifierWeight!, count: 3 * model.config.nEmbd, scale: 0.5)
        random.fill(model.weights.classifierBias!, count: 3)
        let batch = PackedBatch(sequenceCapacity: 2, tokenCapacity: 12)
        batch.append(ids: [5, 17, 3, 9, 30], sample: 0)
        batch.append(ids: [2, 8, 11, 4], sample: 1)
        Self.check(model, batch, "GPT-2 token head ∂f/∂word rows")
    }
}
