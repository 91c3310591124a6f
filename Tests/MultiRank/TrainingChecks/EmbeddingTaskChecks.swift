import Foundation
import Model

/// `train --task embedding` (issue: sentence embeddings). With cross-rank negatives the
/// multiple-negatives ranking loss over a global batch is the same objective at any rank
/// count: np 1, 2 and 4 give the same losses and parameters (the equivalence checks'
/// tolerance, dropout on), and the cached variant (the global batch embedded in chunks,
/// `--gradient-accumulation-steps`) equals the plain step. Without gathering, np 2 trains on
/// a different loss. The other losses train on scored and labelled pairs, the evaluation
/// reports each data kind's metrics, and the saved model is a sentence-transformers
/// directory that `embed` reads.
enum EmbeddingTaskChecks {
    static func run(_ h: inout Harness) {
        let data = URL(fileURLWithPath: h.demo).deletingLastPathComponent().path + "/demo-embedding"
        func arguments(_ output: String, _ extra: [String] = []) -> [String] {
            [
                "train", "--task", "embedding", "--train", data + "/train.tsv", "--output", output, "--max-steps",
                "6", "--batch-size", "16", "--learning-rate", "1e-4", "--warmup-steps", "1", "--max-length", "32",
                "--logging-steps", "1", "--save-steps", "0", "--seed", "7", "--dropout", "0.1",
                "--checksum-steps", "1",
            ] + extra
        }
        let runs: [(name: String, ranks: Int, extra: [String])] = [
            ("np 1", 1, []), ("np 2", 2, []), ("np 4", 4, []),
            ("np 2 cached in 2 chunks", 2, ["--gradient-accumulation-steps", "2"]),
            ("np 1 cached in 4 chunks", 1, ["--gradient-accumulation-steps", "4"]),
            ("np 2 overlapped", 2, ["--overlap-communication", "true"]),
        ]
        var outputs: [String: String] = [:]
        for run in runs {
            let output = h.work + "/embedding-" + run.name.replacingOccurrences(of: " ", with: "-")
            let outcome = h.run(ranks: run.ranks, arguments(output, run.extra))
            h.check(outcome.status == 0, "embedding: \(run.name) trains 6 steps (MNRL, triplets)", outcome.output)
            outputs[run.name] = output
            removeCheckpoints(output)
        }
        let reference = h.losses(outputs["np 1"]!)
        h.check(reference.count == 6, "embedding: np 1 logged 6 losses", "\(reference)")
        for name in runs.dropFirst().map(\.name) {
            let losses = h.losses(outputs[name]!)
            let worst =
                reference.map { step, loss in abs((losses[step] ?? .infinity) - loss) / loss }.max() ?? .infinity
            let weights = WeightComparison(
                outputs["np 1"]! + "/model.safetensors", outputs[name]! + "/model.safetensors")
            // The cached runs add a chunk's parameter gradients at a time (another summation
            // order), so their losses get twice the tolerance.
            let tolerance = name.contains("cached") ? 2e-6 : 1e-6
            h.check(
                worst <= tolerance && weights.problem == nil && weights.maxRelativeDifference <= 1e-6,
                "embedding: \(name) equals np 1 (losses within \(worst) relative, parameters within "
                    + "\(weights.maxRelativeDifference) of the largest)",
                "np 1: \(reference.sorted { $0.key < $1.key })\n\(name): \(losses.sorted { $0.key < $1.key })\n"
                    + "\(weights)")
        }
        let local = h.work + "/embedding-np-2-own-share"
        var outcome = h.run(ranks: 2, arguments(local, ["--cross-rank-negatives", "false"]))
        let localLosses = h.losses(local)
        let first = (localLosses[1] ?? .nan, reference[1] ?? .nan)
        h.check(
            outcome.status == 0 && first.0 < first.1 - 0.05,
            "embedding: without cross-rank negatives np 2 trains another loss (step 1: \(first.0) vs np 1's "
                + "\(first.1), fewer negatives per anchor)", outcome.output)

        let saved = outputs["np 2"]!
        h.check(
            FileManager.default.fileExists(atPath: saved + "/modules.json")
                && FileManager.default.fileExists(atPath: saved + "/1_Pooling/config.json"),
            "embedding: the output is a sentence-transformers directory (modules.json, 1_Pooling)")
        outcome = h.run(
            ranks: 2, ["embed", "--model", saved, "--input", data + "/validation.tsv", "--output", saved + "/v.npy"])
        h.check(
            outcome.status == 0 && FileManager.default.fileExists(atPath: saved + "/v.npy"),
            "embedding: embed reads the trained model", outcome.output)
        scoredAndLabelledPairs(&h, data: data)
        setFit(&h)
    }

