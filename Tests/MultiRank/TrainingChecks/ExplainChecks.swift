import Foundation

/// `explain` under mpirun: the examples shared among 2 ranks give the lines of one process, in
/// input order, each complete (Σ attributions within 1 % of f(x) − f(baseline), or 1e-3 where
/// that gap is below 0.1: a model trained 10 steps barely separates input and baseline); the
/// page is self-contained.
enum ExplainChecks {
    static func run(_ h: inout Harness) {
        let output = h.work + "/explain"
        var outcome = h.run(ranks: 2, h.trainArguments(output: output, steps: 10))
        h.check(outcome.status == 0, "explain: train a model to explain", outcome.output)
        var lines: [Int: [[String: Any]]] = [:]
        for ranks in [0, 2] {
            let path = output + "/explanations-\(ranks).jsonl"
            outcome = h.run(
                ranks: ranks,
                [
                    "explain", "--model", output, "--input", h.demo + "/validation.tsv", "--output", path,
                    "--html", output + "/explanations.html", "--steps", "50",
                ])
            lines[ranks] = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            h.check(
                outcome.status == 0 && lines[ranks]!.count == 80, "explain: np \(ranks) explains 80 rows",
                outcome.output)
        }
        let one = lines[0]!, two = lines[2]!
        var worst = 0.0, incomplete: [Int] = []
        for (a, b) in zip(one, two) {
            let x = a["attributions"] as? [Double] ?? [], y = b["attributions"] as? [Double] ?? []
            if a["line"] as? Int != b["line"] as? Int || x.count != y.count { worst = .infinity }
            for (u, v) in zip(x, y) { worst = max(worst, abs(u - v)) }
            let gap = (b["score"] as? Double ?? 0) - (b["baseline_score"] as? Double ?? 0)
            if abs(y.reduce(0, +) - gap) > max(0.01 * abs(gap), 1e-3) { incomplete.append(b["line"] as? Int ?? -1) }
        }
        h.check(
            !one.isEmpty && one.count == two.count && worst <= 1e-4,
            "explain: np 2 gives np 1's lines in input order (attributions within \(worst))")
        h.check(
            incomplete.isEmpty, "explain: every line complete within 1 % (or 1e-3 for gaps below 0.1) at 50 points",
            "\(incomplete)")
        let page = (try? String(contentsOfFile: output + "/explanations.html", encoding: .utf8)) ?? ""
        h.check(
            page.contains("class=\"tok\"") && !page.contains("<script") && !page.contains("http"),
            "explain: --html writes a self-contained page")
    }
}
