import Foundation
import Parallel

func identityChecks(_ runner: CheckRunner) {
    let comm = runner.communicator
    runner.check("identity") { () throws(MPIError) in
        let sizeSum = try comm.allreduce(Int64(1), operation: .sum)
        let rankSum = try comm.allreduce(Int64(comm.rank), operation: .sum)
        let localSizeMax = try comm.allreduce(Int64(comm.localSize), operation: .max)
        let ok =
            sizeSum == Int64(comm.size) && rankSum == Int64(comm.size * (comm.size - 1) / 2)
            && (0..<comm.localSize).contains(comm.localRank) && comm.localSize <= comm.size
            && !comm.processorName.isEmpty && localSizeMax == Int64(comm.localSize)
        return (
            ok,
            "size \(comm.size), rank sum \(rankSum), localRank \(comm.localRank)/\(comm.localSize) on "
                + "\(comm.processorName), thread level \(comm.providedThreadLevel)"
        )
    }
    runner.check("MPIError carries the call and MPI_Error_string") { () throws(MPIError) in
        let error = MPIError(call: "MPI_Allreduce", code: 2)  // MPI_ERR_COUNT
        let text = error.description
        return (text.hasPrefix("MPI_Allreduce failed: ") && text.lowercased().contains("count"), text)
    }
    runner.check("thread plan") { () throws(MPIError) in
        let plan: ThreadPlan
        do { plan = try ThreadPlan(ranksOnNode: comm.localSize) } catch { return (false, "\(error)") }
        let expected =
            plan.source != "computed"
            || plan.threads == max(1, min(plan.affinityCPUs, plan.onlineCPUs / comm.localSize))
        return (plan.threads >= 1 && expected, "rank \(comm.rank): \(plan)")
    }
}

func broadcastChecks(_ runner: CheckRunner) {
    let comm = runner.communicator
    let pattern: (Int) -> Float = { Float($0 % 65_521) * 0.5 - 3 }
    for (chunk, root) in [(1 << 30, 0), (4_099, comm.size - 1)] {
        runner.check("broadcast 5M floats, chunk \(chunk), root \(root)") { () throws(MPIError) in
            let count = 5_000_003
            let buffer = makeFloats(count) { comm.rank == root ? pattern($0) : .nan }
            defer { buffer.deallocate() }
            comm.maxElementsPerCall = chunk
            defer { comm.maxElementsPerCall = 1 << 30 }
            try comm.broadcast(buffer, root: root)
            let bad = (0..<count).first { buffer[$0] != pattern($0) }
            return (
                bad == nil,
                bad.map { "element \($0) is \(buffer[$0]), expected \(pattern($0))" }
                    ?? "\(count) floats (\(count * 4 / 1_000_000) MB) in \((count + chunk - 1) / chunk) call(s)"
            )
        }
    }
    runner.check("broadcast bytes, Int64, String, Data") { () throws(MPIError) in
        comm.maxElementsPerCall = 7
        defer { comm.maxElementsPerCall = 1 << 30 }
        var bytes = [UInt8](repeating: 0, count: 1_001)
        if comm.isRoot { for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 37) } }
        try bytes.withUnsafeMutableBufferPointer { (b) throws(MPIError) in try comm.broadcast(b, root: 0) }
        let bytesOK = bytes.indices.allSatisfy { bytes[$0] == UInt8(truncatingIfNeeded: $0 &* 37) }

        var values: [Int64] = comm.isRoot ? [Int64.max, Int64.min, -1, 1 << 40] : [0, 0, 0, 0]
        try values.withUnsafeMutableBufferPointer { (b) throws(MPIError) in try comm.broadcast(b, root: 0) }
        var scalar: Int64 = comm.isRoot ? 123_456_789_012 : 0
        try comm.broadcast(&scalar, root: 0)
        let int64OK = values == [Int64.max, Int64.min, -1, 1 << 40] && scalar == 123_456_789_012

        let config = "{\"learning_rate\": 2e-5, \"name\": \"naïve — ☃\"}"
        let text = try comm.broadcast(string: comm.isRoot ? config : nil, root: 0)
        let empty = try comm.broadcast(string: comm.isRoot ? "" : "not empty", root: 0)
        let payload = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 ^ ($0 >> 8)) })
        let data = try comm.broadcast(data: comm.rank == comm.size - 1 ? payload : nil, root: comm.size - 1)
        let textOK = text == config && empty.isEmpty && data == payload
        return (
            bytesOK && int64OK && textOK,
            "bytes \(bytesOK), Int64 \(int64OK), string/data \(textOK) (chunk 7 elements)"
        )
    }
}

