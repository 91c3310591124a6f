import Foundation
import Testing
@testable import Training

/// `GradCache` against the plain step on a small differentiable stand-in for the encoder,
/// `e = tanh(W x)` per text (W `[dim, inputs]`), where both can be computed: the same loss and
/// the same parameter gradient for any chunk size.
@Suite struct GradCacheTests {
    /// The stand-in model: deterministic inputs x `[columns, n, inputs]` and weights W.
    struct StandIn {
        let columns: Int, examples: Int, inputs: Int, dim: Int
        let x: [Float]
        let weights: [Float]

        init(columns: Int, examples: Int, inputs: Int = 5, dim: Int = 6) {
            self.columns = columns
            self.examples = examples
            self.inputs = inputs
            self.dim = dim
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            func next() -> Float {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(Int64(bitPattern: state >> 11) % 2_001 - 1_000) / 1_000
            }
            x = (0..<(columns * examples * inputs)).map { _ in next() }
            weights = (0..<(dim * inputs)).map { _ in next() }
        }

        /// Embeds examples `range` (all columns) into `out` `[columns, range.count, dim]`.
        func embed(_ range: Range<Int>, into out: EmbeddingColumns) {
            for c in 0..<columns {
                for (k, i) in range.enumerated() {
                    let input = (c * examples + i) * inputs
                    for d in 0..<dim {
                        var sum: Float = 0
                        for j in 0..<inputs { sum += weights[d * inputs + j] * x[input + j] }
                        out.row(c, k)[d] = tanh(sum)
                    }
                }
            }
        }

        /// Adds `∂L/∂W` given `∂L/∂e` of examples `range` (re-running their forward).
        func backward(_ range: Range<Int>, _ upstream: EmbeddingColumns, into grad: inout [Float]) {
            var e = [Float](repeating: 0, count: columns * range.count * dim)
            e.withUnsafeMutableBufferPointer {
                embed(range, into: EmbeddingColumns($0.baseAddress!, columns: columns, rows: range.count, dim: dim))
            }
            for c in 0..<columns {
                for (k, i) in range.enumerated() {
                    let input = (c * examples + i) * inputs
                    for d in 0..<dim {
                        let y = e[(c * range.count + k) * dim + d]
                        let pre = upstream.row(c, k)[d] * (1 - y * y)
                        for j in 0..<inputs { grad[d * inputs + j] += pre * x[input + j] }
                    }
                }
            }
        }
    }

    /// The loss and ∂L/∂W, plain (`chunk` nil: everything embedded at once) or through GradCache.
    static func run(_ model: StandIn, _ loss: any EmbeddingLoss, scores: [Float]?, chunk: Int?) throws -> (
        Double, [Float], Int, [Bool]
    ) {
        var grad = [Float](repeating: 0, count: model.weights.count)
        var backwardRows = 0
        var reruns: [Bool] = []
        var lastEmbedded: Range<Int>? = nil
        let lossClosure = { (e: EmbeddingColumns, g: EmbeddingColumns) throws -> Double in
            try (scores ?? []).withUnsafeBufferPointer { s in
                try loss.lossAndGradient(
                    e, scores: scores == nil ? nil : s.baseAddress, scored: 0..<e.rows,
                    gradScale: loss.reduction.gradScale(examples: e.rows), gradient: g)
                    * Double(loss.reduction.gradScale(examples: e.rows))
            }
        }
        guard let chunk else {
            let count = model.columns * model.examples * model.dim
            var e = [Float](repeating: 0, count: count), g = [Float](repeating: 0, count: count)
            let value = try e.withUnsafeMutableBufferPointer { eb in
                try g.withUnsafeMutableBufferPointer { gb in
                    let all = EmbeddingColumns(
                        eb.baseAddress!, columns: model.columns, rows: model.examples, dim: model.dim)
                    let allGrad = EmbeddingColumns(
                        gb.baseAddress!, columns: model.columns, rows: model.examples, dim: model.dim)
                    model.embed(0..<model.examples, into: all)
                    let value = try lossClosure(all, allGrad)
                    model.backward(0..<model.examples, allGrad, into: &grad)
                    return value
                }
            }
            return (value, grad, model.examples, [])
        }
        let cache = try GradCache(chunkSize: chunk)
        let value = try cache.step(
            examples: model.examples, columns: model.columns, dim: model.dim,
            embed: { range, out in
                lastEmbedded = range
                model.embed(range, into: out)
            },
            loss: lossClosure,
            backward: { range, upstream, rerun in
                backwardRows += range.count
                reruns.append(rerun)
                // Only the chunk whose activations are the model's last forward may skip the re-run.
                #expect(
                    rerun || range == lastEmbedded,
                    "chunk \(range) not re-run after \(String(describing: lastEmbedded))")
                lastEmbedded = range
                // The stand-in keeps no activations: it always recomputes them.
                model.backward(range, upstream, into: &grad)
            })
        return (value, grad, backwardRows, reruns)
    }

    @Test(arguments: [1, 3, 4, 11, 64])
    func cachedEqualsPlain(chunk: Int) throws {
        let cases: [(any EmbeddingLoss, Int, [Float]?)] = [
            (MultipleNegativesRankingLoss(), 2, nil),
            (MultipleNegativesRankingLoss(), 3, nil),
            (MultipleNegativesRankingLoss(scale: 20, symmetric: true), 2, nil),
            (CosineSimilarityLoss(), 2, (0..<11).map { Float($0) / 10 }),
            (OnlineContrastiveLoss(), 2, (0..<11).map { Float($0 % 2) }),
        ]
        for (loss, columns, scores) in cases {
            let model = StandIn(columns: columns, examples: 11)
            let (plain, plainGrad, _, _) = try Self.run(model, loss, scores: scores, chunk: nil)
            let (cached, cachedGrad, rows, reruns) = try Self.run(model, loss, scores: scores, chunk: chunk)
            // Every chunk but the last embedded (taken first) is re-run.
            let chunks = (11 + chunk - 1) / chunk
            #expect(reruns == [false] + Array(repeating: true, count: chunks - 1), "\(loss.name): reruns \(reruns)")
            // The embeddings are computed row by row, so the cached ones are bitwise the plain ones.
            #expect(cached == plain, "\(loss.name), chunk \(chunk): loss \(cached) vs \(plain)")
            #expect(rows == 11, "\(loss.name), chunk \(chunk): backward saw \(rows) rows")
            let largest = plainGrad.map(abs).max() ?? 0
            let worst = zip(plainGrad, cachedGrad).map { abs($0 - $1) }.max() ?? .infinity
            #expect(largest > 1e-4 && worst <= 1e-5 * largest, "\(loss.name), chunk \(chunk): ∂L/∂W off by \(worst)")
        }
    }

    @Test func rejectsAnEmptyChunk() {
        #expect(throws: EmbeddingLossError.self) { try GradCache(chunkSize: 0) }
    }
}
