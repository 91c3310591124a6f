import Foundation
import JSON

/// What a sweep leaves in its output directory, and the line format its groups send to rank 0.
extension Sweep {
    /// `{"trial": 3, "config": {"learning-rate": "3e-5"}, "metric": 0.91, "steps": 120,
    /// "seconds": 41.2, "status": "finished"[, "message": "…"]}`.
    static func jsonLine(_ result: Result) -> String {
        var members: [JSONMember] = [
            JSONMember(key: "trial", value: JSONValue(result.trial)),
            JSONMember(
                key: "config",
                value: .object(result.values.map { JSONMember(key: $0.name, value: .string($0.value)) })),
            JSONMember(key: "metric", value: result.metric.map { JSONValue($0) } ?? .null),
            JSONMember(key: "steps", value: JSONValue(result.steps)),
            JSONMember(key: "seconds", value: JSONValue(result.seconds)),
            JSONMember(key: "status", value: .string(result.status)),
        ]
        if let message = result.message { members.append(JSONMember(key: "message", value: .string(message))) }
        return JSONWriter.compact(.object(members))
    }

    static func result(_ line: Substring) throws -> Result {
        let value = try JSONParser.parse(String(line))
        var values: SearchSpace.Trial = []
        for member in value["config"]?.objectMembers ?? [] {
            if case .string(let text) = member.value { values.append((member.key, text)) }
        }
        var message: String?
        if case .string(let text)? = value["message"] { message = text }
        var status = "failed"
        if case .string(let text)? = value["status"] { status = text }
        return Result(
            trial: value["trial"]?.integerValue ?? -1, values: values, metric: value["metric"]?.doubleValue,
            steps: value["steps"]?.integerValue ?? 0, seconds: value["seconds"]?.doubleValue ?? 0, status: status,
            message: message)
    }

    /// The results best first (failed and metric-less trials last, by trial number).
    func ranked(_ results: [Result]) -> [Result] {
        results.sorted { a, b in
            switch (a.metric, b.metric) {
            case (let x?, let y?): return x != y ? (greaterIsBetter ? x > y : x < y) : a.trial < b.trial
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.trial < b.trial
            }
        }
    }

    /// sweep.jsonl, sweep.md and the `best` link, each written whole (temporary file, rename).
    func write(_ results: [Result]) throws {
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try replace(output + "/sweep.jsonl", with: results.map(Self.jsonLine).joined(separator: "\n") + "\n")
        let ranked = ranked(results)
        let names = trials.first?.map(\.name) ?? []
        var table = "| trial | " + names.joined(separator: " | ") + " | \(metric) | steps | seconds | status |\n"
        table += "|---" + String(repeating: "|---", count: names.count + 4) + "|\n"
        for r in ranked {
            let metricText = r.metric.map { String(format: "%.4f", $0) } ?? "–"
            let status = r.message.map { "\(r.status): \($0.replacingOccurrences(of: "|", with: "/"))" } ?? r.status
            table +=
                "| \(r.trial) | " + r.values.map(\.value).joined(separator: " | ")
                + " | \(metricText) | \(r.steps) | \(String(format: "%.1f", r.seconds)) | \(status) |\n"
        }
        try replace(output + "/sweep.md", with: table)
        let best = output + "/best"
        try? FileManager.default.removeItem(atPath: best)
        if let first = ranked.first, first.metric != nil {
            try FileManager.default.createSymbolicLink(atPath: best, withDestinationPath: "trial-\(first.trial)")
        }
    }

    private func replace(_ path: String, with text: String) throws {
        let temporary = path + ".partial"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary, path) == 0 else {
            throw CheckpointError("\(path): cannot be written (rename failed, errno \(errno))")
        }
    }
}
