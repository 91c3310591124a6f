import Foundation

/// Runs `ddp-train` under `mpirun` (or alone) as a child process and records what happened.
struct Harness {
    let binary: String
    let work: String
    let model: String
    let demo: String
    var failures = 0

    struct Outcome {
        var status: Int32
        var output: String
        var seconds: Double
    }

    /// `mpirun -np ranks binary arguments` (ranks 0: the binary alone, no launcher).
    func run(
        ranks: Int, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 600,
        whileRunning: (Process) -> Void = { _ in }
    ) -> Outcome {
        let process = Process()
        if ranks == 0 {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            var launcher = ["mpirun", "--np", String(ranks), "--oversubscribe", "--bind-to", "none"]
            if getuid() == 0 { launcher.append("--allow-run-as-root") }
            for key in environment.keys.sorted() { launcher += ["-x", key] }
            process.arguments = launcher + [binary] + arguments
        }
        var env = ProcessInfo.processInfo.environment
        env["DDP_TRAIN_MODEL"] = model
        env["DDP_TRAIN_THREADS"] = env["DDP_TRAIN_THREADS"] ?? "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let log = work + "/process-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)!
        process.standardOutput = handle
        process.standardError = handle
        let start = Date()
        do { try process.run() } catch { return Outcome(status: -1, output: "cannot start: \(error)", seconds: 0) }
        whileRunning(process)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? handle.close()
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: log)
        return Outcome(status: process.terminationStatus, output: output, seconds: Date().timeIntervalSince(start))
    }

    /// Records a check's result; a failure prints the evidence.
    mutating func check(_ condition: Bool, _ name: String, _ detail: @autoclosure () -> String = "") {
        if condition {
            print("PASS \(name)")
        } else {
            failures += 1
            print("FAIL \(name)\n\(detail())")
        }
        fflush(nil)
    }

    /// The `loss` of every training record of a run's metrics.jsonl, by step.
    func losses(_ output: String) -> [Int: Double] {
        guard let text = try? String(contentsOfFile: output + "/metrics.jsonl", encoding: .utf8) else { return [:] }
        var result: [Int: Double] = [:]
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let step = object["step"] as? Int, let loss = object["loss"] as? Double
            else { continue }
            result[step] = loss
        }
        return result
    }

    func trainArguments(output: String, steps: Int, extra: [String] = []) -> [String] {
        [
            "train", "--train", demo + "/train.tsv", "--output", output, "--max-steps", String(steps),
            "--batch-size", "16", "--learning-rate", "1e-4", "--warmup-steps", "2", "--weight-decay", "0.01",
            "--max-length", "32", "--logging-steps", "1", "--save-steps", "0", "--seed", "7",
        ] + extra
    }
}
