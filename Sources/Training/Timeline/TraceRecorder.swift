import Foundation
import JSON
import Model
import Parallel

/// The spans of one rank for `--trace-steps A:B`, in memory until the window closes, then as
/// Chrome trace events (`ph: "X"`, `ts`/`dur` in microseconds since the window opened): the
/// format `chrome://tracing` and Perfetto open. Exists only inside the window; outside it the
/// trainer and step engine hold nil and record nothing.
///
/// Lanes (`tid`): 1 compute (steps, forward, backward with a child per layer group, waits,
/// optimizer, evaluation, checkpoint writes), 2 communication (a flat or sharded reduction,
/// the embedding-row sum), and one lane per gradient bucket (10 + its index), since buckets
/// in flight overlap each other while a lane's spans must nest.
public final class TraceRecorder {
    public enum Lane {
        public static let compute = 1
        public static let communication = 2
        public static func bucket(_ index: Int) -> Int { 10 + index }
    }

    public struct Span: Sendable {
        public var name: String
        public var lane: Int
        public var begin: Double
        public var end: Double
        /// `args` members as JSON text.
        public var args: [(String, String)]
    }

    /// `monotonicSeconds()` at the window's start (after a barrier, so ranks on one node
    /// share it up to the barrier's skew).
    public let origin: Double
    public private(set) var spans: [Span] = []
    /// The step being recorded (1-based, as `metrics.jsonl` counts), which names its span.
    public var step = 0

    public init(origin: Double) {
        self.origin = origin
        spans.reserveCapacity(4096)
    }

    public func record(_ name: String, lane: Int, from begin: Double, to end: Double, args: [(String, String)] = []) {
        spans.append(Span(name: name, lane: lane, begin: begin, end: end, args: args))
    }

    /// Records `body` as a span on the compute lane.
    public func measure<T>(_ name: String, args: [(String, String)] = [], _ body: () throws -> T) rethrows -> T {
        let begin = monotonicSeconds()
        defer { record(name, lane: Lane.compute, from: begin, to: monotonicSeconds(), args: args) }
        return try body()
    }

    /// This rank's events, one JSON object each: the process and lane names, then the spans.
    public func events(rank: Int, host: String) -> [String] {
        func microseconds(_ seconds: Double) -> String { String(format: "%.3f", seconds * 1e6) }
        func metadata(_ name: String, tid: Int, value: String) -> String {
            "{\"ph\": \"M\", \"name\": \"\(name)\", \"pid\": \(rank), \"tid\": \(tid), \"args\": {\"name\": "
                + JSON.quoted(value) + "}}"
        }
        var lanes = Set(spans.map(\.lane))
        lanes.insert(Lane.compute)
        var events = [
            metadata("process_name", tid: 0, value: "rank \(rank) (\(host))"),
            "{\"ph\": \"M\", \"name\": \"process_sort_index\", \"pid\": \(rank), \"tid\": 0, \"args\": "
                + "{\"sort_index\": \(rank)}}",
        ]
        for lane in lanes.sorted() {
            let name =
                lane == Lane.compute ? "compute" : lane == Lane.communication ? "communication" : "bucket \(lane - 10)"
            events.append(metadata("thread_name", tid: lane, value: name))
        }
        for span in spans {
            let args = span.args.map { JSON.quoted($0.0) + ": " + $0.1 }.joined(separator: ", ")
            events.append(
                "{\"ph\": \"X\", \"name\": " + JSON.quoted(span.name) + ", \"cat\": \""
                    + (span.lane == Lane.compute ? "compute" : "communication") + "\", \"pid\": \(rank), \"tid\": "
                    + "\(span.lane), \"ts\": \(microseconds(span.begin - origin)), \"dur\": "
                    + "\(microseconds(max(0, span.end - span.begin))), \"args\": {\(args)}}")
        }
        return events
    }

    /// The trace file of every rank's `events`.
    public static func document(_ events: [String]) -> String {
        "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [\n" + events.joined(separator: ",\n") + "\n]}\n"
    }
}

/// Hears the backward pass as each group's gradients are final: a span per group (head,
/// pooler, each layer, embeddings) from the previous group's end, then tells `inner` (the
/// reduction's observer, when there is one).
final class TracingObserver: GradientObserver {
    let inner: GradientObserver?
    let recorder: TraceRecorder
    private var last: Double

    init(inner: GradientObserver?, recorder: TraceRecorder) {
        self.inner = inner
        self.recorder = recorder
        last = monotonicSeconds()
    }

    func gradientsReady(_ group: ParameterGroup) {
        let now = monotonicSeconds()
        recorder.record("backward \(group)", lane: TraceRecorder.Lane.compute, from: last, to: now)
        last = now
        inner?.gradientsReady(group)
    }

    func poll() { inner?.poll() }
}

extension TraceRecorder {
    /// The communication of one reduction: each bucket's allreduce from its start to its
    /// completion on its own lane; without buckets (flat, sharded), one allreduce span over
    /// `begin`–`end`, the blocking call.
    func recordReduction(_ buckets: [(start: Double, end: Double)], from begin: Double, to end: Double) {
        guard !buckets.isEmpty else {
            record("allreduce", lane: Lane.communication, from: begin, to: end)
            return
        }
        for (index, bucket) in buckets.enumerated() where bucket.start > 0 {
            record(
                "allreduce bucket \(index)", lane: Lane.bucket(index), from: bucket.start,
                to: bucket.end > 0 ? bucket.end : end, args: [("bucket", "\(index)")])
        }
    }
}
