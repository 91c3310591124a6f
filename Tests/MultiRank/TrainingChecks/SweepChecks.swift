import Foundation

/// `ddp-train sweep`: a grid of learning rates at np 4 in groups of 2 ranks writes the whole
/// table and picks the best by the metric; a trial's model is bitwise the one its options
/// give trained alone at np 2.
enum SweepChecks {
    static func run(_ h: inout Harness) {
        let output = h.work + "/sweep", space = h.work + "/space.json"
        let rates = ["1e-5", "3e-5", "1e-4", "3e-4"]
        try? "{\"learning-rate\": [\(rates.joined(separator: ", "))]}".write(
            toFile: space, atomically: true, encoding: .utf8)
        let common = [
            "--train", h.demo + "/train.tsv", "--validation", h.demo + "/validation.tsv", "--max-steps", "12",
            "--batch-size", "16", "--max-length", "32", "--eval-steps", "6", "--logging-steps", "6",
            "--save-steps", "0", "--metric-for-best-model", "accuracy", "--seed", "5",
        ]
        let outcome = h.run(
            ranks: 4, ["sweep", "--space", space, "--ranks-per-trial", "2", "--output", output] + common)
        let lines = ((try? String(contentsOfFile: output + "/sweep.jsonl", encoding: .utf8)) ?? "")
            .split(separator: "\n")
            .compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        let finished = lines.filter { ($0["status"] as? String) == "finished" && $0["metric"] is Double }
        h.check(
            outcome.status == 0 && lines.count == rates.count && finished.count == rates.count,
            "sweep: 4 learning rates at np 4 in groups of 2 all finish with a metric (\(finished.count))",
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
        let alone = h.work + "/sweep-alone"
        let single = h.run(ranks: 2, ["train", "--learning-rate", rates[1], "--output", alone] + common)
        let same = WeightComparison(output + "/trial-1/model.safetensors", alone + "/model.safetensors")
        h.check(
            single.status == 0 && same.identicalBytes,
            "sweep: trial 1 is bitwise the same options trained alone at np 2", "\(same)\n\(single.output)")
    }
}
