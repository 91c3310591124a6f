import Foundation
import Model

/// Multi-rank checks of the fine-tuning methods (issue: the fine-tuning craft).
enum CraftChecks {
    static func records(_ output: String) -> [[String: Double]] {
        guard let text = try? String(contentsOfFile: output + "/metrics.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?.compactMapValues {
                $0 as? Double ?? ($0 as? Int).map(Double.init)
            }
        }
    }

    /// Sizes of the pretrained tensors whose names contain any of `parts` (4 bytes each).
    static func bytes(in file: String, matching parts: [String]) -> Int {
        guard let f = try? SafeTensorsFile(contentsOf: file) else { return -1 }
        return f.tensors.filter { t in t.dtype == .f32 && parts.contains { t.name.contains($0) } }.reduce(0) {
            $0 + 4 * $1.elementCount
        }
    }

    /// Frozen layers: bitwise unchanged, and not reduced.
    static func freezing(_ h: inout Harness) {
        let output = h.work + "/craft-freeze"
        let outcome = h.run(ranks: 2, h.trainArguments(output: output, steps: 4, extra: ["--freeze-layers", "3"]))
        h.check(outcome.status == 0, "craft: --freeze-layers 3 trains", outcome.output)
        let pretrained = h.model + "/model.safetensors"
        guard let base = try? SafeTensorsFile(contentsOf: pretrained),
            let tuned = try? SafeTensorsFile(contentsOf: output + "/model.safetensors")
        else {
            h.check(false, "craft: freeze outputs readable")
            return
        }
        var frozenSame = true, trainedChanged = true, compared = 0
        for tensor in base.tensors where tensor.dtype == .f32 {
            let frozen =
                tensor.name.hasPrefix("embeddings.")
                || ["encoder.layer.0.", "encoder.layer.1.", "encoder.layer.2."].contains { tensor.name.hasPrefix($0) }
            let same = (try? base.floats(tensor.name) == tuned.floats("bert." + tensor.name)) ?? false
            if frozen { frozenSame = frozenSame && same } else { trainedChanged = trainedChanged && !same }
            compared += 1
        }
        h.check(
            frozenSame && trainedChanged && compared == 103,
            "craft: embeddings and layers 0–2 bitwise unchanged, layers 3–5 and pooler changed (\(compared) tensors)")
        let expected =
            bytes(in: pretrained, matching: ["encoder.layer.3.", "encoder.layer.4.", "encoder.layer.5.", "pooler."]) + 4
            * (2 * 384 + 2)
        let reduced = records(output).compactMap { $0["reduced_bytes_per_step"] }
        h.check(
            !reduced.isEmpty && reduced.allSatisfy { Int($0) == expected },
            "craft: only the trained parameters are reduced (\(expected) bytes per step; full model "
                + "\(bytes(in: pretrained, matching: [""]) + 3080))",
            "\(reduced)")
    }

    /// Gradual unfreezing widens the reduced ranges at the agreed steps; layer-wise rates
    /// appear in the log, each layer down × F.
    static func unfreezingAndLayerRates(_ h: inout Harness) {
        let output = h.work + "/craft-unfreeze"
        let outcome = h.run(
            ranks: 2,
            h.trainArguments(output: output, steps: 8, extra: ["--gradual-unfreezing", "2", "--layer-lr-decay", "0.5"]))
        h.check(
            outcome.status == 0 && outcome.output.contains("step 3: training head, pooler, layers [5]"),
            "craft: gradual unfreezing opens layer 5 at step 3 on every rank", outcome.output)
        let log = records(output).filter { $0["loss"] != nil }
        let reduced = log.compactMap { $0["reduced_bytes_per_step"] }
        let layer = Double(bytes(in: h.model + "/model.safetensors", matching: ["encoder.layer.5."]))
        let increments = zip(reduced.dropFirst(), reduced).map { $0 - $1 }
        h.check(
            reduced.count == 8 && increments == [0, layer, 0, layer, 0, layer, 0],
            "craft: reduced bytes grow by one layer (\(Int(layer)) bytes) every 2 steps", "\(reduced)")
        let rates = log.last ?? [:]
        let base = rates["learning_rate"] ?? 0
        let ok =
            (0..<6).allSatisfy { l in
                guard let r = rates["learning_rate_layer_\(l)"] else { return false }
                return abs(r - base * pow(0.5, Double(6 - l))) <= 1e-12 * base
            } && abs((rates["learning_rate_embeddings"] ?? 0) - base * pow(0.5, 7)) <= 1e-12 * base
        h.check(base > 0 && ok, "craft: each layer's learning rate is logged, × 0.5 per layer down", "\(rates)")
    }

    /// 4 micro-batches of 4 per step equal one batch of 16 (no communication in between).
    static func accumulation(_ h: inout Harness) {
        let whole = h.work + "/craft-accumulate-1", split = h.work + "/craft-accumulate-4"
        let a = h.run(ranks: 2, h.trainArguments(output: whole, steps: 6, extra: ["--dropout", "0.1"]))
        let b = h.run(
            ranks: 2,
            h.trainArguments(
                output: split, steps: 6, extra: ["--dropout", "0.1", "--gradient-accumulation-steps", "4"]))
        h.check(a.status == 0 && b.status == 0, "craft: accumulation runs", a.output + b.output)
        let la = h.losses(whole), lb = h.losses(split)
        let worst = la.map { step, loss in abs((lb[step] ?? .infinity) - loss) / loss }.max() ?? .infinity
        // Attention key biases are left out: their gradient is rounding noise (it cancels in
        // the softmax), which Adam turns into ±lr steps either way.
        let weights = WeightComparison(
            whole + "/model.safetensors", split + "/model.safetensors", skipping: "attention.self.key.bias")
        h.check(
            la.count == 6 && worst <= 1e-5 && weights.maxRelativeDifference <= 1e-5,
            "craft: 4 × 4 accumulation equals batch 16 (losses within \(worst), parameters within "
                + "\(weights.maxRelativeDifference))",
            "\(la.sorted { $0.key < $1.key })\n\(lb.sorted { $0.key < $1.key })")
    }

    /// Early stopping ends every rank at the same step, and the best checkpoint is restored.
    static func earlyStopping(_ h: inout Harness) {
        let output = h.work + "/craft-early"
        // Larger eval_loss counted as better: the first evaluation stays the best, so the run
        // stops after 2 more without improvement and the final model is the step-2 model.
        let outcome = h.run(
            ranks: 2,
            h.trainArguments(
                output: output, steps: 40,
                extra: [
                    "--validation", h.demo + "/validation.tsv", "--eval-steps", "2", "--early-stopping-patience", "2",
                    "--metric-for-best-model", "loss", "--greater-is-better", "true", "--load-best-model-at-end",
                ]))
        h.check(
            outcome.status == 0 && outcome.output.contains("early stopping at step 6"),
            "craft: early stopping ends both ranks at step 6", outcome.output)
        let best = WeightComparison(output + "/checkpoint-2/model.safetensors", output + "/model.safetensors")
        h.check(
            best.identicalBytes && outcome.output.contains("loaded the best model, \(output)/checkpoint-2"),
            "craft: --load-best-model-at-end writes the best checkpoint's model", "\(best)")
    }

    /// LoRA: only adapters and the head are reduced; the final model is merged and loads as
    /// a plain model; PEFT files sit beside it.
    static func lora(_ h: inout Harness) {
        let output = h.work + "/craft-lora"
        let outcome = h.run(
            ranks: 2,
            h.trainArguments(
                output: output, steps: 6,
                extra: ["--lora-rank", "4", "--lora-targets", "query,value", "--learning-rate", "1e-3"]))
        let files = (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []
        let adapterFiles = (try? FileManager.default.contentsOfDirectory(atPath: output + "/adapter")) ?? []
        h.check(
            outcome.status == 0 && Set(adapterFiles) == ["adapter_model.safetensors", "adapter_config.json"]
                && !files.contains("adapter_config.json"),
            "craft: LoRA run writes the PEFT adapter files in adapter/ beside the merged model", outcome.output)
        let expected = 4 * (6 * 2 * (4 * 384 + 384 * 4) + 2 * 384 + 2)
        let reduced = records(output).compactMap { $0["reduced_bytes_per_step"] }
        h.check(
            !reduced.isEmpty && reduced.allSatisfy { Int($0) == expected },
            "craft: LoRA reduces only adapters and head (\(expected) bytes per step)", "\(reduced)")
        let merged = try? SafeTensorsFile(contentsOf: output + "/model.safetensors")
        h.check(
            merged.map { !$0.names.contains { $0.contains("lora") } && $0.names.count == 105 } ?? false,
            "craft: the final model.safetensors is a plain merged BertForSequenceClassification")
        h.check(
            mergedWeightsMatch(output: output, base: h.model + "/model.safetensors"),
            "craft: every merged weight is W + (α/r)·B·A of the saved adapters, and the rest is the pretrained model")
        let predictions = output + "/predictions.jsonl"
        let predict = h.run(
            ranks: 1, ["predict", "--model", output, "--input", h.demo + "/validation.tsv", "--output", predictions])
        h.check(predict.status == 0, "craft: predict runs on the merged LoRA model", predict.output)
    }

    /// Recomputes the merge (rank 4, α 16 → scale 4) from the adapter file in Double.
    static func mergedWeightsMatch(output: String, base: String) -> Bool {
        guard let merged = try? SafeTensorsFile(contentsOf: output + "/model.safetensors"),
            let adapters = try? SafeTensorsFile(contentsOf: output + "/adapter/adapter_model.safetensors"),
            let pretrained = try? SafeTensorsFile(contentsOf: base)
        else { return false }
        for tensor in pretrained.tensors where tensor.dtype == .f32 {
            guard let w = try? pretrained.floats(tensor.name), let m = try? merged.floats("bert." + tensor.name) else {
                return false
            }
            let module = "base_model.model.bert." + tensor.name.dropLast(".weight".count)
            if let a = try? adapters.floats(module + ".lora_A.weight"),
                let b = try? adapters.floats(module + ".lora_B.weight")
            {
                let fanOut = tensor.shape[0], fanIn = tensor.shape[1], rank = a.count / fanIn
                for o in 0..<fanOut {
                    for i in 0..<fanIn {
                        var sum = 0.0
                        for r in 0..<rank { sum += Double(b[o * rank + r]) * Double(a[r * fanIn + i]) }
                        let expected = Double(w[o * fanIn + i]) + 4 * sum
                        if abs(Double(m[o * fanIn + i]) - expected) > 1e-5 * max(1, abs(expected)) { return false }
                    }
                }
            } else if w != m {
                return false
            }
        }
        return true
    }

    /// Second stage: a fine-tuned model fine-tuned again on a new label set gets a new head
    /// with those labels.
    static func secondStage(_ h: inout Harness) {
        let first = h.work + "/craft-stage1", second = h.work + "/craft-stage2"
        var outcome = h.run(ranks: 2, h.trainArguments(output: first, steps: 4))
        h.check(outcome.status == 0, "craft: first stage", outcome.output)
        let data = h.work + "/three-labels.tsv"
        let rows = (0..<48).map { i in ["great fun\tgood", "dull and slow\tbad", "it is a film\tneutral"][i % 3] }
        try? ("sentence\tlabel\n" + rows.joined(separator: "\n") + "\n").write(
            toFile: data, atomically: true, encoding: .utf8)
        outcome = h.run(
            ranks: 2,
            [
                "train", "--model", first, "--train", data, "--output", second, "--max-steps", "3",
                "--batch-size", "16", "--save-steps", "0",
            ])
        let config =
            (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: second + "/config.json"))))
            as? [String: Any]
        let labels = (config?["id2label"] as? [String: String]).map { $0.sorted { $0.key < $1.key }.map(\.value) } ?? []
        h.check(
            outcome.status == 0 && labels == ["bad", "good", "neutral"],
            "craft: the second stage's head has the new label set \(labels)", outcome.output)
    }

    /// Augmentation is a function of (seed, epoch, example): np 1 and np 4 train alike.
    static func augmentation(_ h: inout Harness) {
        var outputs: [String] = []
        for ranks in [1, 4] {
            let output = h.work + "/craft-augment-np\(ranks)"
            let outcome = h.run(
                ranks: ranks,
                h.trainArguments(
                    output: output, steps: 6,
                    extra: [
                        "--augment-deletion", "0.1", "--augment-swap", "0.1", "--augment-insertion", "0.1",
                        "--augment-word-dropout", "0.1", "--augment-word-dropout-token", "[MASK]",
                    ]))
            h.check(outcome.status == 0, "craft: augmented training at np \(ranks)", outcome.output)
            outputs.append(output)
        }
        let a = h.losses(outputs[0]), b = h.losses(outputs[1])
        let worst = a.map { step, loss in abs((b[step] ?? .infinity) - loss) / loss }.max() ?? .infinity
        let plain = h.losses(h.work + "/craft-accumulate-1")
        h.check(
            a.count == 6 && worst <= 1e-6 && a != plain,
            "craft: augmented runs at np 1 and np 4 have the same losses (worst \(worst)), unlike the plain run",
            "\(a)\n\(b)")
    }
}
