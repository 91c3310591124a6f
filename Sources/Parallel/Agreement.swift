/// Control decisions a rank may want to take at a step. Each rank fills in what it sees
/// locally; `Communicator.agree(_:)` combines them so that every rank acts on the same
/// flags at the same step. Combining is a logical OR: a flag set on any rank is set on all.
public struct ControlFlags: Equatable, Sendable, CustomStringConvertible {
    /// Stop gracefully after this step (SIGUSR1 — the preemption warning —, a time limit).
    public var stop: Bool
    /// Write a checkpoint after this step (SIGUSR2).
    public var save: Bool
    /// Early stopping triggered (usually decided on rank 0 from the evaluation metric).
    public var earlyStop: Bool
    /// A rank hit an error it has reported: all ranks stop together instead of hanging.
    public var failed: Bool

    public init(stop: Bool = false, save: Bool = false, earlyStop: Bool = false, failed: Bool = false) {
        self.stop = stop
        self.save = save
        self.earlyStop = earlyStop
        self.failed = failed
    }

    public var description: String {
        let names = [(stop, "stop"), (save, "save"), (earlyStop, "earlyStop"), (failed, "failed")].filter(\.0).map(\.1)
        return "ControlFlags(\(names.joined(separator: ", ")))"
    }

    /// The fixed-size vector reduced by `agree`: 4 × Int64, no heap memory.
    typealias Slots = (Int64, Int64, Int64, Int64)

    var slots: Slots {
        (stop ? 1 : 0, save ? 1 : 0, earlyStop ? 1 : 0, failed ? 1 : 0)
    }

    init(slots s: Slots) {
        self.init(stop: s.0 != 0, save: s.1 != 0, earlyStop: s.2 != 0, failed: s.3 != 0)
    }
}

extension Communicator {
    /// One `MPI_Allreduce(MAX)` of the flag vector: every rank returns the same combined flags.
    /// Call it at the same point of every step on every rank (it is a collective).
    public func agree(_ flags: ControlFlags) throws(MPIError) -> ControlFlags {
        var slots = flags.slots
        try withUnsafeMutablePointer(to: &slots) { (tuple) throws(MPIError) in
            // A homogeneous tuple is laid out like a C array of its element type.
            try tuple.withMemoryRebound(to: Int64.self, capacity: 4) { (elements) throws(MPIError) in
                try allreduce(UnsafeMutableBufferPointer(start: elements, count: 4), operation: .max)
            }
        }
        return ControlFlags(slots: slots)
    }
}
