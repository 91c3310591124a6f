/// Where the time of one optimizer step went, on this rank (seconds on the monotonic clock).
public struct StepTimes: Sendable {
    public var forward = 0.0
    public var backward = 0.0
    /// Blocked waiting for gradient sums after the backward pass (the part of the
    /// allreduce not hidden behind it), and, with a sharded optimizer, the allgather of
    /// the updated parameters.
    public var communication = 0.0
    /// Penalties, clipping and the AdamW update.
    public var optimizer = 0.0
    public var total: Double { forward + backward + communication + optimizer }

    public init(forward: Double = 0, backward: Double = 0, communication: Double = 0, optimizer: Double = 0) {
        self.forward = forward
        self.backward = backward
        self.communication = communication
        self.optimizer = optimizer
    }
}

/// What one optimizer step produced.
public struct StepResult: Sendable {
    /// Σ loss over this rank's examples (not normalised), and the loss units it covers.
    public var localLossSum: Double
    public var localLossUnits: Int
    /// Global gradient norm before clipping (identical on every rank).
    public var gradientNorm: Double
    /// False when the norm was not finite and every rank skipped the update.
    public var applied: Bool
    public var times: StepTimes
}
