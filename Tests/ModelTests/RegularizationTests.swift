import Testing
@testable import Model

/// `Regularization.addGradients` against the penalties' gradients written out element by
/// element: L1 → λ·sign(w) on decayed runs, L2-SP → α·(w − w₀) on every run but the head's.
@Suite struct RegularizationTests {
    /// 200,000 parameters with gaps between the runs (frozen elements), runs of every kind,
    /// long enough to be split among the pool's threads.
    static let runs = [
        UpdateRun(range: 0..<70_000, decays: true, learningRateScale: 1, group: .embeddings),
        UpdateRun(range: 70_000..<70_500, decays: false, learningRateScale: 1, group: .embeddings),
        UpdateRun(range: 80_000..<150_000, decays: true, learningRateScale: 1, group: .layer(0)),
        UpdateRun(range: 150_000..<150_100, decays: false, learningRateScale: 1, group: .layer(0)),
        UpdateRun(range: 160_000..<190_000, decays: true, learningRateScale: 1, group: .head),
        UpdateRun(range: 190_000..<190_010, decays: false, learningRateScale: 1, group: .head),
    ]
    static let count = 200_000

    static func slab(_ seed: Int, _ value: (Int) -> Float) -> FloatSlab {
        let slab = FloatSlab(count: count)
        for i in 0..<count { slab.base[i] = value(i &* 2_654_435_761 &+ seed) }
        return slab
    }

    /// Parameters in [−1, 1) with exact zeros every 97th element (sign(0) = 0).
    static func parameters() -> FloatSlab {
        let p = slab(7) { Float($0 % 2_001 - 1_000) / 1_000 }
        for i in stride(from: 0, to: count, by: 97) { p.base[i] = 0 }
        return p
    }

    func expected(
        _ penalty: Regularization, parameters p: FloatSlab, reference w0: FloatSlab?,
        before g: [Float]
    ) -> [Float] {
        var result = g
        for run in Self.runs {
            for i in run.range {
                let w = p.base[i]
                let l1Term: Float = run.decays ? penalty.l1 * (w > 0 ? 1 : (w < 0 ? -1 : 0)) : 0
                let l2SpTerm: Float = run.group == .head ? 0 : penalty.l2SpAlpha * (w - (w0?.base[i] ?? 0))
                result[i] = g[i] + (l1Term + l2SpTerm)
            }
        }
        return result
    }

    @Test(arguments: [(Float(0.01), Float(0)), (0, 0.1), (0.003, 0.25)])
    func gradientIsThePenaltysDerivative(l1: Float, alpha: Float) {
        let parameters = Self.parameters()
        let reference = Self.slab(3) { Float($0 % 1_999 - 999) / 800 }
        let gradients = Self.slab(11) { Float($0 % 301 - 150) / 3_000 }
        let before = Array(gradients.buffer)
        let penalty = Regularization(l1: l1, l2SpAlpha: alpha, reference: alpha > 0 ? reference : nil)
        #expect(penalty.isActive)
        penalty.addGradients(
            parameters: parameters, gradients: gradients, runs: Self.runs,
            pool: ThreadPool(threads: 3))
        let want = expected(penalty, parameters: parameters, reference: alpha > 0 ? reference : nil, before: before)
        var worst: Float = 0
        for i in 0..<Self.count { worst = max(worst, abs(gradients.base[i] - want[i])) }
        #expect(worst <= 1e-7, "largest difference \(worst)")
        let outside = (0..<Self.count).filter { i in !Self.runs.contains { $0.range.contains(i) } }
        #expect(outside.allSatisfy { gradients.base[$0] == before[$0] }, "elements outside the runs changed")
    }

    @Test func noPenaltyChangesNothing() {
        let gradients = Self.slab(11) { Float($0 % 301 - 150) / 3_000 }
        let before = Array(gradients.buffer)
        let penalty = Regularization()
        #expect(!penalty.isActive)
        penalty.addGradients(parameters: Self.parameters(), gradients: gradients, runs: Self.runs, pool: .serial)
        #expect(Array(gradients.buffer) == before)
    }
}
