import Testing
@testable import Parallel

@Suite struct SplitMix64Tests {
    // Vigna's reference splitmix64.c, compiled with gcc:
    //   x = 1234567; for 5 times: printf("%llu\n", next());
    @Test func matchesReferenceImplementation() {
        var generator = SplitMix64(seed: 1_234_567)
        let outputs = (0..<5).map { _ in generator.next() }
        #expect(
            outputs == [
                6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
            ])
        var zero = SplitMix64(seed: 0)
        #expect(
            (0..<3).map { _ in zero.next() } == [
                16_294_208_416_658_607_535, 7_960_286_522_194_355_700,
                487_617_019_471_545_679,
            ])
    }

    @Test(arguments: [1, 2, 3, 7, 10, 1_000, Int(Int32.max), Int.max])
    func boundedValuesStayBelowTheBound(bound: Int) {
        var generator = SplitMix64(seed: UInt64(bound))
        for _ in 0..<1_000 {
            let value = generator.next(below: bound)
            #expect(value >= 0 && value < bound)
        }
    }

    @Test func boundedValuesAreRoughlyUniform() {
        var generator = SplitMix64(seed: 99)
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[generator.next(below: 6)] += 1 }
        // 10 000 expected per face; 5 sigma is about 456.
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 }, "\(counts)")
    }
}
