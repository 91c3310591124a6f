// Multi-rank checks of the Parallel module. Run by Tests/MultiRank/run-parallel-checks.sh under
// mpirun at 1–4 ranks, and directly (a singleton MPI_Init). Modes:
//   parallel-checks                     all checks; exit 1 if any failed (on every rank)
//   parallel-checks spin [seconds]      allreduce loop, for the kill test
//   parallel-checks wait-signal [secs]  stop by agreement after SIGUSR1
//   parallel-checks bench [s/layer]     allreduce timing and overlap
//   parallel-checks embedding-bench [pairs]  cross-rank multiple-negatives ranking timing
//   parallel-checks fail-one            a check fails on the last rank only: all ranks exit 1
//   parallel-checks abort-one           the last rank aborts while the others wait in a collective
import Foundation
import Parallel

// Output is flushed after every line that matters (fflush(nil)), so ranks interleave cleanly.
let arguments = CommandLine.arguments.dropFirst()
let mode = arguments.first ?? "checks"
let number = arguments.dropFirst().first.flatMap(Double.init)

let communicator: Communicator
do {
    communicator = try Communicator()
} catch {
    FileHandle.standardError.write("error: \(error)\n".data(using: .utf8)!)
    exit(2)
}

var exitCode: Int32 = 0
do {
    switch mode {
    case "checks":
        let runner = CheckRunner(communicator: communicator)
        runner.say("parallel-checks: \(communicator.size) rank(s)")
        identityChecks(runner)
        broadcastChecks(runner)
        allreduceChecks(runner)
        bucketChecks(runner)
        agreementChecks(runner)
        checksumChecks(runner)
        batchPlanChecks(runner)
        groupChecks(runner)
        embeddingChecks(runner)
        gradCacheChecks(runner)
        if runner.failed.isEmpty {
            runner.say("ALL PASS: \(runner.passed) checks at \(communicator.size) rank(s)")
        } else {
            runner.say(
                "FAILED: \(runner.failed.count) of \(runner.passed + runner.failed.count) checks at "
                    + "\(communicator.size) rank(s): \(runner.failed)"
            )
            exitCode = 1
        }
    case "fail-one":
        // One failing check on the last rank only: every rank must see FAIL and exit 1.
        let runner = CheckRunner(communicator: communicator)
        runner.check("deliberate failure on the last rank") { () throws(MPIError) in
            (communicator.rank != communicator.size - 1, "rank \(communicator.rank)")
        }
        runner.check("ranks still in step after the failure") { () throws(MPIError) in
            (try communicator.allreduce(Int64(1), operation: .sum) == Int64(communicator.size), "")
        }
        exitCode = runner.failed == ["deliberate failure on the last rank"] ? 1 : 2
        runner.say("FAIL-ONE: failed checks \(runner.failed), exit \(exitCode)")
    case "abort-one":
        // A fatal error on the last rank while the others wait in a collective.
        if communicator.rank == communicator.size - 1 {
            FileHandle.standardError.write(
                "[rank \(communicator.rank)] error: simulated fatal error, aborting\n".data(using: .utf8)!)
            communicator.abort(code: 3)
        }
        _ = try communicator.allreduce(Int64(1), operation: .sum)
        exitCode = 4  // not reached when abort works: the launcher ends this rank
    case "spin":
        try spin(communicator, seconds: number ?? 120)
    case "wait-signal":
        exitCode = try waitForSignal(communicator, seconds: number ?? 60) ? 0 : 1
    case "bench":
        try bench(communicator, computeSecondsPerLayer: number ?? 0.05)
    case "embedding-bench":
        try embeddingBench(communicator, pairs: Int(number ?? 1024))
    default:
        FileHandle.standardError.write(
            Data(
                ("usage: parallel-checks [checks | spin [s] | wait-signal [s] | bench [s/layer] | "
                    + "embedding-bench [pairs] | fail-one | "
                    + "abort-one]\n").utf8))
        exitCode = 64
    }
    try communicator.finalize()
} catch {
    FileHandle.standardError.write("[rank \(communicator.rank)] error: \(error)\n".data(using: .utf8)!)
    communicator.abort(code: 2)
}
exit(exitCode)
