import Foundation

enum Checks {
    /// World-size invariance and identical replicas: the same run (same seed, global batch
    /// 16, dropout on) at 1, 2 and 4 ranks, and with no launcher at all. `--checksum-steps 1`
    /// makes every rank compare parameter hashes after every step (the run fails otherwise).
    /// Tolerance: losses within 1e-6 relative, final parameters within 1e-6 of the largest
    /// parameter magnitude (different float summation orders only).
    static func equivalence(_ h: inout Harness) {
        // Each run: its name, ranks (0: no launcher), options beyond the common ones. The last
        // two are the other reduction strategies: bucketed allreduce overlapped with the
        // backward pass, and the sharded optimizer (reduce-scatter, shard update, allgather).
        let runs: [(name: String, ranks: Int, extra: [String])] = [
            ("no launcher", 0, []), ("np 1", 1, []), ("np 2", 2, []), ("np 4", 4, []),
            ("np 2 overlapped", 2, ["--overlap-communication", "true"]),
            ("np 2 sharded optimizer", 2, ["--shard-optimizer", "true"]),
        ]
        var outputs: [String: String] = [:]
        for run in runs {
            let output = h.work + "/equivalence-" + run.name.replacingOccurrences(of: " ", with: "-")
            let outcome = h.run(
                ranks: run.ranks,
                h.trainArguments(
                    output: output, steps: 8, extra: ["--checksum-steps", "1", "--dropout", "0.1"] + run.extra))
            h.check(
                outcome.status == 0, "equivalence: \(run.name) trains 8 steps with replica checks every step",
                outcome.output)
            outputs[run.name] = output
        }
        let reference = h.losses(outputs["np 1"]!)
        h.check(reference.count == 8, "equivalence: np 1 logged 8 losses", "\(reference)")
        let singleton = WeightComparison(
            outputs["no launcher"]! + "/model.safetensors", outputs["np 1"]! + "/model.safetensors")
        h.check(
            singleton.identicalBytes, "equivalence: no launcher and np 1 give bitwise the same model", "\(singleton)")
        for name in runs.dropFirst(2).map(\.name) {
            let losses = h.losses(outputs[name]!)
            let worst =
                reference.map { step, loss in abs((losses[step] ?? .infinity) - loss) / loss }.max() ?? .infinity
            h.check(
                worst <= 1e-6, "equivalence: \(name) loss trajectory equals np 1 (worst relative difference \(worst))",
                "np 1: \(reference.sorted { $0.key < $1.key })\n\(name): \(losses.sorted { $0.key < $1.key })")
            let weights = WeightComparison(
                outputs["np 1"]! + "/model.safetensors", outputs[name]! + "/model.safetensors")
            h.check(
                weights.problem == nil && weights.maxRelativeDifference <= 1e-6,
                "equivalence: \(name) final parameters equal np 1 (max difference \(weights.maxRelativeDifference) "
                    + "of the largest magnitude, \(weights.tensorCount) tensors)",
                "\(weights)")
        }
    }

