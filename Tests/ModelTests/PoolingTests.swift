import Foundation
import TestSupport
import Testing

@testable import Model

/// Sentence pooling and L2 normalisation: forward and backward against sentence-transformers'
/// `Pooling` and `Normalize` (Tests/Fixtures/embedding/pooling.json, tools/make_embedding_fixtures.py),
/// and against central finite differences.
@Suite struct PoolingTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let modes: [String]
            let normalize: Bool
            let embedding: [Float]
            let weights: [Float]
            let hiddenGrad: [Float]
            enum CodingKeys: String, CodingKey {
                case modes, normalize, embedding, weights
                case hiddenGrad = "hidden_grad"
            }
        }
        let lengths: [Int]
        let width: Int
        let hidden: [Float]
        let cases: [Case]
    }

    static let generator = "tools/make_embedding_fixtures.py"

    /// A packed batch of sequences of `lengths` (token ids irrelevant to pooling).
    static func batch(_ lengths: [Int]) -> PackedBatch {
        let batch = PackedBatch(sequenceCapacity: lengths.count, tokenCapacity: lengths.reduce(0, +))
        for (b, n) in lengths.enumerated() { batch.append(ids: Array(repeating: 1, count: n), sample: UInt64(b)) }
        return batch
    }

    /// Pooling then (optionally) normalisation, as the embedding head runs them; returns the
    /// embedding and the gradient of Σ weights ⊙ embedding with respect to `hidden`.
    static func run(
        _ pooling: SentencePooling, hidden: FloatSlab, width c: Int, batch: PackedBatch, weights: [Float]
    ) -> (embedding: [Float], hiddenGrad: [Float]) {
        let b = batch.sequenceCount, d = pooling.dimension(hiddenSize: c), n = batch.tokenCount
        let pooled = FloatSlab(count: b * d), output = FloatSlab(count: b * d), norms = FloatSlab(count: b)
        let argmax = UnsafeMutablePointer<Int32>.allocate(capacity: b * c)
        defer { argmax.deallocate() }
        let hiddenView = MatrixView(hidden.base, rows: n, cols: c)
        let pooledView = MatrixView(pooled.base, rows: b, cols: d),
            outputView = MatrixView(output.base, rows: b, cols: d)
        Pooling.forward(hidden: hiddenView, batch: batch, modes: pooling.modes, output: pooledView, argmax: argmax)
        if pooling.normalize {
            L2Normalize.forward(input: pooledView, output: outputView, norms: norms.base)
        } else {
            output.base.update(from: pooled.base, count: b * d)
        }
        let outputGrad = FloatSlab(weights), pooledGrad = FloatSlab(count: b * d), hiddenGrad = FloatSlab(count: n * c)
        hiddenGrad.base.update(repeating: .nan, count: n * c)  // backward must overwrite every row
        if pooling.normalize {
            L2Normalize.backward(
                outputGrad: MatrixView(outputGrad.base, rows: b, cols: d), output: outputView, norms: norms.base,
                inputGrad: MatrixView(pooledGrad.base, rows: b, cols: d))
        } else {
            pooledGrad.base.update(from: outputGrad.base, count: b * d)
        }
        Pooling.backward(
            outputGrad: MatrixView(pooledGrad.base, rows: b, cols: d), batch: batch, modes: pooling.modes,
            argmax: argmax, hiddenGrad: MatrixView(hiddenGrad.base, rows: n, cols: c))
        return (output.array, hiddenGrad.array)
    }

    static func modes(_ names: [String]) -> [PoolingMode] {
        names.map { name in PoolingMode.allCases.first { $0.modeName == name }! }
    }

    @Test func matchesSentenceTransformers() throws {
        let fixture = try Fixtures.decode("embedding/pooling.json", as: Fixture.self, generator: Self.generator)
        #expect(fixture.cases.count == 7)
        let batch = Self.batch(fixture.lengths)
        for item in fixture.cases {
            let pooling = SentencePooling(modes: Self.modes(item.modes), normalize: item.normalize)
            let hidden = FloatSlab(fixture.hidden)
            let (embedding, grad) = Self.run(
                pooling, hidden: hidden, width: fixture.width, batch: batch, weights: item.weights)
            let name = pooling.summary
            expectClose(embedding, item.embedding, absolute: 1e-6, relative: 1e-5, "\(name): embedding")
            expectClose(grad, item.hiddenGrad, absolute: 1e-6, relative: 1e-5, "\(name): hidden gradient")
        }
    }

    static let finiteDifferenceCases: [SentencePooling] = [
        SentencePooling(modes: [.mean], normalize: true),
        SentencePooling(modes: [.cls], normalize: true),
        SentencePooling(modes: [.max], normalize: false),
        SentencePooling(modes: [.meanSqrtLength], normalize: true),
        SentencePooling(modes: [.mean, .cls, .max, .meanSqrtLength], normalize: true),
    ]

    @Test(arguments: finiteDifferenceCases) func finiteDifferences(_ pooling: SentencePooling) {
        let lengths = [4, 1, 3], c = 5
        let batch = Self.batch(lengths)
        var random = TestRandom(seed: 31)
        let hidden = FloatSlab(random.array(batch.tokenCount * c, scale: 2))
        let weights = random.array(lengths.count * pooling.dimension(hiddenSize: c))
        let analytic = Self.run(pooling, hidden: hidden, width: c, batch: batch, weights: weights).hiddenGrad
        // Max pooling is piecewise linear: a step smaller than the gap between competing values
        // keeps every argmax where it is.
        GradientCheckTests.check(
            pooling.summary, values: hidden.base, count: hidden.count, analytic: analytic, step: 1e-3,
            absolute: 2e-3, relative: 1e-2
        ) {
            let output = Self.run(pooling, hidden: hidden, width: c, batch: batch, weights: weights).embedding
            return zip(output, weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
    }

    @Test func normalizedRowsHaveUnitLengthAndZeroStaysFinite() {
        let x = FloatSlab([3, 4, 0, 0, 0, 0]), y = FloatSlab(count: 6), norms = FloatSlab(count: 2)
        L2Normalize.forward(
            input: MatrixView(x.base, rows: 2, cols: 3), output: MatrixView(y.base, rows: 2, cols: 3), norms: norms.base
        )
        #expect(y.array == [0.6, 0.8, 0, 0, 0, 0])
        #expect(norms.array == [5, 0])
        let dy = FloatSlab([1, 0, 0, 1, 1, 1]), dx = FloatSlab(count: 6)
        L2Normalize.backward(
            outputGrad: MatrixView(dy.base, rows: 2, cols: 3), output: MatrixView(y.base, rows: 2, cols: 3),
            norms: norms.base, inputGrad: MatrixView(dx.base, rows: 2, cols: 3))
        // (dy − y(y·dy)) / ‖x‖ = ([1, 0, 0] − 0.6·[0.6, 0.8, 0]) / 5.
        expectClose(Array(dx.array[0..<3]), [0.128, -0.096, 0], absolute: 1e-7, relative: 1e-6, "dx")
        #expect(dx.array[3..<6].allSatisfy { $0.isFinite })
    }
}

extension SentencePooling: CustomTestStringConvertible {
    public var testDescription: String { summary }
}
