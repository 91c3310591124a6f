import Foundation
import JSON

/// What a sweep leaves in its output directory, and the record format of its queue.
extension Sweep {
    /// `{"trial": 3, "rung": 0, "config": {"learning-rate": "3e-5"}, "metric": 0.91, "steps": 120,
    /// "seconds": 41.2, "status": "finished"[, "message": "…"]}`.
    static func jsonLine(_ result: Result) -> String {
        var members: [JSONMember] = [
            JSONMember(key: "trial", value: JSONValue(result.trial)),
            JSONMember(key: "rung", value: JSONValue(result.rung)),
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

    /// Reads a `jsonLine`; throws when `trial` or `status` is missing.
    static func result(_ line: Substring) throws -> Result {
        let value = try JSONParser.parse(String(line))
        var values: SearchSpace.Trial = []
        for member in value["config"]?.objectMembers ?? [] {
            if case .string(let text) = member.value { values.append((member.key, text)) }
        }
        var message: String?
        if case .string(let text)? = value["message"] { message = text }
        guard let trial = value["trial"]?.integerValue, case .string(let status)? = value["status"] else {
            throw CheckpointError("expected \"trial\" and \"status\" in a sweep record, found \(line)")
        }
        return Result(
            trial: trial, rung: value["rung"]?.integerValue ?? 0, values: values, metric: value["metric"]?.doubleValue,
            steps: value["steps"]?.integerValue ?? 0, seconds: value["seconds"]?.doubleValue ?? 0, status: status,
            message: message)
    }

    /// Each trial's furthest record, best first: the furthest rung first (with ASHA the
    /// trials that ran longest), then by the metric; failed and metric-less ones last.
    func ranked(_ results: [Result]) -> [Result] {
        var furthest: [Int: Result] = [:]
        for r in results where furthest[r.trial].map({ $0.rung < r.rung }) ?? true { furthest[r.trial] = r }
        return furthest.values.sorted { a, b in
            if a.rung != b.rung { return a.rung > b.rung }
            switch (a.metric, b.metric) {
            case (let x?, let y?): return x != y ? (greaterIsBetter ? x > y : x < y) : a.trial < b.trial
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.trial < b.trial
            }
        }
    }

    /// sweep.jsonl (every record, by trial and rung), sweep.md (a row per trial, its furthest
    /// rung) and the `best` link (the best finished trial), each written whole. `complete`: no
    /// job is left, so a trial paused at a rung was stopped there.
    func write(_ results: [Result], complete: Bool = true) throws {
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let ordered = results.sorted { $0.job < $1.job }
        try Self.replace(output + "/sweep.jsonl", with: ordered.map(Self.jsonLine).joined(separator: "\n") + "\n")
        let ranked = ranked(results)
        let names = trials.first?.map(\.name) ?? []
        let asha = minResource != nil
        var table =
            "| trial | " + names.joined(separator: " | ") + " | \(metric) |" + (asha ? " rung |" : "")
            + " steps | seconds | status |\n"
        table += "|---" + String(repeating: "|---", count: names.count + (asha ? 5 : 4)) + "|\n"
        for r in ranked {
            let metricText = r.metric.map { String(format: "%.4f", $0) } ?? "–"
            var status =
                switch r.status {
                case "paused": complete ? "stopped at rung \(r.rung)" : "paused at rung \(r.rung)"
                case "stopped": "interrupted (resume to finish)"
                default: r.status
                }
            if let message = r.message { status += ": " + message.replacingOccurrences(of: "|", with: "/") }
            // Seconds of every job of the trial.
            let seconds = results.filter { $0.trial == r.trial }.reduce(0) { $0 + $1.seconds }
            table +=
                "| \(r.trial) | " + r.values.map(\.value).joined(separator: " | ") + " | \(metricText) |"
                + (asha ? " \(r.rung) |" : "") + " \(r.steps) | \(String(format: "%.1f", seconds)) | \(status) |\n"
        }
        try Self.replace(output + "/sweep.md", with: table)
        let best = output + "/best"
        try? FileManager.default.removeItem(atPath: best)
        if let first = ranked.first(where: { $0.status == "finished" && $0.metric != nil }) {
            try FileManager.default.createSymbolicLink(atPath: best, withDestinationPath: "trial-\(first.trial)")
        }
    }

    /// Writes `text` to a temporary file beside `path` and renames it into place.
    static func replace(_ path: String, with text: String) throws {
        let temporary = path + ".partial-\(getpid())"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary, path) == 0 else {
            throw CheckpointError("\(path): cannot be written (rename failed, errno \(errno))")
        }
    }
}
