import Foundation

/// Writes TensorBoard event files without TensorFlow or a protobuf library: TensorFlow's
/// record framing around hand-encoded `Event` messages (tensorflow/core/util/event.proto,
/// tensorflow/core/framework/summary.proto), the fields a scalar needs:
///
///     Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
///     Summary { repeated Value value = 1; }
///     Value   { string tag = 1; float simple_value = 2; }
///
/// Each record is `uint64 length`, `uint32 masked_crc32c(length)`, the event bytes,
/// `uint32 masked_crc32c(bytes)`, all little-endian, written with one `write` call: a run
/// killed mid-write leaves every earlier record whole, and readers stop at the torn one.
/// The first event carries `file_version: "brain.Event:2"`.
public final class TensorBoardWriter {
    /// The event file, `events.out.tfevents.<unix time>.<host>` in the logging directory.
    public let path: String
    private let handle: FileHandle

    /// Creates the directory and a new event file in it, and writes the version event.
    public init(directory: String, host: String = ProcessInfo.processInfo.hostName, wallTime: Double? = nil) throws {
        let now = wallTime ?? Date().timeIntervalSince1970
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/events.out.tfevents.\(Int(now)).\(host)"
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw ReportError("\(path): cannot be created (check that the logging directory is writable)")
        }
        self.handle = handle
        var event = ProtobufWriter()
        event.double(1, now)
        event.string(3, "brain.Event:2")
        try write(event: event.bytes)
    }

    deinit { try? handle.close() }

    /// One event at `step` holding every scalar of `values` as a `simple_value`.
    public func add(scalars values: [(tag: String, value: Double)], step: Int, wallTime: Double? = nil) throws {
        var summary = ProtobufWriter()
        for (tag, value) in values {
            var entry = ProtobufWriter()
            entry.string(1, tag)
            entry.float(2, Float(value))
            summary.message(1, entry.bytes)
        }
        var event = ProtobufWriter()
        event.double(1, wallTime ?? Date().timeIntervalSince1970)
        event.int64(2, Int64(step))
        event.message(5, summary.bytes)
        try write(event: event.bytes)
    }

    /// One event for a metrics record: its scalars under the Hugging Face tag names
    /// (`TensorBoardTags`), at its `step`.
    public func add(record: [String: Double], wallTime: Double? = nil) throws {
        let evaluation = TensorBoardTags.isEvaluation(record)
        let scalars = record.keys.sorted().compactMap { key in
            TensorBoardTags.tag(for: key, evaluation: evaluation).map { (tag: $0, value: record[key]!) }
        }
        try add(scalars: scalars, step: Int(record["step"] ?? 0), wallTime: wallTime)
    }

    /// The framed record of `event`.
    public static func frame(_ event: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(event.count + 16)
        withUnsafeBytes(of: UInt64(event.count).littleEndian) { out += $0 }
        withUnsafeBytes(of: CRC32C.masked(out[0..<8]).littleEndian) { out += $0 }
        out += event
        withUnsafeBytes(of: CRC32C.masked(event).littleEndian) { out += $0 }
        return out
    }

    private func write(event: [UInt8]) throws {
        try handle.write(contentsOf: Data(Self.frame(event)))
    }
}

/// The tag names of the Hugging Face Trainer's TensorBoard callback (`rewrite_logs`):
/// `eval_x` → `eval/x`, anything else → `train/x` (`train/loss`, `train/learning_rate`,
/// `train/grad_norm`, `train/epoch`). Keys of an evaluation record without the `eval_` prefix
/// (causal-lm's `perplexity`) go under `eval/` too, `epoch` under `train/` as there.
public enum TensorBoardTags {
    public static func tag(for key: String, evaluation: Bool) -> String? {
        if key == "step" { return nil }
        if key.hasPrefix("eval_") { return "eval/" + key.dropFirst(5) }
        if key.hasPrefix("test_") { return "test/" + key.dropFirst(5) }
        return evaluation && key != "epoch" ? "eval/" + key : "train/" + key
    }

    /// Whether a metrics record is an evaluation's (it has `eval_` keys).
    public static func isEvaluation(_ record: [String: Double]) -> Bool {
        record.keys.contains { $0.hasPrefix("eval_") }
    }
}

/// A report that cannot be written or rebuilt; the message names the file.
public struct ReportError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
