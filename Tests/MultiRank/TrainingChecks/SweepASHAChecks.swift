import Foundation

/// `ddp-train sweep --scheduler asha`: 9 trials, η = 3, rungs at 2, 6 and 18 steps, at np 2 in
/// groups of 1 (two groups, asynchronous). Exactly 9 → 3 → 1 trials reach the rungs (the
/// metric, eval_loss, is distinct), trials stopped at a rung ran only to it, the trial that
/// reaches the last rung is the best of rung 1 (promotion from rung 1 needs its 3 results), and
/// its final model — paused twice and resumed — is bitwise the same options trained straight
/// through alone. The sweep is stopped (as by SIGUSR1) during its first promoted trial and
/// resumed, so all of this holds across a stop too.
enum SweepASHAChecks {
    static func run(_ h: inout Harness) {
        let output = h.work + "/asha", space = h.work + "/asha-space.json"
        try? #"{"learning-rate": {"low": 1e-5, "high": 1e-3, "log": true}}"#.write(
            toFile: space, atomically: true, encoding: .utf8)
        let common = [
            "--train", h.demo + "/train.tsv", "--validation", h.demo + "/validation.tsv", "--max-steps", "18",
            "--batch-size", "16", "--max-length", "32", "--eval-steps", "100", "--logging-steps", "2",
            "--save-steps", "0", "--seed", "5", "--greater-is-better", "false",
        ]
        let arguments =
            [
                "sweep", "--space", space, "--scheduler", "asha", "--trials", "9", "--min-resource", "2",
                "--reduction-factor", "3", "--ranks-per-trial", "1", "--metric", "eval_loss", "--output", output,
            ] + common
        // Stopped as by SIGUSR1 at step 4 — inside the first promoted trial's rung-1 job (steps 3–6) —
        // while the other group runs or waits for a promotion; then resumed.
        let first = h.run(ranks: 2, arguments, environment: ["DDP_TRAIN_TEST_STOP_AT_STEP": "4"])
        h.check(
            first.status == 75 && first.output.contains("stop requested"),
            "asha: a stop request during a promoted trial ends the sweep with exit 75",
            first.output.suffix(3000).description)
        let outcome = h.run(ranks: 2, arguments + ["--resume", "auto"])
        let records = SweepChecks.records(output)
        let reached = (0..<3).map { rung in
            Set(records.filter { $0["rung"] as? Int == rung }.map { $0["trial"] as! Int })
        }
        h.check(
            outcome.status == 0 && reached.map(\.count) == [9, 3, 1],
            "asha: resumed, 9 → 3 → 1 trials reach the rungs at 2, 6, 18 steps (\(reached.map(\.count)))",
            outcome.output.suffix(3000).description)
        let rungSteps = [2, 6, 18]
        let consistent = records.allSatisfy { record in
            let rung = record["rung"] as? Int ?? -1, steps = record["steps"] as? Int ?? -1
            let status = record["status"] as? String ?? ""
            return rung >= 0 && rung < 3 && steps == rungSteps[rung] && status == (rung == 2 ? "finished" : "paused")
        }
        // A trial that stopped at a rung trained no step past it (its last logged training step).
        let stoppedTrainedOnlyToTheirRung = (0..<9).allSatisfy { trial in
            let furthest = reached.lastIndex { $0.contains(trial) } ?? -1
            return furthest >= 0 && h.losses(output + "/trial-\(trial)").keys.max() == rungSteps[furthest]
        }
        let metrics0 = records.filter { $0["rung"] as? Int == 0 }.compactMap { $0["metric"] as? Double }
        h.check(
            consistent && stoppedTrainedOnlyToTheirRung && Set(metrics0).count == 9,
            "asha: every record at its rung's step, stopped trials trained only to their rung, 9 distinct metrics",
            records.map { "\($0)" }.joined(separator: "\n"))
        let rung1 = records.filter { $0["rung"] as? Int == 1 }
        let bestOfRung1 = rung1.min {
            ($0["metric"] as? Double ?? .infinity) < ($1["metric"] as? Double ?? .infinity)
        }
        let winner = reached[2].first ?? -1
        let link = try? FileManager.default.destinationOfSymbolicLink(atPath: output + "/best")
        h.check(
            bestOfRung1?["trial"] as? Int == winner && link == "trial-\(winner)",
            "asha: the trial at the last rung is rung 1's best, linked as best (trial \(winner), \(link ?? "none"))",
            rung1.map { "\($0)" }.joined(separator: "\n"))
        let spent = (0..<9).reduce(0) { sum, trial in sum + rungSteps[reached.lastIndex { $0.contains(trial) } ?? 0] }
        print("asha: \(spent) steps trained against the grid's \(9 * 18) for the same 9 configurations")
        let rate = (records.first { $0["trial"] as? Int == winner }?["config"] as? [String: String])?["learning-rate"]
        let alone = h.work + "/asha-alone"
        let single = h.run(
            ranks: 1,
            ["train", "--learning-rate", rate ?? "?", "--metric-for-best-model", "eval_loss", "--output", alone]
                + common)
        let same = WeightComparison(output + "/trial-\(winner)/model.safetensors", alone + "/model.safetensors")
        h.check(
            single.status == 0 && same.identicalBytes,
            "asha: the winner, paused at steps 2 and 6 and resumed, is bitwise its options trained straight at np 1",
            "\(same)\n\(single.output.suffix(2000))")
        for directory in [output, alone] { try? FileManager.default.removeItem(atPath: directory) }
    }
}