func allreduceChecks(_ runner: CheckRunner) {
    let comm = runner.communicator
    let n = comm.size
    // Each rank contributes (rank + 1) · (i mod 1024) / 64: small dyadic numbers, so every
    // summation order gives the same exact float, and the expected value is known exactly.
    let value: (Int, Int) -> Float = { rank, i in Float(rank + 1) * Float(i % 1024) / 64 }
    let expected: (Int) -> Float = { i in Float(n * (n + 1) / 2) * Float(i % 1024) / 64 }
    for chunk in [1 << 30, 1_000] {
        runner.check("allreduceSum 1M floats exact, chunk \(chunk)") { () throws(MPIError) in
            let count = 1_000_003
            let buffer = makeFloats(count) { value(comm.rank, $0) }
            defer { buffer.deallocate() }
            comm.maxElementsPerCall = chunk
            defer { comm.maxElementsPerCall = 1 << 30 }
            try comm.allreduceSum(buffer)
            let bad = (0..<count).first { buffer[$0] != expected($0) }
            return (
                bad == nil,
                bad.map { "element \($0) = \(buffer[$0]), expected \(expected($0))" }
                    ?? "all \(count) sums exact, e.g. [1023] = \(buffer[1023])"
            )
        }
    }
    // Above `ringThreshold` the sum goes around the ring: values that round differently in
    // every order must still come out as the same bits on every rank, close to the exact sum,
    // for counts that do not divide among the ranks and ring messages split into calls.
    for (count, chunk) in [(Communicator.ringThreshold + 5, 1 << 30), (1_000_003, 777)] {
        runner.check("ring allreduceSum of \(count) random floats, chunk \(chunk)") { () throws(MPIError) in
            let random: (Int, Int) -> Float = { rank, i in
                Float(Int(SplitMix64.mix(UInt64(rank &* 1_000_003 &+ i)) >> 40) - (1 << 23)) / Float(1 << 20)
            }
            let buffer = makeFloats(count) { random(comm.rank, $0) }
            defer { buffer.deallocate() }
            comm.maxElementsPerCall = chunk
            defer { comm.maxElementsPerCall = 1 << 30 }
            try comm.allreduceSum(buffer)
            let identical = try comm.verifyReplicas(UnsafeBufferPointer(buffer)).identical
            var worst = 0.0
            for i in 0..<count {
                let exact = (0..<n).reduce(0.0) { $0 + Double(random($1, i)) }
                worst = max(worst, abs(Double(buffer[i]) - exact))
            }
            // P − 1 roundings of sums below 8·P in magnitude: each at most half an ulp of 8·P.
            let bound = Double(n) * Double(Float(8 * n).ulp)
            return (
                identical && worst <= bound,
                "the same bits on every rank: \(identical); largest error \(worst) (bound \(bound))"
            )
        }
    }
    runner.check("allreduce Int64/Double scalars and arrays, sum/max/min") { () throws(MPIError) in
        let r = Int64(comm.rank), s = Int64(n)
        let sum = try comm.allreduce((1 << 40) + r, operation: .sum)
        let max = try comm.allreduce(-r * 7, operation: .max)
        let min = try comm.allreduce(-r * 7, operation: .min)
        let dsum = try comm.allreduce(0.5 * Double(comm.rank), operation: .sum)
        let dmax = try comm.allreduce(Double(comm.rank) - 0.25, operation: .max)
        var array: [Int64] = [r, -r, r * r, 5, Int64.min + r]
        try array.withUnsafeMutableBufferPointer { (b) throws(MPIError) in try comm.allreduce(b, operation: .max) }
        var doubles: [Double] = [1.5, Double(comm.rank)]
        try doubles.withUnsafeMutableBufferPointer { (b) throws(MPIError) in try comm.allreduce(b, operation: .min) }
        let ok =
            sum == s * (1 << 40) + s * (s - 1) / 2 && max == 0 && min == -(s - 1) * 7
            && dsum == 0.25 * Double(n * (n - 1)) && dmax == Double(n - 1) - 0.25
            && array == [s - 1, 0, (s - 1) * (s - 1), 5, Int64.min + s - 1] && doubles == [1.5, 0]
        return (ok, "sum \(sum), max \(max), min \(min), double sum \(dsum), array max \(array), double min \(doubles)")
    }
    runner.check("allgather") { () throws(MPIError) in
        var gathered = [Int64](repeating: -1, count: n)
        try gathered.withUnsafeMutableBufferPointer { (b) throws(MPIError) in
            try comm.allgather(Int64(comm.rank * 10 + 3), into: b)
        }
        return (gathered == (0..<n).map { Int64($0 * 10 + 3) }, "\(gathered)")
    }
    runner.check("gather to the last rank") { () throws(MPIError) in
        // Three values per rank; only the root's buffer is written, rank after rank.
        let root = n - 1
        let mine = [Double(comm.rank), -Double(comm.rank), 0.5]
        var gathered = [Double](repeating: .nan, count: comm.rank == root ? 3 * n : 0)
        try mine.withUnsafeBufferPointer { (m) throws(MPIError) in
            try gathered.withUnsafeMutableBufferPointer { (g) throws(MPIError) in
                try comm.gather(m, into: g, root: root)
            }
        }
        let expected = comm.rank == root ? (0..<n).flatMap { [Double($0), -Double($0), 0.5] } : []
        return (gathered == expected, "\(gathered)")
    }
    runner.check("rank with an empty share still joins") { () throws(MPIError) in
        // A global batch of 1 sample: only rank 0 has work, every rank reduces.
        let share = BatchPlan.shardRange(count: 1, rank: comm.rank, worldSize: n).count
        let total = try comm.allreduce(Int64(share), operation: .sum)
        return (total == 1, "shares sum to \(total)")
    }
    for chunk in [1 << 30, 100_000] {
        runner.check("nonblocking allreduceSum 2M floats with MPI_Test polling, chunk \(chunk)") {
            () throws(MPIError) in
            let count = 2_000_001
            let buffer = makeFloats(count) { value(comm.rank, $0) }
            let scratch = makeFloats(4_096) { Float($0) }
            defer { buffer.deallocate(); scratch.deallocate() }
            comm.maxElementsPerCall = chunk
            defer { comm.maxElementsPerCall = 1 << 30 }
            var request = try comm.startAllreduceSum(buffer)
            var polls = 0
            while !(try comm.test(&request)) {
                polls += 1
                compute(seconds: 0.000_2, scratch: scratch)
            }
            try comm.wait(&request)  // completed already: must return at once
            let done = try comm.test(&request)
            let bad = (0..<count).first { buffer[$0] != expected($0) }
            return (
                bad == nil && done,
                bad.map { "element \($0) = \(buffer[$0]), expected \(expected($0))" }
                    ?? "exact after \(polls) polls"
            )
        }
    }
}
