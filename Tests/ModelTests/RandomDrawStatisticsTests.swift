import Testing

@testable import Model

/// The random draws that differ from PyTorch's in generator but must not in distribution
/// (the model-quality investigation, bench/QUALITY.md): every dropout mask at p = 0.1 keeps
/// 90 % and is independent of every other mask — across heads, layers, positions, samples,
/// sites and steps — and a new head's weights are N(0, 0.02²). A mask reused for two sites,
/// two heads or two steps would agree with the other far more often than independence allows
/// (0.9² + 0.1² = 82 %).
@Suite struct RandomDrawStatisticsTests {
    static let p: Float = 0.1
    static let positions = 128, hidden = 384, heads = 12

    /// The keep mask of `count` counters from `first` in `stream`.
    static func mask(_ stream: UInt64, first: Int, count: Int) -> [Float] {
        Dropout.referenceMask(count: count, probability: p, key: stream, firstCounter: UInt32(first))
    }

    /// Fraction of positions where two masks agree, and its allowed band under independence (5σ).
    static func expectIndependent(_ a: [Float], _ b: [Float], _ what: String) {
        let agree = Double(zip(a, b).filter { $0 == $1 }.count) / Double(a.count)
        let expected = Double((1 - p) * (1 - p) + p * p)
        let sigma = (expected * (1 - expected) / Double(a.count)).squareRoot()
        #expect(abs(agree - expected) < 5 * sigma, "\(what): masks agree on \(agree), independence gives \(expected)")
        let kept = Double(a.reduce(0, +)) / Double(a.count)
        #expect(abs(kept - 0.9) < 5 * (0.09 / Double(a.count)).squareRoot(), "\(what): keeps \(kept)")
    }

    @Test func attentionMasksAreIndependentAcrossHeadsLayersAndSteps() {
        let key = DropoutKey(seed: 42, step: 7)
        let spec = AttentionDropout(key: key, probability: Self.p, layer: 0, positionStride: Self.positions)
        let rows = 64, cols = 64
        func headMask(_ spec: AttentionDropout, head: Int, sample: UInt64 = 3) -> [Float] {
            let stream = spec.key.stream(sample: sample, site: .attentionProbabilities(layer: spec.layer))
            return (0..<rows).flatMap {
                Self.mask(stream, first: Int(spec.firstCounter(head: head, row: $0)), count: cols)
            }
        }
        let head0 = headMask(spec, head: 0)
        Self.expectIndependent(head0, headMask(spec, head: 1), "heads 0 and 1")
        Self.expectIndependent(head0, headMask(spec, head: Self.heads - 1), "heads 0 and 11")
        var otherLayer = spec
        otherLayer.layer = 1
        Self.expectIndependent(head0, headMask(otherLayer, head: 0), "layers 0 and 1")
        var nextStep = spec
        nextStep.key = DropoutKey(seed: 42, step: 8)
        Self.expectIndependent(head0, headMask(nextStep, head: 0), "steps 7 and 8")
        Self.expectIndependent(head0, headMask(spec, head: 0, sample: 4), "samples 3 and 4")
    }

    @Test func hiddenMasksAreIndependentAcrossPositionsSitesAndSamples() {
        let key = DropoutKey(seed: 1, step: 100)
        let c = Self.hidden, count = 32
        func rows(_ site: DropoutSite, sample: UInt64 = 0, from position: Int = 0) -> [Float] {
            Self.mask(key.stream(sample: sample, site: site), first: position * c, count: count * c)
        }
        let embeddings = rows(.embeddings)
        Self.expectIndependent(embeddings, rows(.embeddings, from: 1), "positions shifted by one")
        Self.expectIndependent(embeddings, rows(.attentionOutput(layer: 0)), "embeddings and attention output")
        Self.expectIndependent(
            rows(.attentionOutput(layer: 0)), rows(.feedForwardOutput(layer: 0)), "attention and feed-forward")
        Self.expectIndependent(
            rows(.feedForwardOutput(layer: 0)), rows(.feedForwardOutput(layer: 1)), "layers 0 and 1")
        Self.expectIndependent(embeddings, rows(.embeddings, sample: 1), "samples 0 and 1")
        // The classifier's mask on the pooled row uses counters 0 ..< C of its own site.
        let pooled = (0..<count).flatMap {
            Self.mask(key.stream(sample: UInt64($0), site: .classifier), first: 0, count: c)
        }
        let firstTokens = (0..<count).flatMap {
            Self.mask(key.stream(sample: UInt64($0), site: .embeddings), first: 0, count: c)
        }
        Self.expectIndependent(pooled, firstTokens, "classifier and the [CLS] embedding")
    }

    @Test func newHeadWeightsAreNormalWithTheInitializerRange() {
        let count = 1_000_000
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer {
            ParameterInitializer.normal(
                $0.baseAddress!, count: count, standardDeviation: 0.02,
                key: ParameterInitializer.key(seed: 42, name: "classifier.weight"))
        }
        let mean = values.reduce(0.0) { $0 + Double($1) } / Double(count)
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(count)
        #expect(abs(mean) < 5 * 0.02 / Double(count).squareRoot(), "mean \(mean)")
        #expect(abs(variance.squareRoot() - 0.02) < 0.02 * 0.005, "standard deviation \(variance.squareRoot())")
        // Tails as a normal's: |x| > 2σ for 4.55 % of the draws.
        let beyond = Double(values.filter { abs($0) > 0.04 }.count) / Double(count)
        #expect(abs(beyond - 0.0455) < 0.001, "beyond 2σ: \(beyond)")
    }
}
