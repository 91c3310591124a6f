import Foundation

/// The self-contained HTML report of a run: one file of HTML, inline SVG and CSS — no
/// scripts, fonts, images or styles from anywhere else, so it opens offline and can be
/// mailed or archived as it is. Built from the metrics records (`metrics.jsonl`) and the
/// `ReportData` the trainer saves; every curve is thinned to `curveLimit` points, so its size
/// depends on the number of charts, not on the number of steps.
public enum HTMLReport {
    /// Points per line at most.
    public static let curveLimit = 500
    /// Points of a scatter plot at most.
    public static let scatterLimit = 1000

    /// The page for `records` (metrics records in file order) and `data`.
    public static func render(records: [[String: Double]], data: ReportData) -> String {
        let training = records.filter { !TensorBoardTags.isEvaluation($0) }
        let evaluations = records.filter(TensorBoardTags.isEvaluation)
        let lastStep = records.map { Int($0["step"] ?? 0) }.max() ?? 0
        var body = "<h1>\(HTML.escape(data.title))</h1>\n<p class=\"status\">"
        body += data.finished ? "Finished at step \(lastStep)." : "In progress: step \(lastStep)."
        body += " \(training.count) training records, \(evaluations.count) evaluations.</p>\n"

        body += "<h2>Training</h2>\n<div class=\"charts\">\n"
        body += chart("Loss", [("train", series(training, "loss")), ("validation", series(evaluations, "eval_loss"))])
        body += chart("Learning rate", [("learning rate", series(training, "learning_rate"))])
        body += chart("Gradient norm", [("grad norm (before clipping)", series(training, "grad_norm"))])
        body += chart("Throughput", [("samples/s", series(training, "samples_per_second"))], yLabel: "samples/s")
        body += "</div>\n"

        let curves = data.curves.filter { curve in
            curve.keys.contains { key in evaluations.contains { $0[key] != nil } }
        }
        if !evaluations.isEmpty {
            body += "<h2>Evaluation</h2>\n<div class=\"charts\">\n"
            for curve in curves {
                body += chart(curve.title, curve.keys.map { (label($0), series(evaluations, $0)) })
            }
            body += "</div>\n"
            body += latestEvaluation(evaluations.last!)
        }
        if !data.sections.isEmpty {
            body += "<h2>At the last evaluation" + (data.sectionsStep.map { " (step \($0))" } ?? "") + "</h2>\n"
            body += "<div class=\"charts\">\n" + data.sections.map(section).joined() + "</div>\n"
        }
        body += rankBreakdown(training)
        body += "<h2>Resources</h2>\n" + table(resources(training, data), columns: ["", ""])
        // The derived numbers in view; every option (`--name`) one click away.
        let options = data.configuration.filter { $0.name.hasPrefix("--") }
        let derived = data.configuration.filter { !$0.name.hasPrefix("--") }
        if !derived.isEmpty {
            body += "<h2>Run</h2>\n" + table(derived.map { [$0.name, $0.value] }, columns: ["", ""])
        }
        if !options.isEmpty {
            body += "<details><summary><h2>Configuration (\(options.count) options)</h2></summary>\n"
            body += table(options.map { [$0.name, $0.value] }, columns: ["option", "value"]) + "</details>\n"
        }
        return page(title: data.title, body: body)
    }

    // MARK: Parts

    /// `(step, value)` of `key` in each record that has it.
    static func series(_ records: [[String: Double]], _ key: String) -> [(x: Double, y: Double)] {
        records.compactMap { r in r[key].map { (x: r["step"] ?? 0, y: $0) } }
    }

    /// A figure with a caption, a legend and the SVG; nothing when no line has a point.
    static func chart(_ title: String, _ lines: [(String, [(x: Double, y: Double)])], yLabel: String? = nil) -> String {
        let kept = lines.filter { !$0.1.isEmpty }
        guard !kept.isEmpty else { return "" }
        var out = "<figure class=\"chart\" data-chart=\"\(HTML.escape(title))\">"
        out += "<figcaption>\(HTML.escape(title))</figcaption><div class=\"legend\">"
        for (i, line) in kept.enumerated() {
            let colour = SVGChart.palette[i % SVGChart.palette.count]
            out += "<span><i style=\"background:\(colour)\"></i>\(HTML.escape(line.0))</span>"
        }
        out += "</div>"
        let series = kept.map { SVGChart.Series(name: $0.0, points: Downsample.minMax($0.1, limit: curveLimit)) }
        return out + SVGChart.lines(series) + "</figure>\n"
    }

