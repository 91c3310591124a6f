import Foundation

/// A sweep whose job dies: `kill -9` of one rank mid-sweep ends the job; the same command with
/// `--resume auto` finishes it, rerunning the trials claimed but not finished (from their
/// checkpoints) and not the ones finished before the kill; without `--resume` the directory is
/// refused.
enum SweepFaultChecks {
    static func run(_ h: inout Harness) {
        let output = h.work + "/sweep-killed", space = h.work + "/killed-space.json"
        let rates = ["1e-5", "3e-5", "1e-4", "3e-4"]
        try? "{\"learning-rate\": [\(rates.joined(separator: ", "))]}".write(
            toFile: space, atomically: true, encoding: .utf8)
        let arguments = [
            "sweep", "--space", space, "--ranks-per-trial", "1", "--output", output, "--train",
            h.demo + "/train.tsv", "--validation", h.demo + "/validation.tsv", "--max-steps", "12", "--batch-size",
            "16", "--max-length", "32", "--logging-steps", "4", "--save-steps", "4", "--save-total-limit", "1",
            "--metric", "accuracy", "--seed", "5",
        ]
        let queue = output + "/queue"
        func recorded() -> Set<String> {
            Set(((try? FileManager.default.contentsOfDirectory(atPath: queue)) ?? []).filter { $0.hasSuffix(".json") })
        }
        var killed = false
        let first = h.run(ranks: 2, arguments, timeout: 300) { process in
            // Kill one rank once a trial of the second round (2, 3: taken after a first one ended)
            // has written a checkpoint: it has steps to go, so it is still unfinished when the job dies.
            let deadline = Date().addingTimeInterval(200)
            func unrecordedCheckpoint() -> Bool {
                rates.indices.dropFirst(2).contains { trial in
                    !recorded().contains("trial-\(trial).rung-0.json")
                        && ((try? FileManager.default.contentsOfDirectory(atPath: output + "/trial-\(trial)")) ?? [])
                            .contains { $0.hasPrefix("checkpoint-") }
                }
            }
            while Date() < deadline && (recorded().isEmpty || !unrecordedCheckpoint()) { usleep(50_000) }
            let children = Checks.shell("pgrep -P \(process.processIdentifier) | tail -1")
            guard let pid = Int32(children.trimmingCharacters(in: .whitespacesAndNewlines)) else { return }
            kill(pid, SIGKILL)
            killed = true
        }
        // What the dead job left (the other rank may record a trial in the moment before it is killed).
        let atKill = recorded()
        let claimsAtKill = Set(
            ((try? FileManager.default.contentsOfDirectory(atPath: queue)) ?? []).filter { $0.hasSuffix(".claim") })
        let checkpointed = Set(
            rates.indices.filter { trial in
                !atKill.contains("trial-\(trial).rung-0.json")
                    && ((try? FileManager.default.contentsOfDirectory(atPath: output + "/trial-\(trial)")) ?? [])
                        .contains { $0.hasPrefix("checkpoint-") }
            })
        let unfinished = claimsAtKill.map { $0.replacingOccurrences(of: ".claim", with: ".json") }.filter {
            !atKill.contains($0)
        }
        h.check(
            killed && first.status != 0 && !atKill.isEmpty && atKill.count < rates.count && !checkpointed.isEmpty,
            "sweep kill: kill -9 of a rank mid-sweep ends the job (status \(first.status)); recorded then: "
                + "\(atKill.sorted()), claimed and unfinished: \(unfinished.sorted()), with a checkpoint: "
                + "\(checkpointed.sorted())",
            first.output.suffix(3000).description)
        let refused = h.run(ranks: 2, arguments)
        h.check(
            refused.status == 64 && refused.output.contains("--resume auto"),
            "sweep kill: rerunning without --resume refuses the directory that holds the sweep",
            refused.output.suffix(2000).description)
        let resumed = h.run(ranks: 2, arguments + ["--resume", "auto"], timeout: 300)
        let records = SweepChecks.records(output)
        let rerun = (0..<rates.count).filter { resumed.output.contains("trial \($0): finished") }
        let before = atKill.compactMap { Int($0.dropFirst(6).prefix { $0.isNumber }) }
        let after = unfinished.compactMap { Int($0.dropFirst(6).prefix { $0.isNumber }) }
        h.check(
            resumed.status == 0 && records.count == rates.count
                && records.allSatisfy { $0["status"] as? String == "finished" }
                && Set(rerun).isDisjoint(with: before) && Set(after).isSubset(of: rerun)
                && checkpointed.allSatisfy { resumed.output.contains("trial \($0): resumed from") },
            "sweep kill: --resume auto finishes every trial, reruns the unfinished \(after.sorted()) (from their "
                + "checkpoints: \(checkpointed.sorted())) and not the finished \(before.sorted()) (ran now: \(rerun))",
            resumed.output.suffix(3000).description)
        try? FileManager.default.removeItem(atPath: output)
    }
}
