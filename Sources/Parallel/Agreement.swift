/// Control decisions a rank may want to take at a step. Each rank fills in what it sees
/// locally; `Communicator.agree(_:)` combines them so that every rank acts on the same
/// flags at the same step (DESIGN invariant 4). Combining is a maximum: a flag set on any
/// rank is set on all, and `level` becomes the largest value proposed.
public struct ControlFlags: Equatable, Sendable, CustomStringConvertible {
    /// Stop gracefully after this step (SIGUSR1 — the preemption warning —, a time limit).
    public var stop: Bool
    /// Write a checkpoint after this step (SIGUSR2).
    public var save: Bool
    /// Skip this step's update (non-finite gradients or loss on some rank).
    public var skipStep: Bool
    /// Early stopping triggered (usually decided on rank 0 from the evaluation metric).
    public var earlyStop: Bool
    /// Evaluate after this step.
    public var evaluate: Bool
    /// A rank hit an error it has reported: all ranks stop together instead of hanging.
    public var failed: Bool
    /// A free integer combined by maximum, e.g. the number of unfrozen layers.
    public var level: Int64

    public init(stop: Bool = false, save: Bool = false, skipStep: Bool = false, earlyStop: Bool = false,
                evaluate: Bool = false, failed: Bool = false, level: Int64 = 0) {
        self.stop = stop
        self.save = save
        self.skipStep = skipStep
        self.earlyStop = earlyStop
        self.evaluate = evaluate
        self.failed = failed
        self.level = level
    }

    public var description: String {
        let names = [(stop, "stop"), (save, "save"), (skipStep, "skipStep"), (earlyStop, "earlyStop"),
                     (evaluate, "evaluate"), (failed, "failed")].filter(\.0).map(\.1)
        return "ControlFlags(\(names.joined(separator: ", "))\(names.isEmpty ? "" : ", ")level: \(level))"
    }

    /// The fixed-size vector reduced by `agree`: 8 × Int64, no heap memory.
    typealias Slots = (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64)

    var slots: Slots {
        (stop ? 1 : 0, save ? 1 : 0, skipStep ? 1 : 0, earlyStop ? 1 : 0, evaluate ? 1 : 0, failed ? 1 : 0, level, 0)
    }

    init(slots s: Slots) {
        self.init(stop: s.0 != 0, save: s.1 != 0, skipStep: s.2 != 0, earlyStop: s.3 != 0,
                  evaluate: s.4 != 0, failed: s.5 != 0, level: s.6)
    }
}

extension Communicator {
    /// One `MPI_Allreduce(MAX)` of the flag vector: every rank returns the same combined flags.
    /// Call it at the same point of every step on every rank (it is a collective).
    public func agree(_ flags: ControlFlags) throws(MPIError) -> ControlFlags {
        var slots = flags.slots
        try withUnsafeMutablePointer(to: &slots) { (tuple) throws(MPIError) in
            // A homogeneous tuple is laid out like a C array of its element type.
            try tuple.withMemoryRebound(to: Int64.self, capacity: 8) { (elements) throws(MPIError) in
                try allreduce(UnsafeMutableBufferPointer(start: elements, count: 8), operation: .max)
            }
        }
        return ControlFlags(slots: slots)
    }

    /// Agrees on whether every rank succeeded (a logical AND): for checks and for ending
    /// together after a local failure.
    public func allSucceeded(_ succeeded: Bool) throws(MPIError) -> Bool {
        try allreduce(Int64(succeeded ? 1 : 0), operation: .min) == 1
    }
}
