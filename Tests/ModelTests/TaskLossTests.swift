import Foundation
import TestSupport
import Testing
@testable import Model

/// `MeanSquaredError` and `BinaryCrossEntropyWithLogits` against torch's `MSELoss` and
/// `BCEWithLogitsLoss` (Tests/Fixtures/tasks/losses.json, written by tools/make_task_fixtures.py),
/// and against finite differences.
@Suite struct TaskLossTests {
    struct Fixture: Decodable {
        struct MSECase: Decodable {
            var name: String
            var predictions: [Float]
            var targets: [Float]
            var lossSum: Double
            var gradSum: [Float]
            var lossMean: Double
            var gradMean: [Float]
        }
        struct BCECase: Decodable {
            var name: String
            var labels: Int
            var logits: [Float]
            var targets: [Float]
            var lossSum: Double
            var gradSum: [Float]
            var lossMean: Double
            var gradMean: [Float]
        }
        var command: String
        var meanSquaredError: [MSECase]
        var binaryCrossEntropyWithLogits: [BCECase]
    }

    static let fixture = Result<Fixture, any Error> {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Fixtures.url("tasks/losses.json")))
    }

    /// torch accumulates the float32 loss in float32; ours is a double sum.
    static func expectLoss(
        _ actual: Double, _ expected: Double, _ name: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            abs(actual - expected) <= 1e-6 * max(1, abs(expected)), "\(name): loss \(actual), expected \(expected)",
            sourceLocation: sourceLocation)
    }

    static func meanSquaredError(_ c: Fixture.MSECase, gradScale: Float) -> (Double, [Float]) {
        var grad = [Float](repeating: .nan, count: c.predictions.count)
        let loss = MeanSquaredError.forwardBackward(
            predictions: c.predictions, targets: c.targets, count: c.predictions.count, gradScale: gradScale,
            predictionsGrad: &grad)
        return (loss, grad)
    }

    static func binaryCrossEntropy(_ c: Fixture.BCECase, gradScale: Float) -> (Double, [Float]) {
        var grad = [Float](repeating: .nan, count: c.logits.count)
        let loss = BinaryCrossEntropyWithLogits.forwardBackward(
            logits: c.logits, targets: c.targets, rows: c.logits.count / c.labels, labels: c.labels,
            gradScale: gradScale, logitsGrad: &grad)
        return (loss, grad)
    }

    @Test func meanSquaredErrorMatchesTorch() throws {
        let cases = try Self.fixture.get().meanSquaredError
        #expect(cases.count == 3)
        for c in cases {
            let (sum, gradSum) = Self.meanSquaredError(c, gradScale: 1)
            Self.expectLoss(sum, c.lossSum, "\(c.name) (sum)")
            expectClose(gradSum, c.gradSum, absolute: 1e-6, relative: 1e-6, "\(c.name) gradient (sum)")
            // The mean reduction is the sum with gradScale = 1/N.
            let n = c.predictions.count
            let (mean, gradMean) = Self.meanSquaredError(c, gradScale: 1 / Float(n))
            Self.expectLoss(mean / Double(n), c.lossMean, "\(c.name) (mean)")
            expectClose(gradMean, c.gradMean, absolute: 1e-7, relative: 1e-6, "\(c.name) gradient (mean)")
        }
    }

    @Test func binaryCrossEntropyMatchesTorch() throws {
        let cases = try Self.fixture.get().binaryCrossEntropyWithLogits
        #expect(cases.count == 3)
        for c in cases {
            let (sum, gradSum) = Self.binaryCrossEntropy(c, gradScale: 1)
            Self.expectLoss(sum, c.lossSum, "\(c.name) (sum)")
            expectClose(gradSum, c.gradSum, absolute: 1e-7, relative: 1e-6, "\(c.name) gradient (sum)")
            let n = c.logits.count
            let (mean, gradMean) = Self.binaryCrossEntropy(c, gradScale: 1 / Float(n))
            Self.expectLoss(mean / Double(n), c.lossMean, "\(c.name) (mean)")
            expectClose(gradMean, c.gradMean, absolute: 1e-8, relative: 1e-6, "\(c.name) gradient (mean)")
        }
    }

    /// |z| up to 1e4 in float32: the loss stays finite and exact where the naive
    /// `−t·log σ(z) − (1 − t)·log(1 − σ(z))` gives infinity, and the gradient saturates at ±1.
    @Test func binaryCrossEntropyIsStableForLargeLogits() {
        let logits: [Float] = [1e4, -1e4, 1e4, -1e4, 89, -89]
        let targets: [Float] = [0, 1, 1, 0, 0, 1]
        var grad: [Float] = []
        var perElement: [Double] = []
        for i in 0..<6 {
            var g: Float = .nan
            perElement.append(
                BinaryCrossEntropyWithLogits.forwardBackward(
                    logits: [logits[i]], targets: [targets[i]], rows: 1, labels: 1, gradScale: 1, logitsGrad: &g))
            grad.append(g)
        }
        #expect(perElement[0] == 1e4 && perElement[1] == 1e4)
        #expect(perElement[2] == 0 && perElement[3] == 0)
        #expect(abs(perElement[4] - 89) < 1e-12 && abs(perElement[5] - 89) < 1e-12)
        #expect(grad == [1, -1, 0, 0, 1, -1])
    }

    // MARK: Finite differences

    @Test func meanSquaredErrorGradient() {
        let n = 7
        var random = TestRandom(seed: 21)
        let predictions = FloatSlab(random.array(n, scale: 2)), targets = random.array(n, scale: 2)
        let grad = FloatSlab(count: n), scratch = FloatSlab(count: n)
        func loss() -> Double {
            MeanSquaredError.forwardBackward(
                predictions: predictions.base, targets: targets, count: n, gradScale: 0.5,
                predictionsGrad: scratch.base) * 0.5
        }
        _ = MeanSquaredError.forwardBackward(
            predictions: predictions.base, targets: targets, count: n, gradScale: 0.5,
            predictionsGrad: grad.base)
        GradientCheckTests.check(
            "mean squared error", values: predictions.base, count: n, analytic: grad.array,
            step: 1e-3, absolute: 1e-3, relative: 1e-2, loss: loss)
    }

    @Test func binaryCrossEntropyGradient() {
        let rows = 4, k = 3
        var random = TestRandom(seed: 22)
        let logits = FloatSlab(random.array(rows * k, scale: 4))
        // Hard and soft targets.
        let targets: [Float] = [1, 0, 0.25, 0, 1, 1, 0.5, 0, 1, 1, 0, 0.9]
        let grad = FloatSlab(count: rows * k), scratch = FloatSlab(count: rows * k)
        let scale = 1 / Float(rows * k)
        func loss() -> Double {
            BinaryCrossEntropyWithLogits.forwardBackward(
                logits: logits.base, targets: targets, rows: rows, labels: k,
                gradScale: scale, logitsGrad: scratch.base) * Double(scale)
        }
        _ = BinaryCrossEntropyWithLogits.forwardBackward(
            logits: logits.base, targets: targets, rows: rows, labels: k,
            gradScale: scale, logitsGrad: grad.base)
        GradientCheckTests.check(
            "binary cross entropy", values: logits.base, count: rows * k, analytic: grad.array,
            step: 1e-3, absolute: 1e-4, relative: 1e-2, loss: loss)
    }
}
