import Foundation

extension HTMLReport {
    /// Where each rank's step time went (forward, backward, communication wait, optimizer,
    /// and the rest of the step), its throughput, reduced bytes and peak memory: the
    /// `RankMetrics` keys of the training records. A stacked bar per rank of the means over
    /// the logged windows, the step time and the communication wait of every rank over the
    /// steps (a straggler shows as the one rank that waits least), and a table. Nothing
    /// for records without those keys (a run logged before they existed).
    static func rankBreakdown(_ training: [[String: Double]]) -> String {
        let summary = RankMetrics.summary(training)
        guard !summary.isEmpty else { return "" }
        let parts = RankMetrics.Part.stepParts
        func milliseconds(_ values: [RankMetrics.Part: Double], _ part: RankMetrics.Part) -> Double {
            (values[part] ?? .nan) * 1000
        }
        func other(_ values: [RankMetrics.Part: Double]) -> Double {
            milliseconds(values, .step) - parts.reduce(0) { $0 + milliseconds(values, $1) }
        }
        var out = "<h2>Where the step's time went</h2>\n<p class=\"note\">Per rank, milliseconds per optimizer "
        out += "step on the monotonic clock, means over the \(training.count) logged windows; "
        out += "<i>other</i> is the step less its measured parts.</p>\n<div class=\"charts\">\n"

        out += "<figure class=\"chart\" data-chart=\"Step time per rank\"><figcaption>Step time per rank</figcaption>"
        out += legend(parts.map(\.title) + ["other"])
        out += SVGChart.stackedBars(
            summary.map { rank in
                ("rank \(rank.rank)", parts.map { milliseconds(rank.values, $0) } + [other(rank.values)])
            }, xLabel: "ms per step")
        out += "</figure>\n"
        let ranks = summary.map(\.rank)
        for (title, part) in [
            ("Step time by rank", RankMetrics.Part.step), ("Communication wait by rank", .communicationWait),
        ] {
            out += chart(title, lines(training, part, ranks: ranks), yLabel: "ms per step")
        }
        out += "</div>\n"

        let columns =
            ["rank", "step (ms)"] + parts.map { "\($0.title) (ms)" } + [
                "other (ms)", "samples/s", "MB reduced per step", "peak memory (MiB)",
            ]
        let rows = summary.map { rank -> [String] in
            let v = rank.values
            return ["\(rank.rank)", number(milliseconds(v, .step))] + parts.map { number(milliseconds(v, $0)) }
                + [
                    number(other(v)), number(v[.samplesPerSecond] ?? .nan),
                    String(format: "%.2f", (v[.reducedBytes] ?? .nan) / 1e6),
                    String(format: "%.0f", v[.peakMemory] ?? .nan),
                ]
        }
        return out + "<div class=\"ranks\" data-table=\"Per rank\">" + table(rows, columns: columns) + "</div>\n"
    }

    /// A line per rank of `part` in milliseconds; beyond `rankLineLimit` ranks, the fastest,
    /// mean and slowest rank at each step instead, so the page's size stays bounded.
    static func lines(_ training: [[String: Double]], _ part: RankMetrics.Part, ranks: [Int]) -> [(
        String, [(x: Double, y: Double)]
    )] {
        let keys = ranks.map { RankMetrics.key(part, rank: $0) }
        guard ranks.count > rankLineLimit else {
            return zip(ranks, keys).map { rank, key in
                ("rank \(rank)", series(training, key).map { ($0.x, $0.y * 1000) })
            }
        }
        var low: [(x: Double, y: Double)] = [], mean = low, high = low
        for record in training {
            let values = keys.compactMap { record[$0] }.filter(\.isFinite).map { $0 * 1000 }
            guard let step = record["step"], !values.isEmpty else { continue }
            low.append((step, values.min()!))
            mean.append((step, values.reduce(0, +) / Double(values.count)))
            high.append((step, values.max()!))
        }
        return [("fastest rank", low), ("mean of \(ranks.count) ranks", mean), ("slowest rank", high)]
    }

    /// Ranks drawn one line each in the charts over steps.
    static let rankLineLimit = 8

    /// The colour key of a figure whose series are drawn in `palette` order.
    static func legend(_ names: [String]) -> String {
        var out = "<div class=\"legend\">"
        for (i, name) in names.enumerated() {
            out += "<span><i style=\"background:\(SVGChart.palette[i % SVGChart.palette.count])\"></i>"
            out += HTML.escape(name) + "</span>"
        }
        return out + "</div>"
    }
}
