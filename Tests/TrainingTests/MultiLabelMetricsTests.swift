import Testing
@testable import Training

/// Multi-label metrics against scikit-learn's `precision_recall_fscore_support`,
/// `accuracy_score` and `hamming_loss` on `sigmoid(logits) >= 0.5` (Tests/Fixtures/tasks/multilabel.json).
@Suite struct MultiLabelMetricsTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String
            var labels: Int
            var logits: [Float]
            var targets: [Float]
            var predicted: [Int]
            var precision: [Double]
            var recall: [Double]
            var f1: [Double]
            var support: [Int]
            var micro: PRF
            var macro: PRF
            var subsetAccuracy: Double
            var hammingLoss: Double
        }
        var command: String
        var threshold: Double
        var cases: [Case]
    }

    static func metrics(_ c: Fixture.Case, rows: Range<Int>? = nil) -> MultiLabelMetrics {
        let k = c.labels
        let rows = rows ?? 0..<(c.logits.count / k)
        var metrics = MultiLabelMetrics(labels: k)
        metrics.record(
            logits: Array(c.logits[rows.lowerBound * k..<rows.upperBound * k]),
            targets: Array(c.targets[rows.lowerBound * k..<rows.upperBound * k]), rows: rows.count)
        return metrics
    }

    @Test func matchesScikitLearn() throws {
        let fixture = try TaskFixtures.load("multilabel.json", as: Fixture.self)
        #expect(fixture.threshold == 0.5 && fixture.cases.count == 3)
        for c in fixture.cases {
            let metrics = Self.metrics(c)
            #expect(c.logits.map { $0 >= metrics.logitThreshold ? 1 : 0 } == c.predicted, "\(c.name): decisions")
            for j in 0..<c.labels {
                expectValue(metrics.precision(j), c.precision[j], "\(c.name): precision \(j)")
                expectValue(metrics.recall(j), c.recall[j], "\(c.name): recall \(j)")
                expectValue(metrics.f1(j), c.f1[j], "\(c.name): f1 \(j)")
                #expect(metrics.support(j) == c.support[j], "\(c.name): support \(j)")
            }
            expectValue(metrics.microPrecision, c.micro.precision, "\(c.name): micro precision")
            expectValue(metrics.microRecall, c.micro.recall, "\(c.name): micro recall")
            expectValue(metrics.microF1, c.micro.f1, "\(c.name): micro f1")
            expectValue(metrics.macroPrecision, c.macro.precision, "\(c.name): macro precision")
            expectValue(metrics.macroRecall, c.macro.recall, "\(c.name): macro recall")
            expectValue(metrics.macroF1, c.macro.f1, "\(c.name): macro f1")
            expectValue(metrics.subsetAccuracy, c.subsetAccuracy, "\(c.name): subset accuracy")
            expectValue(metrics.hammingLoss, c.hammingLoss, "\(c.name): hamming loss")
        }
    }

    @Test func shardCountsSumToTheWhole() throws {
        let c = try TaskFixtures.load("multilabel.json", as: Fixture.self).cases.first { $0.name == "random 50x6" }!
        let whole = Self.metrics(c)
        var summed = [Int](repeating: 0, count: whole.counts.count)
        for rows in [0..<17, 17..<18, 18..<50] {
            let shard = Self.metrics(c, rows: rows)
            for i in summed.indices { summed[i] += shard.counts[i] }
        }
        #expect(MultiLabelMetrics(labels: c.labels, counts: summed, lossSum: 0) == whole)
    }

    @Test func decisionsAndThresholds() {
        var metrics = MultiLabelMetrics(labels: 2)
        metrics.record(predicted: [true, false], gold: [true, false])
        metrics.record(predicted: [true, true], gold: [false, true])
        #expect(metrics.counts == [1, 1, 0, 0, 1, 0, 0, 1, 1, 2])
        #expect(metrics.subsetAccuracy == 0.5 && metrics.hammingLoss == 0.25)
        // The exact sigmoid decides: logit 0 is in, the smallest negative float is out.
        let half = MultiLabelMetrics(labels: 1)
        #expect(half.logitThreshold == 0)
        #expect(Float(0) >= half.logitThreshold && !(-Float.leastNonzeroMagnitude >= half.logitThreshold))
        let high = MultiLabelMetrics(labels: 1, threshold: 0.9)
        #expect(abs(Double(high.logitThreshold) - 2.1972245773362196) < 1e-6)
    }
}
