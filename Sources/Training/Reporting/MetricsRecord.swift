import Foundation
import JSON

/// One line of `metrics.jsonl` (and one entry of `log_history`): a flat JSON object of
/// numbers, e.g. `{"step": 50, "epoch": 0.02, "loss": 0.61, "learning_rate": 4.9e-05,
/// "samples_per_second": 41.2}` for training, or `eval_`-prefixed keys for an evaluation.
public struct MetricsRecord: Codable, Equatable, Sendable {
    public var values: [String: Double]

    public init(_ values: [String: Double]) { self.values = values }

    public subscript(key: String) -> Double? {
        get { values[key] }
        set { values[key] = newValue }
    }

    public var step: Int { Int(values["step"] ?? 0) }
    public var isEvaluation: Bool { values.keys.contains { $0.hasPrefix("eval_") } }

    public init(from decoder: Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: Double].self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    /// The record as one line of JSON, keys sorted with `step` and `epoch` first; whole
    /// numbers without a fraction (`"step": 50`), non-finite values as `null`.
    public var jsonLine: String {
        let ordered = values.keys.sorted { a, b in
            let rank = { (k: String) in k == "step" ? 0 : k == "epoch" ? 1 : 2 }
            return rank(a) != rank(b) ? rank(a) < rank(b) : a < b
        }
        var record = JSONRecord()
        for key in ordered { record.append(key, values[key]!) }
        return record.line
    }
}

/// Appends records to `metrics.jsonl` in the output directory (rank 0 only), flushing each
/// line so a crashed run keeps everything logged before the crash.
public final class MetricsLog {
    public let path: String
    private let handle: FileHandle

    /// Opens (creating) `path` for appending. A resumed run first truncates it to the
    /// records up to its `globalStep`, so the file never holds a step twice.
    public init(path: String, keepingRecordsUpTo globalStep: Int?) throws {
        self.path = path
        let manager = FileManager.default
        if let globalStep, let data = manager.contents(atPath: path) {
            let kept = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { line in
                // A line that is not a JSON object is dropped; one without a step counts as step
                // 0. A null value (a non-finite loss) keeps its line.
                guard let record = try? JSONParser.parse(String(line)), record.objectMembers != nil else {
                    return false
                }
                return (record["step"]?.doubleValue ?? 0) <= Double(globalStep)
            }
            try (kept.map { $0 + "\n" }.joined()).write(toFile: path, atomically: true, encoding: .utf8)
        } else if globalStep == nil {
            try? manager.removeItem(atPath: path)
        }
        if !manager.fileExists(atPath: path) { manager.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CheckpointError("\(path): cannot be opened for writing")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit { try? handle.close() }

    public func append(_ record: MetricsRecord) {
        handle.write(Data((record.jsonLine + "\n").utf8))
    }
}
