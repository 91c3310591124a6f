import Foundation
import Testing

@testable import Reports

/// The report's per-rank section: where each rank's step time went, its throughput, bytes
/// reduced and peak memory, from the `RankMetrics` keys of the training records.
@Suite struct RankBreakdownTests {
    /// `HTMLReportTests.records` with the keys of `ranks` ranks: rank r's step takes
    /// 100 + 10 r ms, of which forward 20, backward 40, communication wait 10 + 5 r, optimizer 5.
    static func records(ranks: Int, steps: Int = 200, every: Int = 10) -> [[String: Double]] {
        HTMLReportTests.records(steps: steps, every: every).map { record in
            guard !TensorBoardTags.isEvaluation(record) else { return record }
            var r = record
            for rank in 0..<ranks {
                let step = r["step"]!
                let values: [RankMetrics.Part: Double] = [
                    .step: 0.1 + 0.01 * Double(rank), .forward: 0.02, .backward: 0.04,
                    .communicationWait: 0.01 + 0.005 * Double(rank), .optimizer: 0.005,
                    .samplesPerSecond: 160, .reducedBytes: 91e6, .peakMemory: 800 + step / 10 + Double(rank),
                ]
                for (part, value) in values { r[RankMetrics.key(part, rank: rank)] = value }
            }
            return r
        }
    }

    @Test func summaryMeansPerRankAndPeakMemoryMaximum() {
        let summary = RankMetrics.summary(Self.records(ranks: 3))
        #expect(summary.map(\.rank) == [0, 1, 2])
        #expect(abs(summary[2].values[.step]! - 0.12) < 1e-12)
        #expect(abs(summary[1].values[.communicationWait]! - 0.015) < 1e-12)
        // Logged every 10 steps to 200: the last record's memory, 800 + 20 + rank.
        #expect(summary[2].values[.peakMemory] == 822)
        #expect(RankMetrics.ranks(in: HTMLReportTests.records(steps: 100)).isEmpty)
    }

    @Test func pageShowsEveryRanksBreakdown() throws {
        let page = HTMLReport.render(records: Self.records(ranks: 4), data: HTMLReportTests.data)
        let bars = try #require(HTMLReportTests.figure("Step time per rank", in: page))
        for rank in 0..<4 { #expect(bars.contains(">rank \(rank)<"), "no bar for rank \(rank)") }
        // Four ranks × five segments (forward, backward, wait, optimizer, other).
        #expect(bars.components(separatedBy: "<rect class=\"bar\"").count - 1 == 20)
        for part in ["forward", "backward", "communication wait", "optimizer", "other"] {
            #expect(bars.contains(">\(part)</span>"), "no legend entry \(part)")
        }
        for title in ["Step time by rank", "Communication wait by rank"] {
            let chart = try #require(HTMLReportTests.figure(title, in: page))
            #expect(chart.components(separatedBy: "<polyline").count - 1 == 4, "\(title): a line per rank")
        }
        // The table: rank 3's step 130 ms, wait 25 ms, other 130 − 20 − 40 − 25 − 5 = 40 ms.
        let table = try #require(page.range(of: "data-table=\"Per rank\"").map { page[$0.upperBound...] })
        #expect(table.contains("<td>3</td><td>130</td><td>20</td><td>40</td><td>25</td><td>5</td><td>40</td>"))
        #expect(table.contains("<td>160</td><td>91.00</td><td>823</td>"))
        #expect(HTMLReportTests.networkReferences(in: page).isEmpty)
    }

    @Test func noSectionWithoutRankKeys() {
        let page = HTMLReport.render(records: HTMLReportTests.records(steps: 100), data: HTMLReportTests.data)
        #expect(!page.contains("Where the step's time went"))
        #expect(HTMLReportTests.figure("Step time per rank", in: page) == nil)
    }

    @Test func barsStackTheirSegments() {
        let svg = SVGChart.stackedBars([("a", [1, 2, -1, .nan]), ("b", [3, 3])], xLabel: "ms")
        // a: two segments (the negative and NaN ones dropped), b: two; totals labelled.
        #expect(svg.components(separatedBy: "<rect class=\"bar\"").count - 1 == 4)
        #expect(svg.contains(">3</text>") && svg.contains(">6</text>"))
    }
}

extension RankBreakdownTests {
    @Test func manyRanksDrawFastestMeanSlowest() throws {
        let page = HTMLReport.render(records: Self.records(ranks: 64), data: HTMLReportTests.data)
        let chart = try #require(HTMLReportTests.figure("Step time by rank", in: page))
        #expect(chart.components(separatedBy: "<polyline").count - 1 == 3)
        #expect(chart.contains("slowest rank") && chart.contains("mean of 64 ranks"))
        // Rank 63's step: 100 + 630 ms at the top.
        #expect(chart.contains(">700<") || chart.contains(">800<"))
        let bars = try #require(HTMLReportTests.figure("Step time per rank", in: page))
        #expect(bars.contains(">rank 63<"))
    }
}

extension RankBreakdownTests {
    @Test(arguments: [
        ("forward_seconds_rank_0", true), ("peak_memory_mib_rank_12", true), ("step_seconds_rank_", false),
        ("loss", false), ("samples_per_second", false), ("learning_rate_layer_3", false), ("eval_rank_1", false),
    ])
    func rankKeysAreRecognised(key: String, isRankKey: Bool) {
        #expect(RankMetrics.isRankKey(key) == isRankKey)
    }
}

extension RankBreakdownTests {
    @Test func aLongRunOfManyRanksStaysSmall() {
        // 20,000 steps logged at every step at 16 ranks: the over-steps charts stay 3 thinned lines.
        let page = HTMLReport.render(
            records: Self.records(ranks: 16, steps: 20_000, every: 1), data: HTMLReportTests.data)
        #expect(page.utf8.count < 300_000, "report of 20,000 steps at 16 ranks: \(page.utf8.count) bytes")
    }
}
