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
func wanted(_ name: String) -> Bool { selected.isEmpty || selected.contains(name) }

if wanted("equivalence") { Checks.equivalence(&harness) }
if wanted("resume") { Checks.exactResume(&harness) }
if wanted("faults") { Checks.faults(&harness) }
if wanted("signal") { Checks.preemptionSignal(&harness) }
if wanted("bad-input") { Checks.badInput(&harness) }
if wanted("inference") { Checks.inference(&harness) }
if wanted("tasks") { TaskChecks.run(&harness) }
if wanted("causal-lm") { CausalLMChecks.run(&harness) }
if wanted("trace") { TraceChecks.run(&harness) }
if wanted("explain") { ExplainChecks.run(&harness) }
if wanted("embed") { EmbedChecks.run(&harness) }
if wanted("sweep") { SweepChecks.run(&harness) }
if wanted("craft") {
    CraftChecks.freezing(&harness)
    CraftChecks.unfreezingAndLayerRates(&harness)
    CraftChecks.accumulation(&harness)
    CraftChecks.earlyStopping(&harness)
    CraftChecks.lora(&harness)
    CraftChecks.secondStage(&harness)
    CraftChecks.augmentation(&harness)
}

print(harness.failures == 0 ? "all training checks passed" : "\(harness.failures) training check(s) failed")
exit(Int32(min(harness.failures, 100)))
