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
            out += chart(
                title,
                ranks.map { rank in
                    ("rank \(rank)", series(training, RankMetrics.key(part, rank: rank)).map { ($0.x, $0.y * 1000) })
                }, yLabel: "ms per step")
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
