import Foundation
import TestSupport
import Testing

@testable import Model

/// Finite differences against the layers GPT-2 added — causal attention, the tanh GELU — and
/// the whole decoder with each head (the tied language-model head included), as
/// `GradientCheckTests` does for BERT's.
@Suite struct GPT2GradientCheckTests {
    @Test(arguments: [(Float(0), true), (0.3, true), (0, false)])
    func causalSelfAttention(dropout p: Float, scaled: Bool) {
        let heads = 2, c = 6
        let batch = PackedBatch(sequenceCapacity: 2, tokenCapacity: 8)
        batch.append(ids: [1, 2, 3, 4, 5], sample: 10)
        batch.append(ids: [1, 2, 3], sample: 11)
        let n = batch.tokenCount
        var random = TestRandom(seed: 14)
        let qkv = FloatSlab(random.array(n * 3 * c, scale: 1.5))
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: 3)
        defer { offsets.deallocate() }
        SelfAttention.layOutProbabilities(of: batch, heads: heads, offsets: offsets)
        let probabilities = FloatSlab(count: offsets[2]), context = FloatSlab(count: n * c)
        let scratch = FloatSlab(count: 2 * 5 * 5), r = random.array(n * c)
        let dropout =
            p > 0
            ? AttentionDropout(key: DropoutKey(seed: 3, step: 9), probability: p, layer: 1, positionStride: 16) : nil
        let qkvView = MatrixView(qkv.base, rows: n, cols: 3 * c)
        func forward() {
            SelfAttention.forward(
                qkv: qkvView, batch: batch, heads: heads, probabilities: probabilities.base,
                probabilityOffsets: offsets, context: MatrixView(context.base, rows: n, cols: c),
                dropout: dropout, causal: true, scaled: scaled, scratch: scratch.base, scratchStride: 5, pool: .serial)
        }
        func loss() -> Double {
            forward()
            return GradientCheckTests.dot(context.base, r)
        }
        _ = loss()
        let dContext = FloatSlab(r), dqkv = FloatSlab(count: n * 3 * c)
        SelfAttention.backward(
            contextGrad: MatrixView(dContext.base, rows: n, cols: c), qkv: qkvView, batch: batch, heads: heads,
            probabilities: probabilities.base, probabilityOffsets: offsets,
            qkvGrad: MatrixView(dqkv.base, rows: n, cols: 3 * c), dropout: dropout, scaled: scaled,
            scratch: scratch.base, scratchStride: 5, pool: .serial)
        GradientCheckTests.check(
            "causal attention dqkv (dropout \(p), scaled \(scaled))", values: qkv.base, count: qkv.count,
            analytic: dqkv.array, step: 1e-3, loss: loss)

