import Foundation
import Parallel

extension TrainingOptions {
    /// `--trace-steps A:B` as steps A…B (1-based); nil when unset or malformed.
    public var traceWindow: ClosedRange<Int>? {
        guard let traceSteps else { return nil }
        let parts = traceSteps.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a >= 1, a <= b else { return nil }
        return a...b
    }
}

/// The `--trace-steps` window: opened at step A on every rank (a barrier, then a common
/// origin), recorded in memory by the step engine and around evaluations and checkpoint
/// writes, closed after step B (or the last step run): every rank's events go to rank 0,
/// which writes `trace.json` once. The window's bounds are the same on every rank, so the
/// collectives line up (invariant 4).
extension Trainer {
    /// Before step `step` (1-based) runs.
    func traceStepBegins(_ step: Int) throws {
        guard let window = options.traceWindow, window.contains(step) else { return }
        if trace == nil {
            try communicator.barrier()
            trace = TraceRecorder(origin: monotonicSeconds())
            engine.trace = trace
        }
        trace?.step = step
    }

    /// After step `step` and its evaluation and checkpoint; `last` when no step follows.
    func traceStepEnds(_ step: Int, last: Bool) throws {
        guard let recorder = trace, last || step >= options.traceWindow?.upperBound ?? 0 else { return }
        trace = nil
        engine.trace = nil
        let host = ProcessInfo.processInfo.hostName
        let mine = recorder.events(rank: communicator.rank, host: host).joined(separator: "\n")
        var events: [String] = []
        for rank in 0..<communicator.size {
            let received = try communicator.broadcast(string: communicator.rank == rank ? mine : nil, root: rank)
            if communicator.rank == 0 { events += received.split(separator: "\n").map(String.init) }
        }
        guard isRoot else { return }
        let path = options.output + "/trace.json"
        try TraceRecorder.document(events).write(toFile: path, atomically: true, encoding: .utf8)
        emit(.notice("timeline of steps \(options.traceWindow!.lowerBound)–\(step) written to \(path)"))
    }

    /// `body` as a span on the compute lane when a window is open.
    func traced<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        guard let trace else { return try body() }
        return try trace.measure(name, body)
    }
}