    static func section(_ section: ReportSection) -> String {
        var out = "<figure class=\"chart\" data-chart=\"\(HTML.escape(section.title))\">"
        out += "<figcaption>\(HTML.escape(section.title))</figcaption>"
        switch section {
        case .confusionMatrix(_, let labels, let counts):
            out += SVGChart.heatMap(labels: labels, counts: counts)
        case .table(_, let columns, let rows):
            out += table(rows, columns: columns)
        case .scatter(_, let xLabel, let yLabel, let x, let y):
            let kept = Downsample.indices(count: min(x.count, y.count), limit: scatterLimit)
            out += SVGChart.scatter(x: kept.map { x[$0] }, y: kept.map { y[$0] }, xLabel: xLabel, yLabel: yLabel)
            if kept.count < x.count { out += "<p class=\"note\">\(kept.count) of \(x.count) points shown.</p>" }
        }
        return out + "</figure>\n"
    }

    static func latestEvaluation(_ record: [String: Double]) -> String {
        let rows = record.keys.filter { $0 != "step" && $0 != "epoch" }.sorted().map {
            [label($0), number(record[$0]!)]
        }
        return "<h3>Latest evaluation (step \(Int(record["step"] ?? 0)))</h3>\n"
            + table(rows, columns: ["metric", "value"])
    }

    static func resources(_ training: [[String: Double]], _ data: ReportData) -> [[String]] {
        var rows: [[String]] = []
        let rates = training.compactMap { $0["samples_per_second"] }.filter(\.isFinite)
        if !rates.isEmpty {
            rows.append(["samples/s (mean of the logged windows)", number(rates.reduce(0, +) / Double(rates.count))])
            rows.append(["samples/s (last window)", number(rates.last!)])
        }
        if let bytes = training.last?["reduced_bytes_per_step"] {
            rows.append(["gradient bytes reduced per step", String(format: "%.2f MB", bytes / 1e6)])
        }
        return rows + data.resources.map { [$0.name, $0.value] }
    }

    static func table(_ rows: [[String]], columns: [String]) -> String {
        var out = "<table>"
        if columns.contains(where: { !$0.isEmpty }) {
            out += "<tr>" + columns.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr>"
        }
        for row in rows { out += "<tr>" + row.map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>" }
        return out + "</table>\n"
    }

    /// `eval_macro_f1` → `macro_f1`.
    static func label(_ key: String) -> String { key.hasPrefix("eval_") ? String(key.dropFirst(5)) : key }

    public static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.4g", value) : "\(value)"
    }

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title))</title>
        <style>\(style)</style></head>
        <body>
        \(body)<p class="note">Written by ddp-train; rebuild with <code>ddp-train report OUTPUT</code>.</p>
        </body></html>

        """
    }

    static let style = """
        body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;max-width:1500px}\
        h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px;display:inline-block}\
        h3{font-size:14px;margin:12px 0 6px}.status,.note{color:#666;margin:4px 0}\
        .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:12px}\
        figure{margin:0;padding:8px;border:1px solid #ddd;border-radius:6px;background:#fff;overflow-x:auto}\
        figcaption{font-weight:600;margin-bottom:2px}.legend{font-size:12px;color:#444;min-height:16px}\
        .legend span{margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}\
        svg{display:block}.plot-svg{width:100%;height:auto;max-width:640px}\
        .grid{stroke:#eee}.plot{fill:none;stroke:#bbb}.tick{font-size:10px;fill:#555}\
        .axis-label{font-size:11px;fill:#333}.cell{font-size:11px;fill:#111}.cell.light{fill:#fff}\
        .diagonal{stroke:#d62728;stroke-dasharray:4 3}.dot{fill:#1f77b4;fill-opacity:.6}\
        table{border-collapse:collapse;font-size:12px;margin:4px 0}td,th{border:1px solid #ddd;padding:2px 8px;\
        text-align:left}td:not(:first-child){font-variant-numeric:tabular-nums}summary{cursor:pointer}
        """
}
