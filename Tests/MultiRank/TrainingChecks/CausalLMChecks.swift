import Foundation

/// Causal language modelling on the tiny GPT-2 of `Tests/Fixtures/causal-lm` (random weights,
/// a byte-level BPE trained on the demo corpus; `tools/make_causal_lm_fixtures.py`) and the
/// demo corpus `data/demo-lm`.
enum CausalLMChecks {
    /// The repository's `Tests/Fixtures/causal-lm` (the demo data lives in its `data/demo`).
    static func fixtures(_ h: Harness) -> String {
        URL(fileURLWithPath: h.demo).deletingLastPathComponent().deletingLastPathComponent().path
            + "/Tests/Fixtures/causal-lm"
    }

    static func data(_ h: Harness) -> String { URL(fileURLWithPath: h.demo).deletingLastPathComponent().path }

    /// The options of `trajectory.json` (12 steps in file order, dropout off).
    static func arguments(_ h: Harness, root: String, output: String, extra: [String] = []) -> [String] {
        [
            "train", "--task", "causal-lm", "--model", root + "/tiny-lm", "--train", data(h) + "/demo-lm/train.txt",
            "--output", output, "--block-size", "32", "--batch-size", "4", "--max-steps", "12",
            "--learning-rate", "1e-3", "--weight-decay", "0.01", "--no-shuffle", "--dropout", "0",
            "--logging-steps", "1", "--save-steps", "0",
        ] + extra
    }

    /// np 1, 2 and 4 follow PyTorch's 12 losses and reach the same parameters (the
    /// equivalence check's tolerance); every rank compares replica hashes every step.
    static func trajectory(_ h: inout Harness, root: String) {
        let reference =
            (try? JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: root + "/trajectory.json")))) as? [String: Any]
        let torch = (reference?["losses"] as? [Double]) ?? []
        h.check(torch.count == 12, "causal-lm: the PyTorch trajectory fixture holds 12 losses", "\(root)")
        var outputs: [Int: String] = [:]
        for ranks in [1, 2, 4] {
            let output = h.work + "/causal-lm-np\(ranks)"
            let outcome = h.run(
                ranks: ranks, arguments(h, root: root, output: output, extra: ["--checksum-steps", "1"]))
            outputs[ranks] = output
            let losses = h.losses(output)
            let worst =
                torch.enumerated().map { abs((losses[$0.offset + 1] ?? .infinity) - $0.element) / $0.element }
                .max() ?? .infinity
            h.check(
                outcome.status == 0 && worst <= 1e-4,
                "causal-lm: np \(ranks) follows PyTorch's 12 losses (worst relative difference \(worst))",
                outcome.output)
        }
        // The key third of `c_attn.bias` has an exactly zero gradient (a constant added to every
        // score of a query cancels in the softmax): what it gets is rounding noise, which Adam
        // scales to steps of ±lr, differently for each summation order (PyTorch's too). The
        // c_attn biases are left out; every other tensor is compared to 1e-5 (the encoder check's
        // 1e-6 at ten times its learning rate: Adam's steps carry the sums' rounding further).
        for ranks in [2, 4] {
            let a = outputs[1]! + "/model.safetensors", b = outputs[ranks]! + "/model.safetensors"
            let weights = WeightComparison(a, b, skipping: "attn.c_attn.bias")
            h.check(
                weights.problem == nil && weights.maxRelativeDifference <= 1e-5,
                "causal-lm: np \(ranks) final parameters equal np 1 (max difference "
                    + "\(weights.maxRelativeDifference) of the largest magnitude; c_attn biases left out)", "\(weights)"
            )
        }
        let config = (try? String(contentsOfFile: outputs[1]! + "/config.json", encoding: .utf8)) ?? ""
        h.check(config.contains("\"GPT2LMHeadModel\""), "causal-lm: saved as GPT2LMHeadModel", config)
    }

    /// Stopped after step 5 and resumed, the run ends bitwise where the uninterrupted one does.
    static func resume(_ h: inout Harness, root: String) {
        let full = h.work + "/causal-lm-resume-full", stopped = h.work + "/causal-lm-resume-stopped"
        var outcome = h.run(ranks: 2, arguments(h, root: root, output: full, extra: ["--save-steps", "4"]))
        h.check(outcome.status == 0, "causal-lm resume: uninterrupted np 2 run", outcome.output)
        outcome = h.run(
            ranks: 2, arguments(h, root: root, output: stopped, extra: ["--save-steps", "4"]),
            environment: ["DDP_TRAIN_TEST_STOP_AT_STEP": "5"])
        h.check(outcome.status == 75, "causal-lm resume: stopped after step 5", outcome.output)
        outcome = h.run(
            ranks: 2, arguments(h, root: root, output: stopped, extra: ["--save-steps", "4", "--resume", "auto"]))
        let exact = WeightComparison(full + "/model.safetensors", stopped + "/model.safetensors")
        h.check(
            outcome.status == 0 && exact.identicalBytes,
            "causal-lm resume: stopped and resumed is bitwise the uninterrupted run", "\(exact)\n\(outcome.output)")
    }

    /// From the random start, 20 epochs of the demo logbook bring validation perplexity far
    /// below the vocabulary's (≈ 400 at chance).
    static func learns(_ h: inout Harness, root: String) {
        let output = h.work + "/causal-lm-learns"
        let outcome = h.run(
            ranks: 2,
            [
                "train", "--task", "causal-lm", "--model", root + "/tiny-lm",
                "--train", data(h) + "/demo-lm/train.txt", "--validation", data(h) + "/demo-lm/validation.txt",
                "--output", output, "--block-size", "64", "--batch-size", "8", "--epochs", "20",
                "--learning-rate", "3e-3", "--warmup-ratio", "0.05", "--logging-steps", "20", "--save-steps", "0",
            ])
        let perplexity = CraftChecks.records(output).last { $0["perplexity"] != nil }?["perplexity"] ?? .infinity
        h.check(
            outcome.status == 0 && perplexity < 6,
            "causal-lm: 20 epochs from a random start reach validation perplexity "
                + "\(String(format: "%.2f", perplexity)) < 6", outcome.output)
    }

    static func run(_ h: inout Harness) {
        let root = fixtures(h)
        trajectory(&h, root: root)
        resume(&h, root: root)
        learns(&h, root: root)
    }
}
