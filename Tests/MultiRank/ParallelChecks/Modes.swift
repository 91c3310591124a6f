import Foundation
import Parallel

/// `spin [seconds]`: allreduces in a loop, for the kill test (one rank is killed with
/// SIGKILL; the launcher must end the job instead of leaving the others in a collective).
func spin(_ comm: Communicator, seconds: Double) throws(MPIError) {
    let buffer = makeFloats(1 << 20) { Float($0 % 7) }
    defer { buffer.deallocate() }
    print("SPIN-READY rank \(comm.rank) pid \(getpid())")
    fflush(nil)
    let end = monotonicSeconds() + seconds
    var iterations = 0
    while true {
        // Agree on the end so that every rank leaves the loop at the same iteration.
        let done = try comm.allreduce(Int64(monotonicSeconds() >= end ? 1 : 0), operation: .max)
        if done == 1 { break }
        try comm.allreduceSum(buffer)
        for i in 0..<buffer.count { buffer[i] = Float(i % 7) }
        iterations += 1
    }
    if comm.isRoot { print("SPIN-DONE after \(iterations) iterations") }
}

/// `wait-signal [seconds]`: steps until SIGUSR1 (sent to mpirun, forwarded to every rank)
/// makes the ranks agree to stop; checks that they all stop at the same step.
func waitForSignal(_ comm: Communicator, seconds: Double) throws(MPIError) -> Bool {
    SignalFlags.install()
    print("SIGNAL-READY rank \(comm.rank) pid \(getpid())")
    fflush(nil)
    let scratch = makeFloats(4_096) { Float($0) }
    defer { scratch.deallocate() }
    let end = monotonicSeconds() + seconds
    var step = 0
    while true {
        compute(seconds: 0.01, scratch: scratch)
        var flags = ControlFlags()
        SignalFlags.apply(to: &flags)
        if monotonicSeconds() >= end { flags.failed = true }
        let agreed = try comm.agree(flags)
        if agreed.stop || agreed.failed {
            let low = try comm.allreduce(Int64(step), operation: .min)
            let high = try comm.allreduce(Int64(step), operation: .max)
            let ok = agreed.stop && !agreed.failed && low == high
            if comm.isRoot {
                print(
                    ok
                        ? "SIGNAL-STOP all ranks stopped at step \(step) (agreed \(agreed))"
                        : "SIGNAL-FAIL stop \(agreed.stop), timed out \(agreed.failed), steps \(low)...\(high)")
            }
            return ok
        }
        step += 1
    }
}

/// `bench`: blocking allreduce of the all-MiniLM-L6-v2 gradient slab (22.7 M floats), and the
/// bucketed reduction overlapped with a simulated backward pass.
func bench(_ comm: Communicator, computeSecondsPerLayer: Double) throws(MPIError) {
    let model = SyntheticModel.miniLM
    let ranges = model.trainableRanges()
    let slab = makeFloats(model.count) { gradientValue(rank: comm.rank, index: $0 % 65_536) }
    let scratch = makeFloats(4_096) { Float($0) }
    defer { slab.deallocate(); scratch.deallocate() }
    let say: (String) -> Void = { line in if comm.isRoot { print(line); fflush(nil) } }
    say("bench: \(comm.size) ranks, \(model.count) floats (\(model.count * 4 / 1_000_000) MB), \(ranges.count) tensors")

    // Flat: one blocking MPI_Allreduce over the whole slab; the slowest rank's time counts.
    var times: [Double] = []
    for repetition in 0..<12 {
        try comm.barrier()
        let begin = monotonicSeconds()
        try comm.allreduceSum(slab)
        let elapsed = try comm.allreduce(monotonicSeconds() - begin, operation: .max)
        if repetition >= 2 { times.append(elapsed) }
    }
    times.sort()
    say(
        "flat blocking allreduce of \(model.count) floats: min \(ms(times.first!)), median "
            + "\(ms(times[times.count / 2])), max \(ms(times.last!)) over \(times.count) runs"
    )

    // Bucketed: 25 MiB buckets (first 1 MiB), backward simulated per unit (embeddings count as
    // one unit), with and without polls between compute slices.
    let reducer = GradientBucketReducer(
        communicator: comm, gradients: slab.baseAddress!, count: model.count, ranges: ranges)
    say("buckets: \(reducer.layout.buckets.map { "\($0.count * 4 / 1_000) kB" })")
    for slices in [1, 4, 16, 64] {
        reducer.resetStatistics()
        var stepTimes: [Double] = []
        var computeSeconds = 0.0
        for repetition in 0..<4 {
            try comm.barrier()
            if repetition == 1 { reducer.resetStatistics(); computeSeconds = 0 }
            let begin = monotonicSeconds()
            _ = try bucketedBackward(
                reducer, model: model, secondsPerUnit: computeSecondsPerLayer, slices: slices,
                scratch: scratch, computeSeconds: &computeSeconds)
            let elapsed = try comm.allreduce(monotonicSeconds() - begin, operation: .max)
            if repetition > 0 { stepTimes.append(elapsed) }
        }
        let s = reducer.statistics
        let steps = Double(s.steps)
        print(
            "[rank \(comm.rank)] bucketed, "
                + "\(slices == 1 ? "no polls between marks" : "\(slices - 1) polls per unit"): step "
                + "\(ms(stepTimes.reduce(0, +) / Double(stepTimes.count))) (compute \(ms(computeSeconds / steps))), "
                + "communication \(ms(s.communicationSeconds / steps)), starting \(ms(s.startSeconds / steps)), "
                + "blocked in finish \(ms(s.blockedSeconds / steps)), in poll \(ms(s.pollSeconds / steps)) "
                + "(\(s.pollCalls / s.steps) polls); in MPI in all \(ms(s.mpiSeconds / steps)); hidden "
                + "\(Int((s.hiddenFraction * 100).rounded())) % of the wait"
        )
        fflush(nil)
        try comm.barrier()
    }
    // Reference: compute everything, then the flat reduction.
    var serial: [Double] = []
    for _ in 0..<3 {
        try comm.barrier()
        let begin = monotonicSeconds()
        compute(seconds: computeSecondsPerLayer * Double(model.units.count), scratch: scratch)
        try reducer.reduceAllNow()
        serial.append(try comm.allreduce(monotonicSeconds() - begin, operation: .max))
    }
    say("serial (compute, then flat allreduce): step \(ms(serial.reduce(0, +) / Double(serial.count)))")
}
