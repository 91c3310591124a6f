import Testing
@testable import Model

/// Deferred row updates against the dense optimizer, bit for bit: a table of 23 rows of 40
/// (16 lanes and a tail of 8, rows at offsets that are no multiple of 16) inside a decaying
/// run with other parameters on both sides, a second run after it; steps at changing rates
/// with a random subset of rows touched (some touched rows with a zero gradient), catch-ups
/// of random ids (repeated) between steps, signed zeros in the parameters. The dense side
/// clips its gradients in a pass of their own, the deferred side through `gradientScale`.
@Suite struct AdamWDeferredRowsTests {
    static let rows = 23, width = 40
    static let table = 37..<(37 + rows * width)
    static let count = table.upperBound + 19 + 50
    static let runs = [
        UpdateRun(range: 0..<(table.upperBound + 19), decays: true, learningRateScale: 0.5, group: .embeddings),
        UpdateRun(range: (table.upperBound + 19)..<count, decays: false, learningRateScale: 1, group: .head),
    ]

    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = CounterRNG.mix64(state &+ 0x9E37_79B9_7F4A_7C15)
            return state
        }
        mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 24) * 2 - 1 }
        mutating func below(_ n: Int) -> Int { Int(next() >> 33) % n }
    }

    /// Parameters in [−1, 1) with +0 and −0 among them.
    static func parameters() -> FloatSlab {
        var random = Generator(state: 5)
        let p = FloatSlab(count: count)
        for i in 0..<count { p.base[i] = random.uniform() }
        for i in stride(from: 3, to: count, by: 29) { p.base[i] = i % 2 == 0 ? 0 : -0.0 }
        return p
    }

    /// This step's gradients: dense outside the table, `touched` rows inside it (each fifth
    /// touched row exactly zero), the other rows zero.
    static func gradients(step: Int, touched: [Int], into g: FloatSlab) {
        var random = Generator(state: UInt64(100 + step))
        for i in 0..<count { g.base[i] = table.contains(i) ? 0 : random.uniform() }
        for (k, row) in touched.enumerated() where k % 5 != 4 {
            for j in 0..<width { g.base[table.lowerBound + row * width + j] = random.uniform() * 1e-2 }
        }
    }

    static func touchedRows(step: Int) -> [Int] {
        var random = Generator(state: UInt64(7 + step))
        return (0..<rows).filter { _ in random.below(4) == 0 }
    }

    static func expectBitwiseEqual(
        _ a: FloatSlab, _ b: FloatSlab, _ elements: some Sequence<Int>, _ what: String
    ) {
        let differing = elements.filter { a.base[$0].bitPattern != b.base[$0].bitPattern }
        let first = differing.first.map { "\($0): \(a.base[$0]) vs \(b.base[$0])" } ?? ""
        #expect(differing.count == 0, "\(what): \(differing.count) elements differ, first \(first)")
    }

    func run(threads: Int) {
        let pool = ThreadPool(threads: threads)
        let dense = AdamW(parameterCount: Self.count, weightDecay: 0.1)
        let deferred = AdamW(parameterCount: Self.count, weightDecay: 0.1)
        let denseP = Self.parameters(), deferredP = Self.parameters()
        let g = FloatSlab(count: Self.count), clipped = FloatSlab(count: Self.count)
        deferred.deferUntouchedRows(of: Self.table, width: Self.width, parameters: deferredP, pool: pool)
        var random = Generator(state: 11)
        let outsideTable = (0..<Self.count).filter { !Self.table.contains($0) }
        for step in 0..<12 {
            let learningRate = Float(1e-2) * Float(12 - step) / 12
            let touched = Self.touchedRows(step: step)
            Self.gradients(step: step, touched: touched, into: g)
            let clipping = GradientClipping.factor(norm: step % 2 == 0 ? 0.5 : 1.7, maxNorm: 1)
            clipped.copy(from: g)
            GradientClipping.clip(clipped, runs: Self.runs, norm: step % 2 == 0 ? 0.5 : 1.7, maxNorm: 1, pool: pool)
            dense.step(parameters: denseP, gradients: clipped, runs: Self.runs, learningRate: learningRate, pool: pool)
            deferred.step(
                parameters: deferredP, gradients: g, runs: Self.runs, touchedRows: touched, gradientScale: clipping,
                learningRate: learningRate, pool: pool)
            Self.expectBitwiseEqual(denseP, deferredP, outsideTable, "step \(step + 1), outside the table")
            for row in touched {
                let elements =
                    (Self.table.lowerBound + row * Self.width)..<(Self.table.lowerBound + (row + 1) * Self.width)
                Self.expectBitwiseEqual(denseP, deferredP, elements, "step \(step + 1), touched row \(row)")
                Self.expectBitwiseEqual(dense.firstMoment, deferred.firstMoment, elements, "m of row \(row)")
            }
            // A forward pass reads some rows (ids repeated): they are brought up to date.
            var ids = (0..<6).map { _ in Int32(random.below(Self.rows)) }
            ids += ids.prefix(2)
            deferred.catchUpRows(ids, count: ids.count, parameters: deferredP, pool: pool)
            for row in Set(ids.map(Int.init)) {
                let elements =
                    (Self.table.lowerBound + row * Self.width)..<(Self.table.lowerBound + (row + 1) * Self.width)
                Self.expectBitwiseEqual(denseP, deferredP, elements, "step \(step + 1), row \(row) read")
                Self.expectBitwiseEqual(dense.secondMoment, deferred.secondMoment, elements, "v of row \(row)")
            }
        }
        #expect(deferred.deferredRows?.pendingSteps ?? 0 > 0)
        let untouchedLastStep = (0..<Self.rows).filter { !Self.touchedRows(step: 11).contains($0) }
        let stale = untouchedLastStep.first { row in
            let i = Self.table.lowerBound + row * Self.width
            return denseP.base[i].bitPattern != deferredP.base[i].bitPattern
        }
        #expect(stale != nil, "some untouched row owes steps before the updates are applied")
        deferred.applyDeferredUpdates(parameters: deferredP, pool: pool)
        #expect(deferred.deferredRows?.pendingSteps == 0)
        let all = 0..<Self.count
        Self.expectBitwiseEqual(denseP, deferredP, all, "parameters after applying the deferred updates")
        Self.expectBitwiseEqual(dense.firstMoment, deferred.firstMoment, all, "first moments")
        Self.expectBitwiseEqual(dense.secondMoment, deferred.secondMoment, all, "second moments")
    }

    @Test func deferredRowsEqualTheDenseUpdateBitForBit() { run(threads: 1) }

    @Test func deferredRowsEqualTheDenseUpdateOnThreeThreads() { run(threads: 3) }

    /// Stopping deferral brings every row up to date; the steps after are dense ones. Step 1
    /// names no touched rows (nil): every row then takes the step, owed steps first.
    @Test func stoppingDeferralAppliesWhatIsOwed() {
        let pool = ThreadPool.serial
        let dense = AdamW(parameterCount: Self.count), deferred = AdamW(parameterCount: Self.count)
        let denseP = Self.parameters(), deferredP = Self.parameters()
        let g = FloatSlab(count: Self.count)
        deferred.deferUntouchedRows(of: Self.table, width: Self.width, parameters: deferredP, pool: pool)
        for step in 0..<6 {
            if step == 3 { deferred.stopDeferringRows(parameters: deferredP, pool: pool) }
            let touched = Self.touchedRows(step: step)
            Self.gradients(step: step, touched: touched, into: g)
            dense.step(parameters: denseP, gradients: g, runs: Self.runs, learningRate: 1e-3, pool: pool)
            deferred.step(
                parameters: deferredP, gradients: g, runs: Self.runs, touchedRows: step == 1 ? nil : touched,
                learningRate: 1e-3, pool: pool)
        }
        #expect(deferred.deferredRows == nil)
        Self.expectBitwiseEqual(denseP, deferredP, 0..<Self.count, "parameters")
        Self.expectBitwiseEqual(dense.secondMoment, deferred.secondMoment, 0..<Self.count, "second moments")
    }
}
