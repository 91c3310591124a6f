import Testing
@testable import Training

/// Regression metrics against scikit-learn's `mean_squared_error` and scipy.stats' `pearsonr`,
/// `spearmanr` and `rankdata` (Tests/Fixtures/tasks/regression.json).
@Suite struct RegressionMetricsTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String
            var predictions: [Float]
            var targets: [Float]
            var mse: Double
            var pearson: Double?
            var spearman: Double?
            var predictionRanks: [Double]
        }
        var command: String
        var cases: [Case]
    }

    @Test func matchesScipy() throws {
        let cases = try TaskFixtures.load("regression.json", as: Fixture.self).cases
        #expect(cases.count == 9)
        for c in cases {
            let metrics = RegressionMetrics(predictions: c.predictions, targets: c.targets)
            #expect(metrics.count == c.predictions.count)
            expectValue(metrics.meanSquaredError, c.mse, "\(c.name): mse")
            expectValue(metrics.pearson, c.pearson, tolerance: 1e-10, "\(c.name): pearson")
            expectValue(metrics.spearman, c.spearman, tolerance: 1e-10, "\(c.name): spearman")
            #expect(
                RegressionMetrics.averageRanks(c.predictions.map(Double.init)) == c.predictionRanks, "\(c.name): ranks")
        }
    }

    @Test func degenerateInputs() {
        let empty = RegressionMetrics(predictions: [Float](), targets: [])
        #expect(empty.meanSquaredError == 0 && empty.pearson.isNaN && empty.spearman.isNaN)
        let one = RegressionMetrics(predictions: [Float(1)], targets: [2])
        #expect(one.meanSquaredError == 1 && one.pearson.isNaN)
        let withNaN = RegressionMetrics(predictions: [1, .nan, 3], targets: [Float(1), 2, 3])
        #expect(withNaN.pearson.isNaN && withNaN.spearman.isNaN && withNaN.meanSquaredError.isNaN)
        #expect(RegressionMetrics.averageRanks([10, 20, 20, 5]) == [2, 3.5, 3.5, 1])
    }
}
