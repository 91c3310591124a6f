import Foundation
import Testing

@testable import Reports

/// `ddp-train report` on a sweep's directory: the trials table, best first, with links to the
/// trials' pages, and every trial's curves, from the files the sweep writes.
@Suite struct SweepReportTests {
    /// A sweep of three learning rates as `Sweep` leaves it: trial 1 best, trial 2 failed.
    static func sweepDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "sweep-\(UUID().uuidString)"
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lines = [
            #"{"trial":0,"config":{"learning-rate":"1e-5"},"metric":0.7,"steps":20,"seconds":4.5,"status":"finished"}"#,
            #"{"trial":1,"config":{"learning-rate":"1e-4"},"metric":0.9,"steps":20,"seconds":4.4,"status":"finished"}"#,
            #"{"trial":2,"config":{"learning-rate":"1"},"metric":null,"steps":0,"seconds":0.2,"status":"failed","#
                + #""message":"loss is not finite at step 3"}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: directory + "/sweep.jsonl", atomically: true, encoding: .utf8)
        let table = """
            | trial | learning-rate | eval_accuracy | steps | seconds | status |
            |---|---|---|---|---|---|
            | 1 | 1e-4 | 0.9000 | 20 | 4.4 | finished |
            | 0 | 1e-5 | 0.7000 | 20 | 4.5 | finished |
            | 2 | 1 | – | 0 | 0.2 | failed: loss is not finite at step 3 |

            """
        try table.write(toFile: directory + "/sweep.md", atomically: true, encoding: .utf8)
        try manager.createSymbolicLink(atPath: directory + "/best", withDestinationPath: "trial-1")
        for trial in 0..<2 {
            let trialDirectory = directory + "/trial-\(trial)"
            try manager.createDirectory(atPath: trialDirectory, withIntermediateDirectories: true)
            let records = (1...20).map { step in
                "{\"step\": \(step), \"loss\": \(1.0 / Double(step + trial))}"
                    + (step % 10 == 0
                        ? "\n{\"step\": \(step), \"eval_loss\": 0.5, \"eval_accuracy\": \(0.6 + 0.01 * Double(step))}"
                        : "")
            }
            try (records.joined(separator: "\n") + "\n").write(
                toFile: trialDirectory + "/metrics.jsonl", atomically: true, encoding: .utf8)
            if trial == 1 {
                try "<html></html>".write(toFile: trialDirectory + "/report.html", atomically: true, encoding: .utf8)
            }
        }
        return directory
    }

    @Test func tableBestFirstWithCurvesOfEveryTrial() throws {
        let directory = try Self.sweepDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try ReportFiles.rebuild(directory: directory)
        #expect(path == directory + "/report.html")
        let page = try String(contentsOfFile: path, encoding: .utf8)
        // Rows in sweep.md's order; the best marked and linked to its own page; the failure's message.
        let rows = page.components(separatedBy: "<tr>").dropFirst(2).map { String($0.prefix(80)) }
        #expect(rows.count == 3)
        #expect(rows[0].hasPrefix("<td><a href=\"trial-1/report.html\">trial 1 ★</a></td><td>1e-4</td><td>0.9</td>"))
        #expect(rows[1].hasPrefix("<td>trial 0</td><td>1e-5</td>"))
        #expect(page.contains("failed: loss is not finite at step 3"))
        #expect(page.contains("<th>eval_accuracy</th>") && page.contains("metric eval_accuracy; best: trial 1"))
        // A line per trial with metrics (trials 0 and 1; the failed one has none).
        for title in ["Training loss", "Validation loss", "accuracy"] {
            let chart = try #require(HTMLReportTests.figure(title, in: page), "no chart \(title)")
            #expect(chart.contains("trial 0 (learning-rate 1e-5)") && chart.contains("trial 1 (learning-rate 1e-4)"))
            #expect(chart.components(separatedBy: "<polyline").count - 1 == 2, "\(title): a line per trial")
        }
        #expect(HTMLReportTests.networkReferences(in: page).isEmpty)
    }

    @Test func withoutSweepTableTrialsInOrder() throws {
        let directory = try Self.sweepDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.removeItem(atPath: directory + "/sweep.md")
        let page = try String(contentsOfFile: try ReportFiles.rebuild(directory: directory), encoding: .utf8)
        let rows = page.components(separatedBy: "<tr>").dropFirst(2).map { String($0.prefix(40)) }
        #expect(rows.count == 3 && rows[0].hasPrefix("<td>trial 0</td>"))
        #expect(HTMLReportTests.figure("Validation loss", in: page) != nil)
    }

    @Test func aBrokenLineIsNamed() throws {
        let directory = try Self.sweepDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "{\"trial\": 0}\nnot json\n".write(toFile: directory + "/sweep.jsonl", atomically: true, encoding: .utf8)
        #expect(throws: ReportError("\(directory)/sweep.jsonl:2: not a trial line")) {
            try ReportFiles.rebuild(directory: directory)
        }
    }
}
