import Foundation
import Model

/// `embed` under mpirun: np 1 and np 2 write byte-identical `.npy` files of the demo validation
/// rows in input order, the `.safetensors` output holds the same values, and the vectors of
/// the fixture sentences match `SentenceTransformer.encode` (Tests/Fixtures/embedding/minilm.json,
/// tools/make_embedding_fixtures.py): cosine ≥ 0.99999 per row. A model written with
/// `--save-model` embeds the same again. And the mean-pooled classification head.
enum EmbedChecks {
    static func run(_ h: inout Harness) {
        let work = h.work + "/embed"
        try? FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let input = h.demo + "/validation.tsv"
        var files: [Int: Data] = [:]
        for ranks in [1, 2] {
            let path = work + "/validation-\(ranks).npy"
            let outcome = h.run(ranks: ranks, ["embed", "--model", h.model, "--input", input, "--output", path])
            files[ranks] = FileManager.default.contents(atPath: path)
            h.check(
                outcome.status == 0 && files[ranks].map(npyRows) == 80,
                "embed: np \(ranks) writes 80 rows × 384 float32 (.npy)", outcome.output)
        }
        h.check(files[1] != nil && files[1] == files[2], "embed: np 1 and np 2 write identical files")

        let tensors = work + "/validation.safetensors"
        var outcome = h.run(ranks: 2, ["embed", "--model", h.model, "--input", input, "--output", tensors])
        let stored = try? SafeTensorsFile(contentsOf: tensors).floats("embeddings")
        h.check(
            outcome.status == 0 && stored != nil && stored == files[2].map(npyValues),
            "embed: .safetensors holds the .npy values", outcome.output)

        let fixturePath = h.demo + "/../../Tests/Fixtures/embedding/minilm.json"
        guard let data = FileManager.default.contents(atPath: fixturePath),
            let fixture = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let sentences = fixture["sentences"] as? [String], let expected = fixture["embeddings"] as? [Double]
        else { return h.check(false, "embed: read \(fixturePath)") }
        let sentencesFile = work + "/sentences.jsonl"
        let lines = sentences.map { text in
            String(data: try! JSONSerialization.data(withJSONObject: ["text": text]), encoding: .utf8)!
        }
        try? (lines.joined(separator: "\n") + "\n").write(toFile: sentencesFile, atomically: true, encoding: .utf8)
        let output = work + "/sentences.jsonl.out.jsonl", saved = work + "/saved-model"
        outcome = h.run(
            ranks: 2,
            ["embed", "--model", h.model, "--input", sentencesFile, "--output", output, "--save-model", saved])
        let first = jsonlEmbeddings(output)
        let cosine = worstCosine(first, expected, rows: sentences.count)
        h.check(
            outcome.status == 0 && cosine >= 0.99999,
            "embed: the fixture sentences as sentence-transformers encodes them (smallest cosine \(cosine))",
            outcome.output)
        let again = work + "/sentences-saved.jsonl"
        outcome = h.run(ranks: 2, ["embed", "--model", saved, "--input", sentencesFile, "--output", again])
        h.check(
            outcome.status == 0 && !first.isEmpty && jsonlEmbeddings(again) == first,
            "embed: the --save-model directory gives the same vectors", outcome.output)
        meanPooledClassifier(&h)
    }

    /// `train --pooling mean`: the same losses at np 1 and 2, `classifier_pooling` saved, no
    /// pooler in the weights, and `predict` and `embed --save-model` on the result.
    static func meanPooledClassifier(_ h: inout Harness) {
        var losses: [Int: [Int: Double]] = [:]
        let output = h.work + "/embed/mean-pooled"
        for ranks in [1, 2] {
            let run = output + "-\(ranks)"
            let outcome = h.run(ranks: ranks, h.trainArguments(output: run, steps: 6, extra: ["--pooling", "mean"]))
            losses[ranks] = h.losses(run)
            h.check(
                outcome.status == 0 && losses[ranks]?.count == 6, "pooling: train --pooling mean at np \(ranks)",
                outcome.output)
        }
        let worst = (1...6).map { abs((losses[1]?[$0] ?? .nan) - (losses[2]?[$0] ?? .nan)) }.max() ?? .nan
        h.check(worst <= 1e-6, "pooling: np 1 and np 2 give the same losses (within \(worst))")
        let run = output + "-2"
        let config = FileManager.default.contents(atPath: run + "/config.json").flatMap {
            try? JSONSerialization.jsonObject(with: $0) as? [String: Any]
        }
        let names = (try? SafeTensorsFile(contentsOf: run + "/model.safetensors").names) ?? []
        h.check(
            config?["classifier_pooling"] as? String == "mean" && names.contains("classifier.weight")
                && !names.contains { $0.contains("pooler") },
            "pooling: config.json says classifier_pooling mean, the weights have no pooler", "\(names.count) tensors")
        let predictions = run + "/predictions.jsonl"
        var outcome = h.run(
            ranks: 2, ["predict", "--model", run, "--input", h.demo + "/validation.tsv", "--output", predictions])
        let lines = ((try? String(contentsOfFile: predictions, encoding: .utf8)) ?? "").split(separator: "\n")
        h.check(outcome.status == 0 && lines.count == 80, "pooling: predict on the mean-pooled model", outcome.output)
        outcome = h.run(
            ranks: 2,
            [
                "embed", "--model", run, "--input", h.demo + "/validation.tsv", "--output", run + "/body.npy",
                "--normalize", "--save-model", run + "-st",
            ])
        h.check(
            outcome.status == 0 && FileManager.default.fileExists(atPath: run + "-st/modules.json"),
            "pooling: embed --save-model turns the classifier's body into a sentence-transformers model",
            outcome.output)
    }

    /// Rows of a `[rows, 384]` float32 `.npy` file, or -1.
    static func npyRows(_ data: Data) -> Int {
        let header = String(decoding: data.prefix(128), as: UTF8.self)
        guard data.starts(with: [0x93] + Array("NUMPY".utf8)), header.contains("'descr': '<f4'"),
            let open = header.range(of: "'shape': ("), let close = header.range(of: ", 384)")
        else { return -1 }
        let rows = Int(header[open.upperBound..<close.lowerBound]) ?? -1
        return data.count == headerLength(data) + rows * 384 * 4 ? rows : -1
    }

    static func headerLength(_ data: Data) -> Int { 10 + Int(data[8]) + Int(data[9]) << 8 }

    static func npyValues(_ data: Data) -> [Float] {
        let body = data.dropFirst(headerLength(data))
        return stride(from: body.startIndex, to: body.endIndex, by: 4).map { i in
            Float(bitPattern: body[i..<(i + 4)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        }
    }

    static func jsonlEmbeddings(_ path: String) -> [Double] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").flatMap { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["embedding"] as? [Double]
                ?? []
        }
    }

    static func worstCosine(_ a: [Double], _ b: [Double], rows: Int) -> Double {
        guard rows > 0, a.count == b.count, a.count % rows == 0 else { return -1 }
        let d = a.count / rows
        return (0..<rows).map { r in
            let x = a[(r * d)..<((r + 1) * d)], y = b[(r * d)..<((r + 1) * d)]
            let dot = zip(x, y).map(*).reduce(0, +)
            return dot / (x.map { $0 * $0 }.reduce(0, +) * y.map { $0 * $0 }.reduce(0, +)).squareRoot()
        }.min()!
    }
}