        // Causality: the last token's key and value change no earlier position's context.
        forward()
        let before = context.array
        for j in 0..<(3 * c) { qkv.base[4 * 3 * c + j] += 1 }
        forward()
        let after = context.array
        #expect(Array(before[0..<(4 * c)]) == Array(after[0..<(4 * c)]), "earlier positions see a later token")
        #expect(Array(before[(4 * c)..<(5 * c)]) != Array(after[(4 * c)..<(5 * c)]))
        #expect(Array(before[(5 * c)...]) == Array(after[(5 * c)...]), "another sequence sees this one")
    }

    @Test func biasGELUTanhForm() {
        let n = 3, f = 7
        var random = TestRandom(seed: 13)
        let bias = FloatSlab(random.array(f)), r = random.array(n * f)
        let x = FloatSlab(random.array(n * f, scale: 3)), h = FloatSlab(count: n * f), y = FloatSlab(count: n * f)
        func loss() -> Double {
            h.base.update(from: x.base, count: n * f)
            BiasGELU.forward(
                preActivation: MatrixView(h.base, rows: n, cols: f), bias: bias.base,
                output: MatrixView(y.base, rows: n, cols: f), form: .tanh, pool: .serial)
            return GradientCheckTests.dot(y.base, r)
        }
        _ = loss()
        let d = FloatSlab(r), db = FloatSlab(count: f)
        BiasGELU.backward(
            outputGrad: MatrixView(d.base, rows: n, cols: f), preActivation: MatrixView(h.base, rows: n, cols: f),
            output: MatrixView(y.base, rows: n, cols: f), preActivationGrad: MatrixView(d.base, rows: n, cols: f),
            biasGrad: db.base, form: .tanh, pool: .serial)
        GradientCheckTests.check(
            "gelu_new dh", values: x.base, count: x.count, analytic: d.array, step: 1e-3, loss: loss)
        GradientCheckTests.check("gelu_new db", values: bias.base, count: f, analytic: db.array, step: 1e-3, loss: loss)
    }

    /// The tanh GELU and its derivative against the float64 formula over a dense grid.
    @Test func geluTanhMatchesDoubleReference() {
        let xs = (0...40_000).map { Float(-20 + 40 * Double($0) / 40_000) } + [0, -0.0, 1e-20, -1e-20, 60, -60]
        var y = [Float](repeating: 0, count: xs.count), dx = [Float](repeating: 0, count: xs.count)
        FastMath.geluTanh(xs, into: &y, count: xs.count)
        FastMath.geluTanhBackward(xs, outputGrad: [Float](repeating: 1, count: xs.count), into: &dx, count: xs.count)
        var worstValue = 0.0, worstDerivative = 0.0
        for (i, xf) in xs.enumerated() {
            // ½(1 + tanh u) = σ(2u), in the form without cancellation for negative u.
            let x = Double(xf), k = (2 / Double.pi).squareRoot()
            let e = Foundation.exp(-2 * k * (x + 0.044715 * x * x * x))
            let sigma = 1 / (1 + e), slope = 2 * k * (1 + 3 * 0.044715 * x * x)
            let value = x * sigma
            let pdfTerm = x * sigma * (e / (1 + e)) * slope
            let derivative = sigma + pdfTerm
            // In units of the bound 2e-7·(8 + |2u|) relative — the |2u| term is float's own
            // conditioning of e^{−2u}, as x² is for the exact form — with 1e-30 absolute for the
            // underflowing tail; the derivative against the magnitude of its two terms (it
            // crosses zero near x = −0.75).
            let bound = 2e-7 * (8 + abs(Foundation.log(e)))
            worstValue = max(
                worstValue, max(0, abs(Double(y[i]) - value) - 1e-30) / (abs(value) + 1e-300) / bound)
            let scale = (abs(sigma) + abs(pdfTerm) + 1e-30) * bound
            worstDerivative = max(worstDerivative, abs(Double(dx[i]) - derivative) / (scale + 1e-300))
        }
        #expect(worstValue < 1, "worst error of gelu_new in units of its bound: \(worstValue)")
        #expect(worstDerivative < 1, "worst error of its derivative in units of its bound: \(worstDerivative)")
    }

    /// The whole decoder with dropout on at every site (its masks are a function of the key),
    /// checked on a sample of every parameter tensor; the tied head's wte gets both uses.
    @Test(arguments: [TaskHead.languageModel, .sequence(outputs: 3), .token(outputs: 4)])
    func wholeModel(head: TaskHead) {
        let config = GPT2Config(
            vocabSize: 11, nEmbd: 8, nLayer: 2, nHead: 2, nPositions: 8, nInner: 12, residPdrop: 0.2,
            embdPdrop: 0.2, attnPdrop: 0.2, classifierDropout: 0.2, bosTokenId: 10, eosTokenId: 10)
        let model = GPT2Model(layout: GPT2Layout(config: config, head: head))
        var random = TestRandom(seed: 18)
        random.fill(model.parameters.base, count: model.parameters.count, scale: 0.5)
        let batch = PackedBatch(sequenceCapacity: 2, tokenCapacity: 12)
        batch.append(ids: [1, 5, 7, 2], sample: 3)
        batch.append(ids: [1, 9, 2, 4, 4, 2], sample: 8)
        model.reserve(maxSequences: 2, maxTokens: 12, maxLength: 8)
        let key = DropoutKey(seed: 77, step: 5)
        let labels: [Int32] =
            switch head {
            case .sequence: [2, 0]
            case .token: [0, 3, 1, -100, 2, 1, 0, 3, 1, 2]
            default: GPT2Fixture.nextTokenLabels(batch)
            }
        func loss() -> Double {
            model.forward(batch, dropout: key)
            let logits = model.logits
            return labels.withUnsafeBufferPointer {
                CrossEntropy.forwardBackward(
                    logits: logits.values, labels: $0.baseAddress!, rows: labels.count, classes: logits.outputs,
                    gradScale: 1, logitsGrad: logits.gradient)
            }
        }
        _ = loss()
        model.gradients.zero()
        model.backward(batch, dropout: key, trainable: .all(layers: 2))
        for entry in model.layout.table.entries {
            let stride = max(1, entry.count / 12)
            let indices = Swift.stride(from: 0, to: entry.count, by: stride).map { entry.offset + $0 }
            let (analytic, numeric) = centralDifferences(
                parameters: model.parameters, gradients: model.gradients, at: indices, loss: loss)
            expectClose(analytic, numeric, absolute: 2e-3, relative: 3e-2, "\(head) \(entry.name)")
        }
    }
}
