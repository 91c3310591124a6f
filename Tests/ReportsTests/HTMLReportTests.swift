import Foundation
import Testing

@testable import Reports

@Suite struct HTMLReportTests {
    /// A run of `steps` steps logged every `every`, evaluated every `evalEvery`.
    static func records(steps: Int, every: Int = 10, evalEvery: Int = 100) -> [[String: Double]] {
        var records: [[String: Double]] = []
        for step in stride(from: every, through: steps, by: every) {
            let s = Double(step)
            records.append([
                "step": s, "epoch": s / 1000, "loss": 1 / (1 + s / 100),
                "learning_rate": 5e-5 * (1 - s / Double(steps)),
                "grad_norm": 1 + sin(s), "samples_per_second": 40 + cos(s), "reduced_bytes_per_step": 90_000_000,
            ])
            if step % evalEvery == 0 {
                records.append([
                    "step": s, "epoch": s / 1000, "eval_loss": 0.8 / (1 + s / 200),
                    "eval_accuracy": 0.5 + s / Double(4 * steps),
                    "eval_macro_f1": 0.4 + s / Double(4 * steps), "eval_samples": 100,
                ])
            }
        }
        return records
    }

    static let data = ReportData(
        title: "classification: model → runs/x <demo>",
        configuration: [ReportEntry("--learning-rate", "5e-05")],
        curves: [ReportCurve(title: "Accuracy and macro-F1", keys: ["eval_accuracy", "eval_macro_f1"])],
        sections: [
            .confusionMatrix(title: "Confusion matrix", labels: ["negative", "positive"], counts: [40, 10, 5, 45]),
            .table(title: "Per class", columns: ["class", "F1"], rows: [["negative", "0.8"], ["positive", "0.85"]]),
            .scatter(
                title: "Predicted against gold", xLabel: "gold", yLabel: "predicted", x: [0, 1, 2], y: [0.1, 1.2, 1.8]),
        ],
        sectionsStep: 1000, resources: [ReportEntry("peak resident memory (largest rank)", "812 MiB")], finished: true)

    /// The SVG of the figure titled `title`, or nil.
    static func figure(_ title: String, in page: String) -> Substring? {
        guard let start = page.range(of: "data-chart=\"\(title)\"") else { return nil }
        let rest = page[start.upperBound...]
        return rest[..<(rest.range(of: "</figure>")?.lowerBound ?? rest.endIndex)]
    }

    /// What would make a browser fetch something: absolute URLs, scripts, imports, external `url(`.
    static func networkReferences(in page: String) -> [String] {
        let patterns = [
            "http://", "https://", "//cdn", "<script", "<link", "@import", "url(", "<img", "<iframe", "src=",
        ]
        return patterns.filter { page.lowercased().contains($0) }
    }

    @Test func holdsTheExpectedCharts() {
        let page = HTMLReport.render(records: Self.records(steps: 1000), data: Self.data)
        for (title, element) in [
            ("Loss", "<polyline"), ("Learning rate", "<polyline"), ("Gradient norm", "<polyline"),
            ("Throughput", "<polyline"), ("Accuracy and macro-F1", "<polyline"), ("Confusion matrix", "<rect"),
            ("Per class", "<table"), ("Predicted against gold", "<circle"),
        ] {
            let svg = Self.figure(title, in: page)
            #expect(svg != nil, "no chart \(title)")
            #expect(svg?.contains(element) == true, "chart \(title) has no \(element)")
        }
        // Loss: the training and the validation line.
        #expect(Self.figure("Loss", in: page)!.components(separatedBy: "<polyline").count == 3)
        #expect(page.contains("classification: model → runs/x &lt;demo&gt;"))
        #expect(page.contains("812 MiB") && page.contains("90.00 MB") && page.contains("--learning-rate"))
        #expect(page.contains("Finished at step 1000."))
    }

    @Test func makesNoNetworkReference() {
        let page = HTMLReport.render(records: Self.records(steps: 1000), data: Self.data)
        #expect(Self.networkReferences(in: page).isEmpty)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
    }

    @Test func aLongRunStaysSmall() {
        // 100,000 steps logged at every step, evaluated every 1,000: 101,000 records.
        let records = Self.records(steps: 100_000, every: 1, evalEvery: 1000)
        let page = HTMLReport.render(records: records, data: Self.data)
        #expect(page.utf8.count < 200_000, "report of 100,000 steps: \(page.utf8.count) bytes")
        let points = Self.figure("Loss", in: page)!.split(separator: "points=\"")[1].prefix { $0 != "\"" }
        #expect(points.split(separator: " ").count <= HTMLReport.curveLimit)
    }

    @Test func downsamplingKeepsExtremesAndGaps() {
        var points = (0..<10_000).map { (x: Double($0), y: 1.0) }
        points[1234].y = 50
        points[7000].y = .nan
        let thin = Downsample.minMax(points, limit: 500)
        #expect(thin.count <= 500)
        #expect(thin.contains { $0.y == 50 })
        #expect(thin.contains { $0.y.isNaN })
        #expect(thin.first!.x == 0 && zip(thin, thin.dropFirst()).allSatisfy { $0.x < $1.x })
    }

    @Test func rebuildsFromTheOutputDirectory() throws {
        let directory = NSTemporaryDirectory() + "report-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let records = Self.records(steps: 200)
        try ReportFiles.write(records: records, data: Self.data, directory: directory)
        let written = try String(contentsOfFile: directory + "/report.html", encoding: .utf8)
        // metrics.jsonl as MetricsLog writes it, a null for a non-finite value, and a torn last line.
        let lines = records.map { r in
            "{"
                + r.keys.sorted().map { "\"\($0)\": \($0 == "grad_norm" && r["step"] == 20 ? "null" : "\(r[$0]!)")" }
                .joined(separator: ", ") + "}"
        }
        let text = lines.joined(separator: "\n") + "\n{\"step\": 21"
        try text.write(toFile: directory + "/metrics.jsonl", atomically: true, encoding: .utf8)
        let read = try ReportFiles.readMetrics(directory + "/metrics.jsonl")
        #expect(read.count == records.count)
        #expect(read[1]["grad_norm"]!.isNaN)
        try FileManager.default.removeItem(atPath: directory + "/report.html")
        try ReportFiles.rebuild(directory: directory)
        let rebuilt = try String(contentsOfFile: directory + "/report.html", encoding: .utf8)
        #expect(rebuilt.count > written.count / 2)
        #expect(Self.figure("Confusion matrix", in: rebuilt) != nil)
        #expect(throws: ReportError.self) { try ReportFiles.rebuild(directory: directory + "/none") }
    }
}
