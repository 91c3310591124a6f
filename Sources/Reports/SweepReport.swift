import Foundation
import JSON

/// The HTML report of a sweep directory (`ddp-train sweep`): the trials table and every
/// trial's curves on shared charts (training loss, validation loss, the sweep's metric), from
/// the files the sweep leaves — `sweep.jsonl` (a line per trial), `sweep.md` (the table
/// sorted best first; its header names the metric), `best` (a link to the best trial) and
/// each `trial-<t>/metrics.jsonl`. Only reads them; written as `report.html` beside them.
public enum SweepReport {
    /// One line of `sweep.jsonl`, with its trial's metrics records.
    public struct Trial {
        public var trial: Int
        /// Option name → value, in the space's order.
        public var config: [(name: String, value: String)]
        public var metric: Double?
        public var steps: Int
        public var seconds: Double
        public var status: String
        public var message: String?
        public var records: [[String: Double]] = []
        /// Whether `trial-<t>/report.html` exists (the table links it).
        public var hasPage = false
    }

    /// Whether `directory` is a sweep's output (it has `sweep.jsonl`).
    public static func isSweep(_ directory: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/sweep.jsonl")
    }

    /// Rebuilds `directory/report.html` from the sweep's files; returns its path.
    @discardableResult
    public static func rebuild(directory: String) throws -> String {
        let path = directory + "/sweep.jsonl"
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw ReportError("\(path): no such file (is this the output directory of a ddp-train sweep?)")
        }
        var trials: [Trial] = []
        for (i, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n").enumerated() {
            guard var trial = try? parse(String(line)) else { throw ReportError("\(path):\(i + 1): not a trial line") }
            let trialDirectory = directory + "/trial-\(trial.trial)"
            trial.records = (try? ReportFiles.readMetrics(trialDirectory + "/" + ReportFiles.metrics)) ?? []
            trial.hasPage = FileManager.default.fileExists(atPath: trialDirectory + "/" + ReportFiles.page)
            trials.append(trial)
        }
        let table = (try? String(contentsOfFile: directory + "/sweep.md", encoding: .utf8)) ?? ""
        let (metric, order) = ranking(sweepTable: table)
        let best = (try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/best"))
            .flatMap { Int($0.dropFirst("trial-".count)) }
        let page = render(
            title: "ddp-train sweep: " + directory, trials: trials, metric: metric, order: order, best: best)
        let out = directory + "/" + ReportFiles.page
        try ReportFiles.writeAtomically(page, to: out)
        return out
    }

    /// A `sweep.jsonl` line: `{"trial", "config": {name: value}, "metric", "steps", "seconds",
    /// "status"[, "message"]}`.
    static func parse(_ line: String) throws -> Trial {
        let value = try JSONParser.parse(line)
        guard let trial = value["trial"]?.integerValue else { throw ReportError("no trial number") }
        var config: [(name: String, value: String)] = []
        for member in value["config"]?.objectMembers ?? [] {
            if case .string(let text) = member.value { config.append((member.key, text)) }
        }
        func text(_ key: String) -> String? {
            if case .string(let text)? = value[key] { return text }
            return nil
        }
        return Trial(
            trial: trial, config: config, metric: value["metric"]?.doubleValue,
            steps: value["steps"]?.integerValue ?? 0, seconds: value["seconds"]?.doubleValue ?? 0,
            status: text("status") ?? "unknown", message: text("message"))
    }

    /// From `sweep.md`: the metric's key (the header's fourth column from the end: `| trial |
    /// names… | metric | steps | seconds | status |`) and the trials best first (its rows).
    static func ranking(sweepTable: String) -> (metric: String?, order: [Int]) {
        let lines = sweepTable.split(separator: "\n")
        func cells(_ line: Substring) -> [String] {
            line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        guard let header = lines.first.map(cells), header.count >= 5, header[0] == "trial" else { return (nil, []) }
        return (header[header.count - 4], lines.dropFirst(2).compactMap { cells($0).first.flatMap { Int($0) } })
    }

    /// The page: the table (best first when `order` is known), then the charts.
    public static func render(title: String, trials: [Trial], metric: String?, order: [Int], best: Int?) -> String {
        let byNumber = Dictionary(trials.map { ($0.trial, $0) }, uniquingKeysWith: { a, _ in a })
        let ordered = order.compactMap { byNumber[$0] } + trials.filter { !order.contains($0.trial) }
        let names = trials.first?.config.map(\.name) ?? []
        let finished = trials.filter { $0.status == "finished" }.count
        var body = "<h1>\(HTML.escape(title))</h1>\n<p class=\"status\">\(trials.count) trials, \(finished) finished"
        body += (metric.map { "; metric \(HTML.escape($0))" } ?? "") + (best.map { "; best: trial \($0)" } ?? "")
        body += ".</p>\n<h2>Trials</h2>\n<div data-table=\"Trials\">"
        let columns = ["trial"] + names + [metric ?? "metric", "steps", "seconds", "status"]
        var rows = "<table><tr>" + columns.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr>"
        for t in ordered {
            let name = "trial \(t.trial)" + (t.trial == best ? " ★" : "")
            let link = t.hasPage ? "<a href=\"trial-\(t.trial)/report.html\">\(name)</a>" : HTML.escape(name)
            let status = t.status + (t.message.map { ": " + $0 } ?? "")
            let cells =
                t.config.map(\.value) + [
                    t.metric.map(HTMLReport.number) ?? "–", "\(t.steps)", String(format: "%.1f", t.seconds), status,
                ]
            rows += "<tr><td>\(link)</td>" + cells.map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>"
        }
        body += rows + "</table></div>\n<h2>Curves</h2>\n<div class=\"charts\">\n"
        func label(_ t: Trial) -> String {
            "trial \(t.trial)"
                + (t.config.isEmpty
                    ? "" : " (" + t.config.map { "\($0.name) \($0.value)" }.joined(separator: ", ") + ")")
        }
        var charts: [(String, String, Bool)] = [
            ("Training loss", "loss", false), ("Validation loss", "eval_loss", true),
        ]
        if let metric, metric != "eval_loss" { charts.append((HTMLReport.label(metric), metric, true)) }
        for (chartTitle, key, evaluation) in charts {
            body += HTMLReport.chart(
                chartTitle,
                trials.map { t in
                    (
                        label(t),
                        HTMLReport.series(t.records.filter { TensorBoardTags.isEvaluation($0) == evaluation }, key)
                    )
                })
        }
        return HTMLReport.page(title: title, body: body + "</div>\n")
    }
}
