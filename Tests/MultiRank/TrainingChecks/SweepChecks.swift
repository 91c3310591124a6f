import Foundation

/// `ddp-train sweep`: a grid of learning rates at np 4 in groups of 2 ranks writes the whole
/// table and picks the best by the metric; a trial's model is bitwise the one its options
/// give trained alone at np 2.
enum SweepChecks {
    static func run(_ h: inout Harness) {
        let output = h.work + "/sweep", space = h.work + "/space.json"
        let rates = ["1e-5", "2e-5", "5e-5", "1e-4", "2e-4", "5e-4"]
        try? "{\"learning-rate\": [\(rates.joined(separator: ", "))]}".write(
            toFile: space, atomically: true, encoding: .utf8)
        let common = [
            "--train", h.demo + "/train.tsv", "--validation", h.demo + "/validation.tsv", "--max-steps", "8",
            "--batch-size", "16", "--max-length", "32", "--eval-steps", "4", "--logging-steps", "4",
            "--save-steps", "0", "--metric-for-best-model", "accuracy", "--seed", "5",
        ]
        let outcome = h.run(
            ranks: 4, ["sweep", "--space", space, "--ranks-per-trial", "2", "--output", output] + common)
        let lines = records(output)
        let finished = lines.filter { ($0["status"] as? String) == "finished" && $0["metric"] is Double }
        h.check(
            outcome.status == 0 && lines.count == rates.count && finished.count == rates.count,
            "sweep: \(rates.count) learning rates at np 4 in groups of 2 all finish with a metric (\(finished.count))",
            outcome.output)
        let best = finished.max { ($0["metric"] as! Double) < ($1["metric"] as! Double) }
        let link = try? FileManager.default.destinationOfSymbolicLink(atPath: output + "/best")
        h.check(
            best.map { link == "trial-\($0["trial"] as? Int ?? -1)" } ?? false,
            "sweep: best links the trial with the highest accuracy (\(link ?? "none"))", "\(lines)")
        let table = (try? String(contentsOfFile: output + "/sweep.md", encoding: .utf8)) ?? ""
        h.check(
            rates.allSatisfy { table.contains("| \($0) |") },
            "sweep: sweep.md lists every trial", table)
        let page = (try? String(contentsOfFile: output + "/report.html", encoding: .utf8)) ?? ""
        h.check(
            (0..<rates.count).allSatisfy { page.contains("href=\"trial-\($0)/report.html\"") }
                && !page.contains("src=\"http") && !page.contains("href=\"http"),
            "sweep: report.html tables every trial, linked to its own report, with nothing fetched from outside",
            String(page.prefix(2000)))
        // Stopped (as by SIGUSR1) after step 5 of the running trials, then resumed: exit 75,
        // then the same models as the uninterrupted sweep, finished trials not rerun.
        let stopped = h.work + "/sweep-stopped"
        let arguments = ["sweep", "--space", space, "--ranks-per-trial", "2", "--output", stopped] + common
        let first = h.run(ranks: 4, arguments, environment: ["DDP_TRAIN_TEST_STOP_AT_STEP": "5"])
        let stoppedLines = ((try? String(contentsOfFile: stopped + "/sweep.jsonl", encoding: .utf8)) ?? "")
        h.check(
            first.status == 75 && stoppedLines.contains("\"stopped\""),
            "sweep: a stop request ends the sweep with exit 75 and the running trials stopped", first.output)
        let resumed = h.run(ranks: 4, arguments + ["--resume", "auto"])
        let identical = (0..<rates.count).allSatisfy {
            WeightComparison(
                output + "/trial-\($0)/model.safetensors", stopped + "/trial-\($0)/model.safetensors"
            ).identicalBytes
        }
        h.check(
            resumed.status == 0 && identical,
            "sweep: --resume auto finishes it with the uninterrupted sweep's models, bitwise", resumed.output)
        let again = h.run(ranks: 4, arguments + ["--resume", "auto"])
        h.check(
            again.status == 0 && !again.output.contains("finished, "),
            "sweep: resuming a finished sweep reruns no trial", again.output)
        let alone = h.work + "/sweep-alone"
        let single = h.run(ranks: 2, ["train", "--learning-rate", rates[1], "--output", alone] + common)
        let same = WeightComparison(output + "/trial-1/model.safetensors", alone + "/model.safetensors")
        h.check(
            single.status == 0 && same.identicalBytes,
            "sweep: trial 1 is bitwise the same options trained alone at np 2", "\(same)\n\(single.output)")
        for directory in [output, stopped, alone] { try? FileManager.default.removeItem(atPath: directory) }
        balance(&h)
        SweepFaultChecks.run(&h)
        SweepASHAChecks.run(&h)
    }

    /// Trials of unequal length at np 2 in groups of 1: the group that draws the long trial 0
    /// runs only it, the other takes trials 1, 2 and 3 as it frees up (a static round-robin
    /// would give trials 0 and 2 to one group). Who took a job is in its claim file.
    static func balance(_ h: inout Harness) {
        let output = h.work + "/sweep-balance", space = h.work + "/balance-space.json"
        try? #"{"max-steps": [40, 2, 2, 2]}"#.write(toFile: space, atomically: true, encoding: .utf8)
        let outcome = h.run(
            ranks: 2,
            [
                "sweep", "--space", space, "--ranks-per-trial", "1", "--output", output, "--train",
                h.demo + "/train.tsv", "--batch-size", "16", "--max-length", "32", "--save-steps", "0",
            ])
        let takers = (0..<4).map { trial in
            ((try? String(contentsOfFile: output + "/queue/trial-\(trial).rung-0.claim", encoding: .utf8)) ?? "")
                .split(separator: " ").prefix(3).joined(separator: " ")
        }
        h.check(
            outcome.status == 0 && records(output).count == 4 && !takers[0].isEmpty && takers[0] != takers[1]
                && takers[1] == takers[2] && takers[2] == takers[3],
            "sweep: a free group takes the next trial (trial 0 by \(takers[0]), trials 1–3 by \(takers[1...]))",
            outcome.output.suffix(2000).description)
        try? FileManager.default.removeItem(atPath: output)
    }

    /// The lines of a sweep's sweep.jsonl, parsed.
    static func records(_ output: String) -> [[String: Any]] {
        ((try? String(contentsOfFile: output + "/sweep.jsonl", encoding: .utf8)) ?? "").split(separator: "\n")
            .compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }
}