    /// Exact resume: a run stopped (as by preemption) after step 5 — checkpoint, exit — and
    /// resumed with `--resume auto` reaches bitwise the same model as the uninterrupted run at
    /// the same rank count; resumed at another rank count it follows the same sample stream.
    static func exactResume(_ h: inout Harness) {
        let full = h.work + "/resume-full", stopped = h.work + "/resume-stopped", other = h.work + "/resume-np1"
        let reader = h
        let arguments = { (output: String) in
            reader.trainArguments(output: output, steps: 10, extra: ["--save-steps", "4"])
        }
        var outcome = h.run(ranks: 2, arguments(full))
        h.check(outcome.status == 0, "resume: uninterrupted np 2 run", outcome.output)
        outcome = h.run(ranks: 2, arguments(stopped), environment: ["DDP_TRAIN_TEST_STOP_AT_STEP": "5"])
        h.check(
            outcome.status == 75 && outcome.output.contains("stopping")
                && FileManager.default.fileExists(atPath: stopped + "/checkpoint-5/manifest.json"),
            "resume: a stop request after step 5 writes checkpoint-5 and exits 75 (resumable)", outcome.output)
        try? FileManager.default.copyItem(atPath: stopped, toPath: other)
        outcome = h.run(ranks: 2, arguments(stopped) + ["--resume", "auto"])
        h.check(
            outcome.status == 0 && outcome.output.contains("resumed from \(stopped)/checkpoint-5"),
            "resume: --resume auto continues from checkpoint-5", outcome.output)
        let exact = WeightComparison(full + "/model.safetensors", stopped + "/model.safetensors")
        h.check(
            exact.identicalBytes, "resume: stopped and resumed at np 2 is bitwise identical to the uninterrupted run",
            "\(exact)")
        let fullLosses = h.losses(full), resumedLosses = h.losses(stopped)
        h.check(
            fullLosses == resumedLosses, "resume: metrics.jsonl of the resumed run equals the uninterrupted one",
            "\(fullLosses.sorted { $0.key < $1.key })\n\(resumedLosses.sorted { $0.key < $1.key })")
        outcome = h.run(ranks: 1, arguments(other) + ["--resume", "auto"])
        h.check(outcome.status == 0, "resume: the np 2 checkpoint resumes at np 1", outcome.output)
        let stream = WeightComparison(full + "/model.safetensors", other + "/model.safetensors")
        let otherLosses = h.losses(other)
        let worst =
            fullLosses.map { step, loss in abs((otherLosses[step] ?? .infinity) - loss) / loss }.max() ?? .infinity
        h.check(
            stream.maxRelativeDifference <= 1e-5 && worst <= 1e-4,
            "resume: resumed at np 1 it continues the same sample stream (parameters within "
                + "\(stream.maxRelativeDifference), losses within \(worst))",
            "\(stream)")
    }

    /// A rank killed with SIGKILL ends the job (non-zero, within 30 s); a crash in the middle
    /// of writing a checkpoint leaves the earlier one usable and `--resume auto` takes it; a
    /// checkpoint file changed after writing is refused with its name.
    static func faults(_ h: inout Harness) {
        let output = h.work + "/fault-kill"
        var killed = false
        var secondsToExit = Double.infinity
        let reader = h
        let outcome = h.run(ranks: 3, h.trainArguments(output: output, steps: 100_000), timeout: 180) { process in
            // Wait until training runs, then kill one rank (a child of mpirun).
            let deadline = Date().addingTimeInterval(90)
            while Date() < deadline && reader.losses(output).isEmpty { usleep(100_000) }
            // The ranks are mpirun's children (the launcher is exec'd through /usr/bin/env).
            let children = Checks.shell("pgrep -P \(process.processIdentifier) | tail -1")
            if let pid = Int32(children.trimmingCharacters(in: .whitespacesAndNewlines)) {
                kill(pid, SIGKILL)
                killed = true
                let killedAt = Date()
                while process.isRunning && Date().timeIntervalSince(killedAt) < 60 { usleep(20_000) }
                secondsToExit = Date().timeIntervalSince(killedAt)
            }
        }
        h.check(
            killed && outcome.status != 0 && secondsToExit < 30,
            "faults: kill -9 of one of 3 ranks ends the job with status \(outcome.status) "
                + "\(String(format: "%.1f", secondsToExit)) s later",
            outcome.output.suffix(2000).description)
        let crash = h.work + "/fault-checkpoint"
        var result = h.run(
            ranks: 2, h.trainArguments(output: crash, steps: 12, extra: ["--save-steps", "4"]),
            environment: ["DDP_TRAIN_TEST_CRASH_IN_CHECKPOINT": "8"])
        let complete =
            (try? FileManager.default.contentsOfDirectory(atPath: crash))?.filter { $0.hasPrefix("checkpoint-") }
            .sorted() ?? []
        h.check(
            result.status != 0 && complete == ["checkpoint-4"],
            "faults: a crash while writing checkpoint-8 leaves only the complete checkpoint-4 (found \(complete))",
            result.output.suffix(2000).description)
        result = h.run(
            ranks: 2, h.trainArguments(output: crash, steps: 12, extra: ["--save-steps", "4", "--resume", "auto"]))
        h.check(
            result.status == 0 && result.output.contains("resumed from \(crash)/checkpoint-4"),
            "faults: --resume auto picks checkpoint-4 after the crash and finishes", result.output)
        // Damage one byte of a checkpoint's weights.
        let weights = crash + "/checkpoint-8/model.safetensors"
        if let handle = FileHandle(forUpdatingAtPath: weights) {
            handle.seek(toFileOffset: 5000)
            let byte = handle.readData(ofLength: 1)
            handle.seek(toFileOffset: 5000)
            handle.write(Data([byte.first! ^ 0xFF]))
            try? handle.close()
        }
        result = h.run(
            ranks: 2, h.trainArguments(output: crash, steps: 16, extra: ["--resume", crash + "/checkpoint-8"]))
        h.check(
            result.status != 0 && result.output.contains("\(weights): checksum does not match the manifest"),
            "faults: a damaged checkpoint is refused, naming the file", result.output)
    }

