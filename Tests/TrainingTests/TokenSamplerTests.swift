import Foundation
import TestSupport
import Testing

@testable import Training

/// `TokenSampler` against transformers' logits processors (`Tests/Fixtures/causal-lm/sampler.json`,
/// written by tools/make_sampler_fixtures.py), and its draws against the softmax they sample.
@Suite struct TokenSamplerTests {
    struct Fixture: Decodable {
        var cases: [Case]
    }

    struct Case: Decodable {
        var name: String
        var scores: [Double?]
        var history: [Int32]
        var repetition_penalty: Float
        var sampling: Sampling?
        var penalized: [Double?]
        var processed: [Double?]
    }

    struct Sampling: Decodable {
        var temperature: Float
        var top_k: Int
        var top_p: Float

        var options: SamplingOptions.Sampling { .init(temperature: temperature, topK: top_k, topP: top_p) }
    }

    static func fixture() throws -> Fixture {
        try Fixtures.decode("causal-lm/sampler.json", as: Fixture.self, generator: "tools/make_sampler_fixtures.py")
    }

    /// Fixture scores as `Float` (null: −∞).
    static func floats(_ values: [Double?]) -> [Float] { values.map { $0.map(Float.init) ?? -.infinity } }

    /// The same −∞ positions, and the other scores within 1e-6 relative.
    static func expectScores(
        _ actual: [Float], _ expected: [Double?], _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let removed = Set(actual.indices.filter { actual[$0] == -.infinity })
        let expectedRemoved = Set(expected.indices.filter { expected[$0] == nil })
        #expect(removed == expectedRemoved, "\(what): −∞ at \(removed.sorted())", sourceLocation: sourceLocation)
        for (i, value) in expected.enumerated() {
            guard let value, actual[i] != -.infinity else { continue }
            #expect(
                abs(Double(actual[i]) - value) <= 1e-6 * abs(value) + 1e-30,
                "\(what)[\(i)]: \(actual[i]), transformers \(value)", sourceLocation: sourceLocation)
        }
    }

    @Test func penaltyAndWarpersMatchTransformers() throws {
        let fixture = try Self.fixture()
        #expect(fixture.cases.count >= 12)
        for c in fixture.cases {
            var scores = Self.floats(c.scores)
            scores.withUnsafeMutableBufferPointer { buffer in
                if c.repetition_penalty != 1 {
                    TokenSampler.penalizeRepetitions(buffer, history: c.history, penalty: c.repetition_penalty)
                }
            }
            Self.expectScores(scores, c.penalized, "\(c.name), penalized")
            if let sampling = c.sampling {
                var order: [Int32] = []
                scores.withUnsafeMutableBufferPointer { TokenSampler.warp($0, sampling.options, order: &order) }
            }
            Self.expectScores(scores, c.processed, c.name)
        }
    }

    // MARK: Greedy

    static func greedy(_ scores: [Float], history: [Int32] = [], penalty: Float = 1, seed: UInt64 = 0) -> Int32 {
        var sampler = TokenSampler(
            options: SamplingOptions(maxNewTokens: 1, repetitionPenalty: penalty, seed: seed), prompt: 0)
        var scores = scores
        return scores.withUnsafeMutableBufferPointer { sampler.next(scores: $0, history: history) }
    }

    @Test func greedyTakesTheFirstHighestScoreAfterThePenalty() {
        #expect(Self.greedy([1, 5, 3, 5]) == 1)
        #expect(Self.greedy([-.infinity, -2, -2]) == 1)
        #expect(Self.greedy([1, 5, 3, 5], seed: 99) == 1)
        #expect(Self.greedy([7, 1, 2]) == 0)
        // 5 / 1.3 = 3.85 < 4.5; a negative score is multiplied: −1 · 1.3 < −1.1.
        #expect(Self.greedy([1, 5, 3, 4.5], history: [1, 1], penalty: 1.3) == 3)
        #expect(Self.greedy([-1, -2, -1.1], history: [0], penalty: 1.3) == 2)
        // Without the penalty, the history changes nothing.
        #expect(Self.greedy([1, 5, 3, 4.5], history: [1], penalty: 1) == 1)
    }

    // MARK: Sampling

    static func sampler(_ sampling: SamplingOptions.Sampling, penalty: Float = 1, seed: UInt64, prompt: Int)
        -> TokenSampler
    {
        TokenSampler(
            options: SamplingOptions(maxNewTokens: 1, sampling: sampling, repetitionPenalty: penalty, seed: seed),
            prompt: prompt)
    }

    /// `count` draws from `scores` (fresh scores each time, as `generate` gives).
    static func draws(_ sampler: inout TokenSampler, _ scores: [Float], history: [Int32] = [], count: Int) -> [Int] {
        (0..<count).map { _ in
            var copy = scores
            return Int(copy.withUnsafeMutableBufferPointer { sampler.next(scores: $0, history: history) })
        }
    }

    @Test func drawsAreReproducibleAndDependOnSeedAndPrompt() {
        let flat = [Float](repeating: 0, count: 50)
        let all = SamplingOptions.Sampling(temperature: 1, topK: 0, topP: 1)
        var a = Self.sampler(all, seed: 5, prompt: 0), b = Self.sampler(all, seed: 5, prompt: 0)
        var otherPrompt = Self.sampler(all, seed: 5, prompt: 1), otherSeed = Self.sampler(all, seed: 6, prompt: 0)
        let first = Self.draws(&a, flat, count: 40)
        #expect(first == Self.draws(&b, flat, count: 40))
        // 40 uniform draws over 50 tokens agree by chance with probability 50⁻⁴⁰.
        #expect(first != Self.draws(&otherPrompt, flat, count: 40))
        #expect(first != Self.draws(&otherSeed, flat, count: 40))
        #expect(Set(first).count > 20)
    }

    /// Pearson's χ² of `counts` against `probabilities` (bins expected below 5 pooled), and the
    /// critical value at a false-alarm rate of 1e-6 (Wilson–Hilferty, which errs high).
    static func chiSquare(_ counts: [Int: Int], _ probabilities: [Double], draws: Int) -> (
        statistic: Double, critical: Double
    ) {
        var statistic = 0.0, bins = 0, pooledExpected = 0.0, pooledCount = 0
        for (i, p) in probabilities.enumerated() where p > 0 {
            let expected = p * Double(draws), count = counts[i] ?? 0
            if expected < 5 {
                pooledExpected += expected
                pooledCount += count
            } else {
                statistic += pow(Double(count) - expected, 2) / expected
                bins += 1
            }
        }
        if pooledExpected > 0 {
            statistic += pow(Double(pooledCount) - pooledExpected, 2) / max(pooledExpected, 1)
            bins += 1
        }
        let df = Double(max(bins - 1, 1)), z = 4.7534
        return (statistic, df * pow(1 - 2 / (9 * df) + z * (2 / (9 * df)).squareRoot(), 3))
    }

    @Test func drawsFollowTheSoftmax() {
        let probabilities = [0.3, 0.2, 0.15, 0.1, 0.1, 0.08, 0.05, 0.02, 0, 0]
        // Shifted log-probabilities (the softmax ignores the shift); the last two never drawn.
        let scores = probabilities.map { $0 > 0 ? Float(log($0) + 1.7) : -.infinity }
        var sampler = Self.sampler(.init(temperature: 1, topK: 0, topP: 1), seed: 11, prompt: 3)
        let draws = Self.draws(&sampler, scores, count: 20_000)
        let counts = Dictionary(draws.map { ($0, 1) }, uniquingKeysWith: +)
        #expect(counts[8] == nil && counts[9] == nil)
        let test = Self.chiSquare(counts, probabilities, draws: draws.count)
        #expect(
            test.statistic < test.critical,
            "χ² \(test.statistic) ≥ \(test.critical): \(counts.sorted { $0.key < $1.key })")
        // A sampler that always took the most likely token, or drew uniformly, fails the same bound.
        let greedy = Self.chiSquare([0: 20_000], probabilities, draws: 20_000)
        let uniform = Self.chiSquare(
            Dictionary(uniqueKeysWithValues: (0..<8).map { ($0, 2500) }), probabilities, draws: 20_000)
        #expect(greedy.statistic > greedy.critical && uniform.statistic > uniform.critical)
    }

    /// Every sampling case of the fixture through `next`: only the tokens transformers' warpers
    /// keep are drawn, as often as the softmax of their processed scores says.
    @Test func onlyTokensThatSurviveTheWarpersAreDrawn() throws {
        for (index, c) in try Self.fixture().cases.enumerated() {
            guard let sampling = c.sampling else { continue }
            var sampler = Self.sampler(sampling.options, penalty: c.repetition_penalty, seed: 2024, prompt: index)
            let draws = Self.draws(&sampler, Self.floats(c.scores), history: c.history, count: 5_000)
            let kept = Set(c.processed.indices.filter { c.processed[$0] != nil })
            let drawn = Set(draws)
            #expect(drawn.isSubset(of: kept), "\(c.name): drew \(drawn.subtracting(kept).sorted())")
            let processed = c.processed.map { $0 ?? -.infinity }
            let largest = processed.max()!
            let weights = processed.map { $0 == -.infinity ? 0 : exp($0 - largest) }
            let total = weights.reduce(0, +)
            let counts = Dictionary(draws.map { ($0, 1) }, uniquingKeysWith: +)
            let test = Self.chiSquare(counts, weights.map { $0 / total }, draws: draws.count)
            #expect(test.statistic < test.critical, "\(c.name): χ² \(test.statistic) ≥ \(test.critical)")
        }
    }

    // MARK: Options

    static func options(
        _ maxNewTokens: Int = 8, temperature: Float? = nil, topK: Int? = nil, topP: Float? = nil,
        penalty: Float? = nil, seed: UInt64? = nil
    ) throws -> SamplingOptions {
        try SamplingOptions(
            maxNewTokens: maxNewTokens, temperature: temperature, topK: topK, topP: topP, repetitionPenalty: penalty,
            seed: seed)
    }

    @Test func greedyUnlessASamplingOptionIsGiven() throws {
        let plain = try Self.options()
        #expect(plain.sampling == nil && plain.repetitionPenalty == 1 && plain.seed == 0 && plain.maxNewTokens == 8)
        // A penalty or a seed alone does not turn sampling on.
        let penalised = try Self.options(penalty: 1.3, seed: 9)
        #expect(penalised.sampling == nil && penalised.repetitionPenalty == 1.3 && penalised.seed == 9)
        #expect(try Self.options(temperature: 0.7).sampling == .init(temperature: 0.7, topK: 50, topP: 1))
        #expect(try Self.options(topK: 0).sampling == .init(temperature: 1, topK: 0, topP: 1))
        #expect(try Self.options(topP: 0.9).sampling == .init(temperature: 1, topK: 50, topP: 0.9))
        #expect(try Self.options(temperature: 2, topK: 3, topP: 1).sampling == .init(temperature: 2, topK: 3, topP: 1))
    }

    @Test func badValuesNameTheOption() {
        func message(_ body: () throws -> SamplingOptions) -> String {
            do {
                return "no error: \(try body())"
            } catch let error as OptionError {
                return error.description
            } catch {
                return "not an OptionError: \(error)"
            }
        }
        #expect(message { try Self.options(0) } == "--max-new-tokens 0: must be at least 1")
        for t: Float in [0, -1, .infinity, .nan] {
            #expect(message { try Self.options(temperature: t) } == "--temperature \(t): must be a positive number")
        }
        #expect(message { try Self.options(topK: -1) } == "--top-k -1: must be 0 (off) or more")
        for p: Float in [0, -0.5, 1.5, .nan] {
            #expect(message { try Self.options(topP: p) } == "--top-p \(p): must be in (0, 1]")
        }
        for r: Float in [0, -1, .infinity] {
            #expect(
                message { try Self.options(penalty: r) } == "--repetition-penalty \(r): must be a positive number")
        }
        #expect(message { try Self.options(topP: 1) }.hasPrefix("no error"))
    }
}
