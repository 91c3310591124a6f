import TestSupport
import Testing
@testable import Model

/// Central finite differences against every layer's hand-written backward pass, on tiny
/// shapes. Each check contracts the layer's output with fixed random weights `r`
/// (`L = Σ r ⊙ y`), so one scalar exercises every output element.
@Suite struct GradientCheckTests {
    /// Compares `analytic[i]` with `(L(x + h·eᵢ) − L(x − h·eᵢ)) / 2h` for every element of
    /// `values` (perturbed in place and restored). Float32 forward passes limit the accuracy:
    /// h = 1e-2 and a tolerance of 1e-2 absolute + 2 % relative.
    static func check(
        _ name: String, values: UnsafeMutablePointer<Float>, count: Int, analytic: [Float],
        step h: Float = 1e-2, absolute: Float = 1e-2, relative: Float = 2e-2,
        loss: () -> Double, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var numeric = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let saved = values[i]
            values[i] = saved + h
            let up = loss()
            values[i] = saved - h
            let down = loss()
            values[i] = saved
            numeric[i] = Float((up - down) / Double(2 * h))
        }
        expectClose(analytic, numeric, absolute: absolute, relative: relative, name, sourceLocation: sourceLocation)
    }

    static func dot(_ a: UnsafePointer<Float>, _ b: [Float]) -> Double {
        var sum = 0.0
        for i in 0..<b.count { sum += Double(a[i]) * Double(b[i]) }
        return sum
    }

    @Test func linear() {
        let n = 5, fanIn = 4, fanOut = 3
        var random = TestRandom(seed: 1)
        let x = FloatSlab(random.array(n * fanIn)), w = FloatSlab(random.array(fanOut * fanIn)),
            b = FloatSlab(random.array(fanOut))
        let y = FloatSlab(count: n * fanOut), r = random.array(n * fanOut)
        let xv = MatrixView(x.base, rows: n, cols: fanIn), yv = MatrixView(y.base, rows: n, cols: fanOut)
        func loss() -> Double {
            Linear.forward(input: xv, weight: w.base, bias: b.base, output: yv, pool: .serial)
            return Self.dot(y.base, r)
        }
        let dy = FloatSlab(r), dx = FloatSlab(count: n * fanIn), dw = FloatSlab(count: fanOut * fanIn),
            db = FloatSlab(count: fanOut)
        Linear.backward(
            outputGrad: MatrixView(dy.base, rows: n, cols: fanOut), input: xv, weight: w.base,
            inputGrad: MatrixView(dx.base, rows: n, cols: fanIn), weightGrad: dw.base, biasGrad: db.base, pool: .serial)
        Self.check("linear dx", values: x.base, count: x.count, analytic: dx.array, loss: loss)
        Self.check("linear dW", values: w.base, count: w.count, analytic: dw.array, loss: loss)
        Self.check("linear db", values: b.base, count: b.count, analytic: db.array, loss: loss)
    }

    @Test func layerNorm() {
        let n = 4, c = 6
        var random = TestRandom(seed: 2)
        let x = FloatSlab(random.array(n * c, scale: 2)), gamma = FloatSlab(random.array(c)),
            beta = FloatSlab(random.array(c))
        let y = FloatSlab(count: n * c), mean = FloatSlab(count: n), rstd = FloatSlab(count: n), r = random.array(n * c)
        let xv = MatrixView(x.base, rows: n, cols: c)
        func loss() -> Double {
            LayerNorm.forward(
                input: xv, weight: gamma.base, bias: beta.base, epsilon: 1e-5,
                output: MatrixView(y.base, rows: n, cols: c), mean: mean.base, rstd: rstd.base, pool: .serial)
            return Self.dot(y.base, r)
        }
        _ = loss()
        let d = FloatSlab(r), dg = FloatSlab(count: c), db = FloatSlab(count: c)
        LayerNorm.backward(
            outputGrad: MatrixView(d.base, rows: n, cols: c), input: xv, weight: gamma.base,
            mean: mean.base, rstd: rstd.base, inputGrad: MatrixView(d.base, rows: n, cols: c),
            weightGrad: dg.base, biasGrad: db.base, pool: .serial)
        Self.check("layer norm dx", values: x.base, count: x.count, analytic: d.array, loss: loss)
        Self.check("layer norm dγ", values: gamma.base, count: c, analytic: dg.array, loss: loss)
        Self.check("layer norm dβ", values: beta.base, count: c, analytic: db.array, loss: loss)
    }

    @Test func biasGELU() {
        let n = 3, f = 7
        var random = TestRandom(seed: 3)
        let h0 = random.array(n * f, scale: 3)
        let bias = FloatSlab(random.array(f)), r = random.array(n * f)
        let x = FloatSlab(h0), h = FloatSlab(count: n * f), y = FloatSlab(count: n * f)
        func loss() -> Double {
            h.base.update(from: x.base, count: n * f)
            BiasGELU.forward(
                preActivation: MatrixView(h.base, rows: n, cols: f), bias: bias.base,
                output: MatrixView(y.base, rows: n, cols: f), pool: .serial)
            return Self.dot(y.base, r)
        }
        _ = loss()
        let d = FloatSlab(r), db = FloatSlab(count: f)
        BiasGELU.backward(
            outputGrad: MatrixView(d.base, rows: n, cols: f), preActivation: MatrixView(h.base, rows: n, cols: f),
            output: MatrixView(y.base, rows: n, cols: f), preActivationGrad: MatrixView(d.base, rows: n, cols: f),
            biasGrad: db.base, pool: .serial)
        Self.check("gelu dh", values: x.base, count: x.count, analytic: d.array, step: 1e-3, loss: loss)
        Self.check("gelu db", values: bias.base, count: f, analytic: db.array, step: 1e-3, loss: loss)
    }

    @Test(arguments: [Float(0), 0.3])
    func selfAttention(dropout p: Float) {
        let heads = 2, c = 6
        let batch = PackedBatch(sequenceCapacity: 2, tokenCapacity: 8)
        batch.append(ids: [1, 2, 3, 4, 5], sample: 10)
        batch.append(ids: [1, 2, 3], sample: 11)
        let n = batch.tokenCount
        var random = TestRandom(seed: 4)
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
        func loss() -> Double {
            SelfAttention.forward(
                qkv: qkvView, batch: batch, heads: heads, probabilities: probabilities.base,
                probabilityOffsets: offsets, context: MatrixView(context.base, rows: n, cols: c),
                dropout: dropout, scratch: scratch.base, scratchStride: 5, pool: .serial)
            return Self.dot(context.base, r)
        }
        _ = loss()
        let dContext = FloatSlab(r), dqkv = FloatSlab(count: n * 3 * c)
        SelfAttention.backward(
            contextGrad: MatrixView(dContext.base, rows: n, cols: c), qkv: qkvView, batch: batch, heads: heads,
            probabilities: probabilities.base, probabilityOffsets: offsets,
            qkvGrad: MatrixView(dqkv.base, rows: n, cols: 3 * c), dropout: dropout,
            scratch: scratch.base, scratchStride: 5, pool: .serial)
        Self.check(
            "attention dqkv (dropout \(p))", values: qkv.base, count: qkv.count, analytic: dqkv.array, step: 1e-3,
            loss: loss)
    }

    @Test func crossEntropyWithLabelSmoothing() {
        let rows = 4, k = 3
        var random = TestRandom(seed: 6)
        let logits = FloatSlab(random.array(rows * k, scale: 2))
        let labels: [Int32] = [0, 2, -100, 1]
        let grad = FloatSlab(count: rows * k)
        func loss() -> Double {
            let scratch = FloatSlab(count: rows * k)
            return labels.withUnsafeBufferPointer {
                CrossEntropy.forwardBackward(
                    logits: logits.base, labels: $0.baseAddress!, rows: rows, classes: k,
                    labelSmoothing: 0.1, gradScale: 1, logitsGrad: scratch.base)
            }
        }
        _ = labels.withUnsafeBufferPointer {
            CrossEntropy.forwardBackward(
                logits: logits.base, labels: $0.baseAddress!, rows: rows, classes: k,
                labelSmoothing: 0.1, gradScale: 1, logitsGrad: grad.base)
        }
        Self.check(
            "cross entropy", values: logits.base, count: logits.count, analytic: grad.array, step: 1e-3,
            absolute: 1e-3, relative: 1e-2, loss: loss)
        #expect(grad.array[6..<9].allSatisfy { $0 == 0 }, "ignored row has gradient")
    }

    /// The whole model — embeddings, every layer, pooler, classifier, with dropout on (its
    /// masks are a function of the key, so the loss is deterministic) — on a tiny random
    /// configuration, checked on a sample of every parameter tensor.
    @Test(arguments: [TaskHead.sequence(outputs: 3), .token(outputs: 4)])
    func wholeModel(head: TaskHead) {
        let config = BertConfig(
            vocabSize: 20, hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 2,
            intermediateSize: 12, hiddenDropoutProb: 0.2, attentionProbsDropoutProb: 0.2,
            maxPositionEmbeddings: 8, typeVocabSize: 2)
        let model = BertModel(layout: BertLayout(config: config, head: head))
        var random = TestRandom(seed: 8)
        random.fill(model.parameters.base, count: model.parameters.count, scale: 0.5)
        let batch = PackedBatch(sequenceCapacity: 2, tokenCapacity: 12)
        batch.append(ids: [1, 5, 7, 2], typeIds: [0, 0, 1, 1], sample: 3)
        batch.append(ids: [1, 9, 2, 4, 4, 2], typeIds: [0, 0, 0, 1, 1, 1], sample: 8)
        model.reserve(maxSequences: 2, maxTokens: 12, maxLength: 8)
        let key = DropoutKey(seed: 77, step: 5)
        let labels: [Int32] = head == .sequence(outputs: 3) ? [2, 0] : [0, 3, 1, -100, 2, 1, 0, 3, 1, 2]
        let rows = labels.count, k = head.labelCount
        func loss(gradient: Bool) -> Double {
            model.forward(batch, dropout: key)
            let a = model.activations!
            return labels.withUnsafeBufferPointer {
                CrossEntropy.forwardBackward(
                    logits: a.logits, labels: $0.baseAddress!, rows: rows, classes: k,
                    gradScale: 1, logitsGrad: a.logitsGrad)
            }
        }
        _ = loss(gradient: true)
        model.gradients.zero()
        model.backward(batch, dropout: key, trainable: .all(layers: 2))
        for entry in model.layout.table.entries {
            // Up to 12 elements per tensor, spread over it.
            let stride = max(1, entry.count / 12)
            let indices = Swift.stride(from: 0, to: entry.count, by: stride).map { entry.offset + $0 }
            let (analytic, numeric) = centralDifferences(
                parameters: model.parameters, gradients: model.gradients, at: indices
            ) { loss(gradient: false) }
            expectClose(analytic, numeric, absolute: 2e-3, relative: 3e-2, "\(head) \(entry.name)")
        }
    }
}
