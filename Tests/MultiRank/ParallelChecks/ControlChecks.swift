import Foundation
import Parallel

func agreementChecks(_ runner: CheckRunner) {
    let comm = runner.communicator
    let n = comm.size
    let setters: [(String, (inout ControlFlags) -> Void)] = [
        ("stop", { $0.stop = true }), ("save", { $0.save = true }), ("earlyStop", { $0.earlyStop = true }),
        ("failed", { $0.failed = true }),
    ]
    runner.check("agreement: a flag set on one rank is seen by all") { () throws(MPIError) in
        var wrong: [String] = []
        for (name, set) in setters {
            for setter in 0..<n {
                var local = ControlFlags()
                if comm.rank == setter { set(&local) }
                let agreed = try comm.agree(local)
                var expected = ControlFlags()
                set(&expected)
                if agreed != expected { wrong.append("\(name) from rank \(setter): got \(agreed)") }
            }
        }
        let none = try comm.agree(ControlFlags())
        if none != ControlFlags() { wrong.append("no flags: got \(none)") }
        return (
            wrong.isEmpty,
            wrong.isEmpty ? "\(setters.count) flags × \(n) setting ranks" : wrong.joined(separator: "; ")
        )
    }
    runner.check("signals: SIGUSR1/SIGUSR2 on the last rank become agreed stop + save") { () throws(MPIError) in
        SignalFlags.install()
        SignalFlags.clear()
        if comm.rank == n - 1 {
            raise(SIGUSR1)
            raise(SIGUSR2)
        }
        var flags = ControlFlags()
        SignalFlags.apply(to: &flags)
        let agreed = try comm.agree(flags)
        let saveConsumed = !SignalFlags.takeSaveRequest()
        let stopSticky = SignalFlags.stopRequested == (comm.rank == n - 1)
        SignalFlags.clear()
        return (agreed.stop && agreed.save && !agreed.earlyStop && saveConsumed && stopSticky, "agreed \(agreed)")
    }
}

func checksumChecks(_ runner: CheckRunner) {
    let comm = runner.communicator
    let n = comm.size
    runner.check("replica checksum: identical slabs agree, a perturbed rank is named") { () throws(MPIError) in
        let slab = makeFloats(1_000_003) { gradientValue(rank: 0, index: $0) }
        defer { slab.deallocate() }
        let before = try comm.verifyReplicas(UnsafeBufferPointer(slab))
        let localBefore = ReplicaChecksum.hash(UnsafeBufferPointer(slab))

        // One ulp in one element on the last rank.
        let victim = n - 1
        if comm.rank == victim { slab[777_777] = Float(bitPattern: slab[777_777].bitPattern ^ 1) }
        let perturbed = try comm.verifyReplicas(UnsafeBufferPointer(slab))
        let localChanged = ReplicaChecksum.hash(UnsafeBufferPointer(slab)) != localBefore || comm.rank != victim
        if comm.rank == victim { slab[777_777] = Float(bitPattern: slab[777_777].bitPattern ^ 1) }

        // −0.0 instead of +0.0 on rank 0: equal as floats, different bits.
        if comm.rank == 0 { slab[5] = -0.0 } else { slab[5] = 0.0 }
        let signed = try comm.verifyReplicas(UnsafeBufferPointer(slab))

        let ok =
            before.identical && localChanged
            && (n == 1 ? perturbed.identical : perturbed.differingRanks == [victim])
            && (n == 1 ? signed.identical : n == 2 ? signed.differingRanks == [1] : signed.differingRanks == [0])
        return (ok, "clean: \(before); perturbed: \(perturbed); −0.0 on rank 0: \(signed.differingRanks)")
    }
}

func batchPlanChecks(_ runner: CheckRunner) {
    let comm = runner.communicator
    let n = comm.size
    let lengths = (0..<333).map { Int(SplitMix64.mix(UInt64($0)) % 120) + 3 }
    let plans: [(String, BatchPlan)] = [
        ("1000/32 shuffled", BatchPlan(datasetSize: 1_000, globalBatchSize: 32, seed: 7)),
        ("1000/32 drop last", BatchPlan(datasetSize: 1_000, globalBatchSize: 32, seed: 7, dropLast: true)),
        (
            "333/10 grouped by length",
            BatchPlan(datasetSize: 333, globalBatchSize: 10, seed: 42, groupingLengths: lengths, lengthGroupBatches: 5)
        ),
        ("10/16 no shuffle", BatchPlan(datasetSize: 10, globalBatchSize: 16, seed: 0, shuffle: false)),
        ("3/3 (ranks beyond 3 get nothing)", BatchPlan(datasetSize: 3, globalBatchSize: 3, seed: 1)),
    ]
    var fingerprint = FNV1a64()
    for (name, plan) in plans {
        runner.check("batch plan \(name): shards over \(n) rank(s) partition every global batch") {
            () throws(MPIError) in
            var bad: [String] = []
            var steps = 0
            for epoch in 0..<2 {
                let epochPlan = plan.epoch(epoch)
                for step in 0..<epochPlan.batchCount {
                    let batch = epochPlan.globalBatch(step)
                    fingerprint.combine(UInt64(epoch))
                    fingerprint.combine(UInt64(step))
                    for sample in batch { fingerprint.combine(UInt64(sample)) }
                    // Each rank writes sample + 1 at its positions; the sum over ranks must be
                    // the batch itself: every position written exactly once.
                    var union = [Int64](repeating: 0, count: batch.count)
                    let shard = epochPlan.shard(step: step, rank: comm.rank, worldSize: n)
                    for (position, sample) in zip(shard.indices, shard) {
                        union[position - batch.startIndex] = Int64(sample + 1)
                    }
                    try union.withUnsafeMutableBufferPointer { (b) throws(MPIError) in
                        try comm.allreduce(b, operation: .sum)
                    }
                    if union != batch.map({ Int64($0 + 1) }) { bad.append("epoch \(epoch) step \(step)") }
                    steps += 1
                }
            }
            return (bad.isEmpty, bad.isEmpty ? "\(steps) steps over 2 epochs" : "union differs at \(bad.prefix(5))")
        }
    }
    runner.check("batch plan: global batches identical on all ranks") { () throws(MPIError) in
        let value = Int64(bitPattern: fingerprint.value)
        let low = try comm.allreduce(value, operation: .min)
        let high = try comm.allreduce(value, operation: .max)
        return (low == high, "fingerprint \(hex(fingerprint.value))")
    }
    // The run script compares this line across world sizes 1…4.
    runner.say("BATCHPLAN-FINGERPRINT \(hex(fingerprint.value))")
}
