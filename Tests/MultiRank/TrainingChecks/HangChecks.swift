import Foundation

/// A rank that stops without exiting (SIGSTOP, as a frozen node) ends the job within the
/// collective timeout + 30 s, the report naming that rank; the newest checkpoint is usable
/// and `--resume auto` finishes the run from it.
enum HangChecks {
    static let timeout = 5

    static func run(_ h: inout Harness) {
        stoppedRank(&h)
        straggler(&h)
    }

    /// A rank made 0.2 s slower per step is named at the logging steps, on the console and
    /// in metrics.jsonl (`straggler_rank`, `straggler_lag_seconds`).
    static func straggler(_ h: inout Harness) {
        let output = h.work + "/straggler"
        let outcome = h.run(
            ranks: 3, h.trainArguments(output: output, steps: 6, extra: ["--logging-steps", "3"]),
            environment: ["DDP_TRAIN_TEST_SLOW_RANK": "1"])
        let records = ((try? String(contentsOfFile: output + "/metrics.jsonl", encoding: .utf8)) ?? "")
            .split(separator: "\n").filter { $0.contains("\"loss\"") }
        let named = records.filter { $0.contains("\"straggler_rank\":1") || $0.contains("\"straggler_rank\": 1") }
        h.check(
            outcome.status == 0 && outcome.output.contains("rank 1 is the slowest") && records.count == 2
                && named.count == 2,
            "hang: a rank 0.2 s slower per step is named at both logging steps (\(named.count) of \(records.count))",
            outcome.output.suffix(3000).description + "\n" + records.joined(separator: "\n"))
    }

    static func stoppedRank(_ h: inout Harness) {
        let output = h.work + "/hang"
        let steps = 40
        let arguments = h.trainArguments(
            output: output, steps: steps,
            extra: ["--save-steps", "2", "--save-total-limit", "1", "--collective-timeout", String(timeout)])
        var stoppedPid: Int32?
        var secondsToExit = Double.infinity
        let outcome = h.run(ranks: 3, arguments, timeout: 240) { process in
            // Wait for a checkpoint, then stop world rank 2 (a child of mpirun).
            let deadline = Date().addingTimeInterval(150)
            while Date() < deadline && !FileManager.default.fileExists(atPath: output + "/checkpoint-4") {
                usleep(100_000)
            }
            stoppedPid = rankProcess(2, launcher: process.processIdentifier)
            guard let pid = stoppedPid else { return }
            kill(pid, SIGSTOP)
            let stoppedAt = Date()
            while process.isRunning && Date().timeIntervalSince(stoppedAt) < Double(timeout + 60) { usleep(50_000) }
            secondsToExit = Date().timeIntervalSince(stoppedAt)
        }
        if let pid = stoppedPid {
            kill(pid, SIGCONT)
            kill(pid, SIGKILL)
        }
        let report = outcome.output.split(separator: "\n").first { $0.contains("not arrived:") } ?? ""
        h.check(
            stoppedPid != nil && outcome.status != 0 && secondsToExit < Double(timeout + 30)
                && report.contains("rank 2 (silent for") && report.contains("--collective-timeout \(timeout)"),
            "hang: rank 2 stopped with SIGSTOP ends the job "
                + "\(String(format: "%.1f", secondsToExit)) s later (--collective-timeout \(timeout)), status "
                + "\(outcome.status), naming it: \(report)", outcome.output.suffix(3000).description)
        let newest =
            ((try? FileManager.default.contentsOfDirectory(atPath: output)) ?? [])
            .compactMap { $0.hasPrefix("checkpoint-") ? Int($0.dropFirst("checkpoint-".count)) : nil }.max()
        let resumed = h.run(ranks: 3, arguments + ["--resume", "auto"])
        h.check(
            newest != nil && resumed.status == 0
                && resumed.output.contains("resumed from \(output)/checkpoint-\(newest ?? -1)")
                && h.losses(output)[steps] != nil,
            "hang: --resume auto continues from the newest checkpoint (\(newest.map(String.init) ?? "none")) to step "
                + "\(steps)", resumed.output.suffix(3000).description)
    }

    /// The pid of the child of `launcher` (mpirun) that is world rank `rank`, read from its
    /// environment (OMPI_COMM_WORLD_RANK).
    static func rankProcess(_ rank: Int, launcher: Int32) -> Int32? {
        let children = Checks.shell("pgrep -P \(launcher)").split(separator: "\n").compactMap { Int32($0) }
        return children.first { pid in
            guard let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return environment.split(separator: 0).contains { Array($0) == Array("OMPI_COMM_WORLD_RANK=\(rank)".utf8) }
        }
    }
}