    /// `--task setfit` on 8 demo sentences per class: the body trains on pairs, the head is
    /// fitted and saved, the final evaluation classifies through it, `evaluate` reproduces it
    /// and `predict` labels every input; np 1 and np 2 give the same head.
    static func setFit(_ h: inout Harness) {
        let rows = ((try? String(contentsOfFile: h.demo + "/train.tsv", encoding: .utf8)) ?? "")
            .split(separator: "\n").dropFirst()
        let few =
            rows.filter { $0.hasSuffix("\tpositive") }.prefix(8) + rows.filter { $0.hasSuffix("\tnegative") }.prefix(8)
        let train = h.work + "/setfit-train.tsv"
        try? ("sentence\tlabel\n" + few.joined(separator: "\n") + "\n").write(
            toFile: train, atomically: true, encoding: .utf8)
        var heads: [Int: [Float]] = [:]
        var accuracy: [Int: Double] = [:]
        for ranks in [1, 2] {
            let output = h.work + "/setfit-\(ranks)"
            let outcome = h.run(
                ranks: ranks,
                [
                    "train", "--task", "setfit", "--train", train, "--validation", h.demo + "/validation.tsv",
                    "--output", output, "--num-iterations", "5", "--batch-size", "16", "--learning-rate", "5e-5",
                    "--epochs", "1", "--save-steps", "0", "--seed", "3",
                ])
            removeCheckpoints(output)
            heads[ranks] = try? SafeTensorsFile(contentsOf: output + "/head.safetensors").floats("coef")
            accuracy[ranks] = CraftChecks.records(output).last { $0["eval_accuracy"] != nil }?["eval_accuracy"]
            h.check(
                outcome.status == 0 && heads[ranks] != nil && (accuracy[ranks] ?? 0) >= 0.8,
                "setfit: np \(ranks) trains the body on pairs of 16 sentences, fits and saves the head (dev accuracy "
                    + "\(accuracy[ranks] ?? -1) ≥ 0.8)", outcome.output)
        }
        let difference = zip(heads[1] ?? [], heads[2] ?? []).map { abs($0 - $1) }.max() ?? .infinity
        h.check(
            difference <= 1e-4 && accuracy[1] == accuracy[2],
            "setfit: np 1 and np 2 fit the same head (coefficients within \(difference))")
        let model = h.work + "/setfit-2"
        let evaluation = model + "/eval.json"
        let evaluate = h.run(
            ranks: 2,
            ["evaluate", "--model", model, "--validation", h.demo + "/validation.tsv", "--output", evaluation])
        let metrics =
            (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: evaluation))))
            as? [String: Any]
        let evaluated = (metrics?["eval_accuracy"] as? Double) ?? -1
        h.check(
            evaluate.status == 0 && abs(evaluated - (accuracy[2] ?? -2)) < 1e-9,
            "setfit: evaluate on the saved model reproduces the trainer's accuracy (\(evaluated))", evaluate.output)
        let predictions = model + "/predictions.jsonl"
        let predict = h.run(
            ranks: 2, ["predict", "--model", model, "--input", h.demo + "/validation.tsv", "--output", predictions])
        let lines = ((try? String(contentsOfFile: predictions, encoding: .utf8)) ?? "").split(separator: "\n")
        let first = lines.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        h.check(
            predict.status == 0 && lines.count == 80 && first?["label"] is String && first?["probabilities"] != nil,
            "setfit: predict labels all 80 inputs through the head", predict.output)
        // The same head on a body that pools [CLS] and the mean (768 dimensions): refused.
        let mismatched = h.work + "/setfit-mismatched"
        try? FileManager.default.copyItem(atPath: model, toPath: mismatched)
        let pooling = mismatched + "/1_Pooling/config.json"
        let text = (try? String(contentsOfFile: pooling, encoding: .utf8)) ?? ""
        try? text.replacingOccurrences(
            of: "\"pooling_mode_cls_token\": false", with: "\"pooling_mode_cls_token\": true"
        )
        .write(toFile: pooling, atomically: true, encoding: .utf8)
        let refused = h.run(
            ranks: 2,
            ["predict", "--model", mismatched, "--input", h.demo + "/validation.tsv", "--output", predictions])
        h.check(
            refused.status != 0
                && refused.output.contains(
                    "head reads 384-dimensional embeddings, but the model in \(mismatched) makes "
                        + "768-dimensional ones"),
            "setfit: a head that does not fit the body's embeddings is refused, naming the file", refused.output)
    }

    /// The pair losses on the demo's labelled pairs, each evaluated with its own metrics.
    static func scoredAndLabelledPairs(_ h: inout Harness, data: String) {
        let cases: [(loss: String, metric: String, minimum: Double)] = [
            ("cosine-similarity", "eval_spearman_cosine", 0.7), ("contrastive", "eval_cosine_accuracy", 0.9),
            ("online-contrastive", "eval_cosine_accuracy", 0.9),
        ]
        for c in cases {
            let output = h.work + "/embedding-" + c.loss
            let outcome = h.run(
                ranks: 2,
                [
                    "train", "--task", "embedding", "--loss", c.loss, "--train", data + "/train-pairs.tsv",
                    "--validation", data + "/validation-pairs.tsv", "--output", output, "--epochs", "2",
                    "--batch-size", "16", "--learning-rate", "1e-4", "--eval-steps", "20", "--save-steps", "0",
                ])
            removeCheckpoints(output)
            let value = CraftChecks.records(output).last { $0[c.metric] != nil }?[c.metric] ?? -1
            h.check(
                outcome.status == 0 && value >= c.minimum,
                "embedding: \(c.loss) on labelled pairs (\(c.metric) \(String(format: "%.3f", value)) ≥ \(c.minimum))",
                outcome.output)
        }
        let output = h.work + "/embedding-retrieval"
        let outcome = h.run(
            ranks: 2,
            [
                "train", "--task", "embedding", "--train", data + "/train.tsv", "--validation",
                data + "/validation.tsv", "--output", output, "--max-steps", "4", "--batch-size", "32",
                "--eval-steps", "2", "--save-steps", "0",
            ])
        let records = CraftChecks.records(output).filter { $0["eval_mrr_at_10"] != nil }
        h.check(
            outcome.status == 0 && records.count == 2
                && records.allSatisfy { ($0["eval_recall_at_10"] ?? -1) > 0 && ($0["eval_loss"] ?? .nan).isFinite },
            "embedding: triplets evaluated as retrieval at --eval-steps (MRR@10, nDCG@10, Recall@1/10, loss)",
            outcome.output)
        retrievalFolder(&h, data: data)
    }

    /// `--validation` naming a BEIR-style folder (queries, corpus, qrels): the same metrics at
    /// np 1 and np 2; a folder without judgements is refused naming it.
    static func retrievalFolder(_ h: inout Harness, data: String) {
        var mrr: [Int: [Double]] = [:]
        for ranks in [1, 2] {
            let output = h.work + "/embedding-beir-\(ranks)"
            let outcome = h.run(
                ranks: ranks,
                [
                    "train", "--task", "embedding", "--train", data + "/train.tsv", "--validation",
                    data + "/retrieval", "--output", output, "--max-steps", "2", "--batch-size", "32",
                    "--eval-steps", "1", "--save-steps", "0",
                ])
            removeCheckpoints(output)
            mrr[ranks] = CraftChecks.records(output).compactMap { $0["eval_mrr_at_10"] }
            h.check(
                outcome.status == 0 && mrr[ranks]?.count == 2,
                "embedding: a queries/corpus/qrels folder is evaluated as retrieval at np \(ranks)", outcome.output)
        }
        let worst = zip(mrr[1] ?? [], mrr[2] ?? []).map { abs($0 - $1) }.max() ?? .infinity
        h.check(worst <= 1e-6, "embedding: retrieval metrics at np 2 equal np 1's (within \(worst))")
        let broken = h.work + "/beir-without-qrels"
        try? FileManager.default.createDirectory(atPath: broken, withIntermediateDirectories: true)
        for name in ["queries.jsonl", "corpus.jsonl"] {
            try? FileManager.default.copyItem(atPath: data + "/retrieval/" + name, toPath: broken + "/" + name)
        }
        let outcome = h.run(
            ranks: 2,
            [
                "train", "--task", "embedding", "--train", data + "/train.tsv", "--validation", broken, "--output",
                h.work + "/beir-broken", "--max-steps", "1",
            ])
        h.check(
            outcome.status != 0 && outcome.output.contains("\(broken): no relevance judgements"),
            "embedding: a retrieval folder without judgements is refused, naming it", outcome.output)
    }

    /// Deletes a run's checkpoints (weights and AdamW moments, about 270 MB each): the checks
    /// read its metrics and final model only, and the group must fit CI's disk.
    static func removeCheckpoints(_ output: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []
        for name in names where name.hasPrefix("checkpoint-") {
            try? FileManager.default.removeItem(atPath: output + "/" + name)
        }
    }
}
