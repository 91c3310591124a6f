import Parallel

/// Runs one simulated backward pass over `model` on the bucketed reducer: for each unit from
/// the head down, "compute" in `slices` pieces with a poll between them, then mark the unit's
/// gradients ready. Returns how many buckets had started after each unit.
func bucketedBackward(
    _ reducer: GradientBucketReducer, model: SyntheticModel, secondsPerUnit: Double,
    slices: Int, scratch: UnsafeMutableBufferPointer<Float>,
    computeSeconds: UnsafeMutablePointer<Double>? = nil
) throws(MPIError) -> [Int] {
    var startedAfterUnit: [Int] = []
    for unit in model.units.reversed() {
        for _ in 0..<slices {
            let begin = monotonicSeconds()
            compute(seconds: secondsPerUnit / Double(slices), scratch: scratch)
            computeSeconds?.pointee += monotonicSeconds() - begin
            try reducer.poll()
        }
        try reducer.markReady(from: unit.range.lowerBound)
        startedAfterUnit.append(reducer.startedBucketCount)
    }
    try reducer.finish()
    return startedAfterUnit
}

func bucketChecks(_ runner: CheckRunner) {
    let comm = runner.communicator
    let model = SyntheticModel.small
    let scratch = makeFloats(4_096) { Float($0) }
    defer { scratch.deallocate() }

    // Phase 1 freezes the embeddings and layer 0; phase 2 (an agreed unfreeze) reduces all.
    for (phase, frozen) in [(1, Set(["embeddings", "layer.0"])), (2, Set<String>())] {
        let ranges = model.trainableRanges(frozen: frozen)
        let bucketed = makeFloats(model.count) { gradientValue(rank: comm.rank, index: $0) }
        let flat = makeFloats(model.count) { bucketed[$0] }
        defer { bucketed.deallocate(); flat.deallocate() }
        let reducer = GradientBucketReducer(
            communicator: comm, gradients: bucketed.baseAddress!, count: model.count,
            ranges: [], bucketBytes: 128 << 10, firstBucketBytes: 8 << 10)
        reducer.setRanges(ranges)
        let reference = GradientBucketReducer(
            communicator: comm, gradients: flat.baseAddress!, count: model.count,
            ranges: ranges, bucketBytes: 128 << 10, firstBucketBytes: 8 << 10)
        let layout = reducer.layout

        runner.check("bucket layout phase \(phase): identical on all ranks, contiguous, reverse order") {
            () throws(MPIError) in
            let fingerprint = Int64(bitPattern: layout.fingerprint)
            let low = try comm.allreduce(fingerprint, operation: .min)
            let high = try comm.allreduce(fingerprint, operation: .max)
            let descending = zip(layout.buckets, layout.buckets.dropFirst()).allSatisfy {
                $0.lowerBound >= $1.upperBound
            }
            let covered = layout.elementCount == ranges.reduce(0) { $0 + $1.count }
            return (
                low == high && descending && covered,
                "\(layout.buckets.count) buckets over \(layout.segments.count) segment(s), first "
                    + "\(layout.buckets.first!), last \(layout.buckets.last!), fingerprint \(hex(layout.fingerprint))"
            )
        }

        // The flat reference sums large segments around the ring (`allreduceSum`), the buckets
        // through MPI_Iallreduce: the same bits at two ranks (one rounding per sum), within
        // rounding of each other beyond.
        let sameBitsExpected = comm.size <= 2
        runner.check("bucketed nonblocking = flat blocking (bitwise at ≤ 2 ranks), phase \(phase)") {
            () throws(MPIError) in
            let started = try bucketedBackward(
                reducer, model: model, secondsPerUnit: 0.002, slices: 4, scratch: scratch)
            try reference.reduceAllNow()
            let difference = firstBitDifference(bucketed, flat)
            let largestDifference = (0..<model.count).reduce(Float(0)) { max($0, abs(bucketed[$1] - flat[$1])) }
            // Frozen elements keep this rank's values; reduced ones hold the sum (checked
            // against a rank-ordered float sum, to a tolerance: MPI may sum in another order).
            let reducedMask = ranges.reduce(into: [Bool](repeating: false, count: model.count)) { mask, range in
                for i in range { mask[i] = true }
            }
            var worst: Float = 0
            var frozenChanged = 0
            for i in 0..<model.count {
                if reducedMask[i] {
                    var sum: Float = 0
                    for r in 0..<comm.size { sum += gradientValue(rank: r, index: i) }
                    worst = max(worst, abs(bucketed[i] - sum))
                } else if bucketed[i] != gradientValue(rank: comm.rank, index: i) {
                    frozenChanged += 1
                }
            }
            // The reduced segments must be bitwise identical on every rank (frozen ones differ).
            var replicas = ReplicaReport(hashes: [0])
            for segment in layout.segments {
                let report = try comm.verifyReplicas(UnsafeBufferPointer(rebasing: bucketed[segment]))
                if !report.identical || segment == layout.segments.first { replicas = report }
            }
            let startedEarly = started.dropLast().last ?? 0
            let ok =
                (difference == nil || !sameBitsExpected) && largestDifference <= 1e-5 * Float(comm.size)
                && worst <= 1e-5 * Float(comm.size) && frozenChanged == 0 && replicas.identical && startedEarly > 0
            return (
                ok,
                "first difference \(difference.map(String.init) ?? "none") (largest \(largestDifference)), "
                    + "max |sum error| \(worst), frozen changed \(frozenChanged), \(replicas), buckets started after "
                    + "each unit \(started) of \(layout.buckets.count)"
            )
        }

        runner.check("bucketed reducer reused for a second step, phase \(phase)") { () throws(MPIError) in
            for i in 0..<model.count { bucketed[i] = gradientValue(rank: comm.rank, index: i); flat[i] = bucketed[i] }
            _ = try bucketedBackward(reducer, model: model, secondsPerUnit: 0.000_5, slices: 2, scratch: scratch)
            try reference.reduceAllNow()
            let difference = firstBitDifference(bucketed, flat)
            let largestDifference = (0..<model.count).reduce(Float(0)) { max($0, abs(bucketed[$1] - flat[$1])) }
            let stats = reducer.statistics
            return (
                (difference == nil || !sameBitsExpected) && largestDifference <= 1e-5 * Float(comm.size)
                    && stats.steps == 2,
                "first difference \(difference.map(String.init) ?? "none"); \(stats.steps) steps, communication "
                    + "\(ms(stats.communicationSeconds)), blocked in finish \(ms(stats.blockedSeconds)), in poll "
                    + "\(ms(stats.pollSeconds)) over \(stats.pollCalls) polls, hidden "
                    + "\(Int(stats.hiddenFraction * 100)) %"
            )
        }
    }
}

func ms(_ seconds: Double) -> String {
    let milliseconds = (seconds * 10_000).rounded() / 10
    return "\(milliseconds) ms"
}
