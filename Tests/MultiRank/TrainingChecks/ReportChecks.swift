import Foundation

/// Where each rank's step time went, end to end: every training record of `metrics.jsonl`
/// holds every rank's step time and its parts (forward, backward, communication wait,
/// optimizer), throughput, bytes reduced and peak memory; the parts are measured (positive)
/// and add up to at most the step; `report.html` draws a bar for every rank.
enum ReportChecks {
    static let parts = ["forward_seconds", "backward_seconds", "communication_wait_seconds", "optimizer_seconds"]
    static let others = ["step_seconds", "samples_per_second", "reduced_bytes_per_step", "peak_memory_mib"]

    static func breakdown(_ h: inout Harness, output: String, ranks: Int, label: String) {
        let text = (try? String(contentsOfFile: output + "/metrics.jsonl", encoding: .utf8)) ?? ""
        let training = text.split(separator: "\n")
            .compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
            .filter { $0["loss"] != nil }
        var problems: [String] = []
        for record in training {
            let step = record["step"] as? Int ?? -1
            for rank in 0..<ranks {
                func value(_ part: String) -> Double? { record["\(part)_rank_\(rank)"] as? Double }
                let missing = (parts + others).filter { value($0) == nil }
                guard missing.isEmpty else {
                    problems.append("step \(step) rank \(rank): no \(missing)")
                    continue
                }
                let stepSeconds = value("step_seconds")!
                let sum = parts.reduce(0) { $0 + value($1)! }
                // The forward, backward and optimizer parts do work on every rank; a wait can be 0.
                if !(value("forward_seconds")! > 0 && value("backward_seconds")! > 0 && value("optimizer_seconds")! > 0
                    && value("communication_wait_seconds")! >= 0)
                {
                    problems.append("step \(step) rank \(rank): a part is not measured: \(parts.map { value($0)! })")
                }
                if sum > stepSeconds * 1.0001 + 1e-6 {
                    problems.append("step \(step) rank \(rank): parts \(sum) s exceed the step \(stepSeconds) s")
                }
                if !(value("samples_per_second")! > 0 && value("peak_memory_mib")! > 10
                    && value("reduced_bytes_per_step")! > 0)
                {
                    problems.append("step \(step) rank \(rank): \(others.map { value($0)! })")
                }
            }
            if record["step_seconds_rank_\(ranks)"] != nil { problems.append("step \(step): a rank \(ranks)") }
        }
        h.check(
            !training.isEmpty && problems.isEmpty,
            "report (\(label)): \(training.count) training records hold ranks 0–\(ranks - 1)'s step breakdown, "
                + "parts ≤ step", problems.prefix(10).joined(separator: "\n"))
        let page = (try? String(contentsOfFile: output + "/report.html", encoding: .utf8)) ?? ""
        let rest = page.range(of: "data-chart=\"Step time per rank\"").map { page[$0.upperBound...] } ?? ""
        let figure = rest[..<(rest.range(of: "</figure>")?.lowerBound ?? rest.endIndex)]
        h.check(
            (0..<ranks).allSatisfy { figure.contains(">rank \($0)<") } && page.contains("data-table=\"Per rank\""),
            "report (\(label)): report.html draws every rank's step time and its table",
            String(page.prefix(400)))
    }

    /// The run log's last line times the steps apart from what follows them (the final
    /// evaluation, checkpoint and model files), and its samples/s are over the steps, as the
    /// Hugging Face Trainer's `train_runtime` and `train_samples_per_second`.
    static func doneLine(_ h: inout Harness, log: String, steps: Int, batch: Int, label: String) {
        let pattern = #/done: (\d+) steps in ([0-9.]+) s \(([0-9.]+) samples/s; ([0-9.]+) s more for the final/#
        guard let match = log.firstMatch(of: pattern), let seconds = Double(match.2), let rate = Double(match.3),
            let after = Double(match.4)
        else { return h.check(false, "report (\(label)): the done line", String(log.suffix(600))) }
        // Both figures are printed to one decimal: the rate must fit the seconds' rounding.
        let samples = Double(steps * batch)
        let fastest = samples / max(seconds - 0.05, 1e-9) + 0.05, slowest = samples / (seconds + 0.05) - 0.05
        h.check(
            Int(match.1) == steps && seconds > 0 && after > 0 && rate >= slowest && rate <= fastest,
            "report (\(label)): done line: \(steps) steps in \(seconds) s at \(rate) samples/s "
                + "(\(steps) × \(batch) samples), then \(after) s for the final evaluation and files",
            String(match.0))
    }
}
