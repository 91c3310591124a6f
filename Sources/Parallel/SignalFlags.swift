import Synchronization
#if canImport(Glibc)
    import Glibc
#endif

/// Set by the signal handlers; read by the training loop. A lock-free atomic is
/// async-signal-safe; the handler does nothing else.
private let pendingSignals = Atomic<Int>(0)

private let stopBit = 1
private let saveBit = 2

/// Signals from the launcher or the scheduler, turned into flags the training loop reads
/// between steps and feeds into `Communicator.agree(_:)`.
///
/// - SIGUSR1 → `stop`: graceful stop (checkpoint, then exit). Slurm's `--signal=USR1@120`
///   and `mpirun` (which forwards SIGUSR1/SIGUSR2 to every rank) deliver it; SIGTERM is not
///   caught, because `mpirun` kills ranks about 2 s after it anyway.
/// - SIGUSR2 → `save`: write a checkpoint and continue.
///
/// A signal may reach only some ranks (or reach them at different steps); agreement makes
/// every rank act on it at the same step.
public enum SignalFlags {
    /// Installs the SIGUSR1 and SIGUSR2 handlers (`sigaction`, `SA_RESTART`). Call once,
    /// early, from the main thread.
    public static func install() {
        _ = pendingSignals.load(ordering: .relaxed)  // initialise the global before any signal
        installHandler(SIGUSR1) { _ in pendingSignals.bitwiseOr(stopBit, ordering: .relaxed) }
        installHandler(SIGUSR2) { _ in pendingSignals.bitwiseOr(saveBit, ordering: .relaxed) }
    }

    /// Whether SIGUSR1 arrived since the last `clear()`; it stays set (a stop is final).
    public static var stopRequested: Bool { pendingSignals.load(ordering: .relaxed) & stopBit != 0 }

    /// Whether SIGUSR2 arrived since it was last taken; reading clears it (one save per signal).
    public static func takeSaveRequest() -> Bool {
        pendingSignals.bitwiseAnd(~saveBit, ordering: .relaxed).oldValue & saveBit != 0
    }

    /// Forgets all pending signals.
    public static func clear() {
        pendingSignals.store(0, ordering: .relaxed)
    }

    /// Adds the pending signals to `flags` (stop; save, which is consumed).
    public static func apply(to flags: inout ControlFlags) {
        if stopRequested { flags.stop = true }
        if takeSaveRequest() { flags.save = true }
    }

    private static func installHandler(_ signal: Int32, _ handler: @convention(c) (Int32) -> Void) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        let result = sigaction(signal, &action, nil)
        precondition(result == 0, "sigaction(\(signal)) failed: errno \(errno)")
    }
}