    /// SIGUSR1 to mpirun (as Slurm's --signal sends before preemption) reaches every rank:
    /// they agree on a step, checkpoint it and exit with 75 (stopped, resumable).
    static func preemptionSignal(_ h: inout Harness) {
        let output = h.work + "/signal"
        let reader = h
        let outcome = h.run(ranks: 2, h.trainArguments(output: output, steps: 100_000), timeout: 120) { process in
            let deadline = Date().addingTimeInterval(90)
            while Date() < deadline && reader.losses(output).count < 2 { usleep(100_000) }
            kill(process.processIdentifier, SIGUSR1)
        }
        let checkpoints =
            (try? FileManager.default.contentsOfDirectory(atPath: output))?.filter { $0.hasPrefix("checkpoint-") } ?? []
        h.check(
            outcome.status == 75 && outcome.output.contains("stop requested (SIGUSR1)") && checkpoints.count == 1,
            "signal: SIGUSR1 to mpirun checkpoints (\(checkpoints)) and stops every rank with status 75 (got "
                + "\(outcome.status))",
            outcome.output.suffix(3000).description)
    }

    /// Bad input: a clear error naming the file and line or option, non-zero status, before
    /// any training starts.
    static func badInput(_ h: inout Harness) {
        let dir = h.work + "/bad"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func write(_ name: String, _ text: String) -> String {
            let path = dir + "/" + name
            try? text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let good = h.demo + "/train.tsv"
        let noLabel = write("no-label.tsv", "sentence\tlabel\ngood film\tpositive\nno label here\n")
        let unknown = write("unknown.tsv", "sentence\tlabel\ngreat\tpositive\nawful\tpostive\n")
        let empty = write("empty.tsv", "sentence\tlabel\n")
        try? FileManager.default.createDirectory(atPath: dir + "/no-weights", withIntermediateDirectories: true)
        try? FileManager.default.copyItem(atPath: h.model + "/config.json", toPath: dir + "/no-weights/config.json")
        // The model with a config.json whose type_vocab_size would allocate 192 GB (issue 15).
        let huge = dir + "/huge-config"
        try? FileManager.default.createDirectory(atPath: huge, withIntermediateDirectories: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: h.model)) ?? [] where name != "config.json" {
            try? FileManager.default.createSymbolicLink(
                atPath: huge + "/" + name, withDestinationPath: h.model + "/" + name)
        }
        let config = (try? String(contentsOfFile: h.model + "/config.json", encoding: .utf8)) ?? ""
        _ = write(
            "huge-config/config.json",
            config.replacingOccurrences(of: "\"type_vocab_size\": 2", with: "\"type_vocab_size\": 1000000000"))
        let cases: [(String, [String], String)] = [
            ("missing training file", ["--train", dir + "/nope.tsv"], "--train \(dir)/nope.tsv: no such file"),
            ("row without a label", ["--train", noLabel], "\(noLabel):3: row has 1 field, no label column"),
            (
                "unknown validation label", ["--train", good, "--validation", unknown],
                "\(unknown):3: label \"postive\" is not one of [negative, positive]"
            ),
            ("empty data set", ["--train", empty], "\(empty): contains no examples"),
            (
                "batch smaller than ranks", ["--train", good, "--batch-size", "1"],
                "--batch-size 1 is smaller than the 2 ranks"
            ),
            (
                "model without weights", ["--train", good, "--model", dir + "/no-weights"],
                "\(dir)/no-weights: no model.safetensors"
            ),
            (
                "config.json size unlike the weights", ["--train", good, "--model", huge],
                "\(huge)/config.json: type_vocab_size is 1000000000, but \(huge)/model.safetensors has "
                    + "embeddings.token_type_embeddings.weight of shape [2, 384]"
            ),
            (
                "conflicting options", ["--train", good, "--no-shuffle", "--group-by-length"],
                "--no-shuffle and --group-by-length conflict"
            ),
            (
                "unknown option", ["--train", good, "--lerning-rate", "1e-4"],
                "unknown option --lerning-rate (did you mean --learning-rate?)"
            ),
        ]
        for (name, arguments, expected) in cases {
            let outcome = h.run(ranks: 2, ["train", "--output", dir + "/out"] + arguments, timeout: 60)
            let printed = outcome.output.components(separatedBy: expected).count - 1
            h.check(
                outcome.status != 0 && printed == 1 && !outcome.output.contains("step 1 "),
                "bad input: \(name) → status \(outcome.status), printed once: \"\(expected)\"", outcome.output)
        }
    }

