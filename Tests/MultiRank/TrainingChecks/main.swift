import Foundation

// Multi-rank end-to-end checks of `ddp-train`, run by Tests/MultiRank/run-training-checks.sh:
//
//   training-checks BINARY WORK_DIR MODEL_DIR DEMO_DATA_DIR [check ...]
//
// Each check launches real `mpirun` jobs of the release binary on the real pretrained
// model and the demo data, and prints PASS/FAIL lines; the exit status is the number of
// failures (capped at 100).

let arguments = CommandLine.arguments
guard arguments.count >= 5 else {
    print("usage: training-checks BINARY WORK_DIR MODEL_DIR DEMO_DATA_DIR [check ...]")
    exit(2)
}
var harness = Harness(binary: arguments[1], work: arguments[2], model: arguments[3], demo: arguments[4])
try? FileManager.default.removeItem(atPath: harness.work)
try FileManager.default.createDirectory(atPath: harness.work, withIntermediateDirectories: true)
let selected = Set(arguments.dropFirst(5))
let keepOutputs = ProcessInfo.processInfo.environment["DDP_TRAIN_KEEP_CHECKS"] == "1"

/// Runs one group of checks if it was selected. A group that passed leaves nothing behind:
/// checkpoints of a 22M-parameter model take about 270 MB each, and CI's disk is small, so
/// only a failed group's outputs stay for diagnosis (or every group's, with
/// DDP_TRAIN_KEEP_CHECKS=1). Its size at the end of each group is printed, to size CI.
@MainActor func group(_ name: String, _ body: (inout Harness) -> Void) {
    guard selected.isEmpty || selected.contains(name) else { return }
    let failuresBefore = harness.failures
    body(&harness)
    let bytes = WorkDirectory.bytes(harness.work)
    print("group \(name): work directory \(WorkDirectory.describe(bytes))")
    if harness.failures == failuresBefore && !keepOutputs { WorkDirectory.empty(harness.work) }
}

group("equivalence") { Checks.equivalence(&$0) }
group("resume") { Checks.exactResume(&$0) }
group("faults") { Checks.faults(&$0) }
group("signal") { Checks.preemptionSignal(&$0) }
group("bad-input") { Checks.badInput(&$0) }
group("inference") { Checks.inference(&$0) }
group("tasks") { TaskChecks.run(&$0) }
group("causal-lm") { CausalLMChecks.run(&$0) }
group("trace") { TraceChecks.run(&$0) }
group("explain") { ExplainChecks.run(&$0) }
group("embed") { EmbedChecks.run(&$0) }
group("embedding") { EmbeddingTaskChecks.run(&$0) }
group("sweep") { SweepChecks.run(&$0) }
group("storage") { StorageChecks.run(&$0) }
group("hang") { HangChecks.run(&$0) }
group("craft") { h in
    CraftChecks.freezing(&h)
    CraftChecks.unfreezingAndLayerRates(&h)
    CraftChecks.accumulation(&h)
    CraftChecks.earlyStopping(&h)
    CraftChecks.lora(&h)
    CraftChecks.secondStage(&h)
    CraftChecks.augmentation(&h)
}

print(harness.failures == 0 ? "all training checks passed" : "\(harness.failures) training check(s) failed")
exit(Int32(min(harness.failures, 100)))
