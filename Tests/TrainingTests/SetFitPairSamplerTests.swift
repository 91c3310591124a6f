import Testing
@testable import Training

/// SetFit's pair draw: counts and balance as setfit 1.2's ContrastiveDataset, determinism
/// under a seed, and the errors.
@Suite struct SetFitPairSamplerTests {
    static let labels = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1]  // 14 examples, 3 classes

    @Test(arguments: [1, 5, 20]) func iterationsGiveBalancedAlternatingPairs(iterations: Int) throws {
        let labels = Self.labels, n = labels.count
        let pairs = try SetFitPairSampler.pairs(labels: labels, sampling: .iterations(iterations), seed: 42)
        #expect(pairs.count == 2 * iterations * n)
        for (t, pair) in pairs.enumerated() {
            #expect(pair.target == (t % 2 == 0 ? 1 : 0), "pair \(t) alternates positive, negative")
            #expect((labels[pair.first] == labels[pair.second]) == (pair.target == 1))
            #expect(pair.first <= pair.second)
        }
        // Cyclic reading: no pair repeats more than ⌈count / pool⌉ times.
        for target: Float in [0, 1] {
            let drawn = pairs.filter { $0.target == target }
            let pool = (0..<n).flatMap { i in (i..<n).map { (i, $0) } }
                .filter { (labels[$0.0] == labels[$0.1]) == (target == 1) }.count
            var counts: [Int: Int] = [:]
            for p in drawn { counts[p.first * n + p.second, default: 0] += 1 }
            let most = (drawn.count + pool - 1) / pool
            #expect(counts.values.max()! <= most && counts.values.min()! >= drawn.count / pool)
            #expect(counts.count == min(pool, drawn.count))
        }
    }

    @Test func sameSeedSameDrawOtherSeedOther() throws {
        let a = try SetFitPairSampler.pairs(labels: Self.labels, sampling: .iterations(2), seed: 7)
        let b = try SetFitPairSampler.pairs(labels: Self.labels, sampling: .iterations(2), seed: 7)
        let c = try SetFitPairSampler.pairs(labels: Self.labels, sampling: .iterations(2), seed: 8)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func strategiesWithoutIterations() throws {
        let labels = [0, 0, 0, 1]  // pool: 7 positives (with self-pairs), 3 negatives
        let unique = try SetFitPairSampler.pairs(labels: labels, sampling: .unique, seed: 1)
        #expect(unique.filter { $0.target == 1 }.count == 7 && unique.filter { $0.target == 0 }.count == 3)
        #expect(Set(unique.map { [$0.first, $0.second] }).count == 10)
        let over = try SetFitPairSampler.pairs(labels: labels, sampling: .oversampling, seed: 1)
        #expect(over.filter { $0.target == 1 }.count == 7 && over.filter { $0.target == 0 }.count == 7)
        let under = try SetFitPairSampler.pairs(labels: labels, sampling: .undersampling, seed: 1)
        #expect(under.filter { $0.target == 1 }.count == 3 && under.filter { $0.target == 0 }.count == 3)
    }

    @Test func errors() {
        #expect(throws: SetFitError.self) { try SetFitPairSampler.pairs(labels: [], sampling: .unique, seed: 1) }
        #expect(throws: SetFitError.self) { try SetFitPairSampler.pairs(labels: [3, 3], sampling: .unique, seed: 1) }
        #expect(throws: SetFitError("--num-iterations must be at least 1, not 0")) {
            try SetFitPairSampler.pairs(labels: [0, 1], sampling: .iterations(0), seed: 1)
        }
        let many = (0...SetFitPairSampler.maximumExamples).map { $0 % 2 }
        #expect(throws: SetFitError.self) { try SetFitPairSampler.pairs(labels: many, sampling: .unique, seed: 1) }
    }
}
