import Synchronization

/// What this process's MPI thread is doing, for the watchdog thread (which makes no MPI
/// call): the blocking collective it is inside, since when, and the training step it is at.
/// The MPI thread stamps each blocking call (`Communicator.watched`); the cost is one
/// uncontended lock per call.
public final class CollectiveWatch: Sendable {
    /// One per process: there is one MPI thread.
    public static let shared = CollectiveWatch()

    public struct Snapshot: Sendable {
        /// The MPI call blocked in, or nil between calls (a static string: stamping a call
        /// allocates nothing).
        public var call: StaticString?
        /// `monotonicSeconds()` when that call began.
        public var since: Double
        /// The step in progress (0 before training), set by the trainer.
        public var step: Int
    }

    private let state = Mutex(Snapshot(call: nil, since: 0, step: 0))

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    /// The trainer is now at `step` (1-based).
    public func setStep(_ step: Int) { state.withLock { $0.step = step } }

    func begin(_ call: StaticString) {
        let now = monotonicSeconds()
        state.withLock {
            $0.call = call
            $0.since = now
        }
    }

    func end() { state.withLock { $0.call = nil } }
}

extension Communicator {
    /// Runs the blocking MPI call `body`, stamped as `call` for the watchdog.
    @inline(__always)
    func watched<T>(_ call: StaticString, _ body: () throws(MPIError) -> T) throws(MPIError) -> T {
        CollectiveWatch.shared.begin(call)
        defer { CollectiveWatch.shared.end() }
        return try body()
    }
}
