import Testing
import Text

/// The keyed generator behind augmentation: a pure function of its key and counter, keys that
/// differ in every field, uniform bounded integers and exact edge probabilities.
@Suite("Augmentation random stream")
struct AugmentRandomTests {
    @Test("the same key gives the same numbers; the stream is a function of key and counter only")
    func pureFunctionOfKey() {
        var a = AugmentationRandom(seed: 7, epoch: 2, example: 1_000, side: 1)
        var b = AugmentationRandom(seed: 7, epoch: 2, example: 1_000, side: 1)
        let first = (0..<100).map { _ in a.next() }
        #expect(first == (0..<100).map { _ in b.next() })
        #expect(a.counter == 100)
        // The n-th number is mix(key + n·γ): SplitMix64 with the key as its starting state.
        #expect(AugmentationRandom.mix(a.key &+ 100 &* 0x9E37_79B9_7F4A_7C15) == first[99])
    }

    @Test("keys differ when any one field differs")
    func keysDifferPerField() {
        let base = AugmentationRandom(seed: 1, epoch: 0, example: 0, side: 0).key
        var keys: Set<UInt64> = [base]
        for value in 1...200 {
            keys.insert(AugmentationRandom(seed: UInt64(value) + 1, epoch: 0, example: 0, side: 0).key)
            keys.insert(AugmentationRandom(seed: 1, epoch: value, example: 0, side: 0).key)
            keys.insert(AugmentationRandom(seed: 1, epoch: 0, example: value, side: 0).key)
            keys.insert(AugmentationRandom(seed: 1, epoch: 0, example: 0, side: value).key)
        }
        #expect(keys.count == 1 + 4 * 200)
        // Swapping two fields' values is not the same key (each field has its own multiplier).
        #expect(
            AugmentationRandom(seed: 1, epoch: 3, example: 5, side: 0).key
                != AugmentationRandom(seed: 1, epoch: 5, example: 3, side: 0).key)
    }

    @Test("substreams are distinct from each other and from the parent")
    func substreams() {
        let parent = AugmentationRandom(seed: 3, epoch: 1, example: 4)
        let keys = Set((1...16).map { parent.substream(UInt64($0)).key } + [parent.key])
        #expect(keys.count == 17)
        #expect(parent.substream(2).key == parent.substream(2).key)
    }

    @Test("next(below:) stays in range and is uniform", arguments: [1, 2, 3, 7, 10, 1_000])
    func boundedIsUniform(bound: Int) {
        var random = AugmentationRandom(seed: 11, epoch: 0, example: bound)
        let draws = 20_000 * min(bound, 10)
        var counts = [Int](repeating: 0, count: bound)
        for _ in 0..<draws {
            let value = random.next(below: bound)
            #expect((0..<bound).contains(value))
            counts[value] += 1
        }
        guard bound <= 10 else { return }
        // Each count is Binomial(draws, 1/bound): σ = sqrt(draws · p · (1 − p)); 5σ bounds.
        let p = 1 / Double(bound)
        let sigma = (Double(draws) * p * (1 - p)).squareRoot()
        for (value, count) in counts.enumerated() {
            AugmentTestSupport.expectNear(
                Double(count), Double(draws) * p, standardError: max(sigma, 1e-9), "count of \(value)")
        }
    }

    @Test("chance: never at 0, always at 1, about p in between")
    func chance() {
        var random = AugmentationRandom(seed: 5, epoch: 0, example: 0)
        #expect((0..<10_000).allSatisfy { _ in !random.chance(0) })
        #expect((0..<10_000).allSatisfy { _ in random.chance(1) })
        let draws = 100_000
        let hits = (0..<draws).filter { _ in random.chance(0.3) }.count
        // Binomial(100000, 0.3): σ of the fraction = sqrt(0.3 · 0.7 / 100000) ≈ 0.00145.
        AugmentTestSupport.expectNear(
            Double(hits) / Double(draws), 0.3, standardError: (0.3 * 0.7 / Double(draws)).squareRoot(),
            "fraction of hits")
    }

    @Test("the numbers look random: each output bit is set about half the time")
    func bitBalance() {
        var random = AugmentationRandom(seed: 0, epoch: 0, example: 0)
        let draws = 20_000
        var ones = [Int](repeating: 0, count: 64)
        for _ in 0..<draws {
            let value = random.next()
            for bit in 0..<64 where value >> UInt64(bit) & 1 == 1 { ones[bit] += 1 }
        }
        // Binomial(20000, 1/2) per bit: σ = sqrt(20000 / 4) ≈ 70.7; 6σ so that 64 bits rarely trip it.
        for (bit, count) in ones.enumerated() {
            AugmentTestSupport.expectNear(
                Double(count), Double(draws) / 2, standardError: (Double(draws) / 4).squareRoot(), sigmas: 6,
                "bit \(bit)")
        }
    }
}