    /// predict and evaluate on a trained model agree with the trainer's own evaluation.
    static func inference(_ h: inout Harness) {
        let output = h.work + "/inference"
        var outcome = h.run(
            ranks: 2, h.trainArguments(output: output, steps: 20, extra: ["--validation", h.demo + "/validation.tsv"]))
        h.check(outcome.status == 0, "inference: train with validation", outcome.output)
        let accuracyLine =
            outcome.output.split(separator: "\n").last { $0.contains("validation accuracy") }.map(String.init) ?? ""
        // The training length is saved where transformers' tokenizers read it, and evaluate and
        // predict below (no --max-length) take it from there.
        let tokenizerConfig =
            (try? JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: output + "/tokenizer_config.json")))) as? [String: Any]
        h.check(
            tokenizerConfig?["model_max_length"] as? Int == 32 && tokenizerConfig?["do_lower_case"] as? Bool == true,
            "inference: tokenizer_config.json keeps its keys and records the training length (32)",
            "\(tokenizerConfig ?? [:])")
        outcome = h.run(
            ranks: 2,
            [
                "evaluate", "--model", output, "--validation", h.demo + "/validation.tsv", "--output",
                output + "/eval.json",
            ])
        let evaluation =
            (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + "/eval.json"))))
            as? [String: Any]
        let accuracy = evaluation?["eval_accuracy"] as? Double ?? -1
        h.check(
            outcome.status == 0 && accuracyLine.contains(String(format: "validation accuracy %.4f", accuracy)),
            "inference: evaluate gives the trainer's final accuracy (\(accuracy))", outcome.output + "\n" + accuracyLine
        )
        let predictions = output + "/predictions.jsonl"
        outcome = h.run(
            ranks: 2, ["predict", "--model", output, "--input", h.demo + "/validation.tsv", "--output", predictions])
        let lines = ((try? String(contentsOfFile: predictions, encoding: .utf8)) ?? "").split(separator: "\n")
        let first = lines.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        h.check(
            outcome.status == 0 && lines.count == 80 && first?["label"] is String
                && (first?["probabilities"] as? [Double])?.count == 2
                && (first?["logits"] as? [Double])?.count == 2,
            "inference: predict writes label, probabilities and logits for all 80 rows", outcome.output)
    }

    static func shell(_ command: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        try? process.run()
        process.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }
}
