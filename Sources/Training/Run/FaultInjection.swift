import Foundation

/// Test hooks, read once from the environment, with which the multi-rank tests reproduce
/// faults deterministically. Unset in normal use.
enum FaultInjection {
    /// `DDP_TRAIN_TEST_STOP_AT_STEP=N`: after step N, act as if SIGUSR1 (preemption) had
    /// arrived — checkpoint and stop — without the timing of a real signal.
    static let stopAtStep = integer("DDP_TRAIN_TEST_STOP_AT_STEP")
    /// `DDP_TRAIN_TEST_CRASH_IN_CHECKPOINT=N`: rank 0 aborts while writing checkpoint N,
    /// after the weights are written and before the manifest.
    static let crashInCheckpoint = integer("DDP_TRAIN_TEST_CRASH_IN_CHECKPOINT")
    /// `DDP_TRAIN_TEST_SLOW_RANK=R`: world rank R spends 0.2 s more on each step's compute,
    /// as a rank on a slower or busier node would.
    static let slowRank = integer("DDP_TRAIN_TEST_SLOW_RANK")

    private static func integer(_ name: String) -> Int? {
        ProcessInfo.processInfo.environment[name].flatMap(Int.init)
    }
}
