import CMPI

/// Gradient reduction for a sharded optimizer (ZeRO stage 1): instead of every rank summing
/// every gradient and updating every parameter, each rank receives the sums of its own
/// shard (`MPI_Reduce_scatter`), updates only that shard, and the updated parameters are
/// shared again (`MPI_Allgatherv`, in place). The bytes moved equal one allreduce (which
/// is a reduce-scatter followed by an allgather), while the optimizer's work — and its
/// memory traffic, the larger cost at small batches — is divided by the rank count.
///
/// The reduced ranges are cut into chunks of at most `maxElementsPerCall`, and each chunk
/// into per-rank blocks with `BatchPlan.shardRange` (contiguous, near-even); the layout
/// depends only on the ranges and the rank count, so every rank issues the same calls.
/// Each parameter is updated by exactly one rank and copied to the others, so the replicas
/// stay bitwise identical. Everything is computed in `setRanges`; a step allocates nothing.
public final class ShardedReducer {
    public let communicator: Communicator
    /// Elements of the slabs it works on (gradients, parameters, moments: one layout).
    public let count: Int

    struct Chunk {
        var lowerBound: Int
        var counts: [Int32]
        var displacements: [Int32]
        /// Where this rank's block of the chunk lands in `scratch`.
        var scratchOffset: Int
    }
    private var chunks: [Chunk] = []
    private var scratch: UnsafeMutablePointer<Float>
    private var scratchCount = 0
    /// The slab ranges this rank owns (updates), in slab order.
    public private(set) var ownedRanges: [Range<Int>] = []
    /// Elements summed over ranks per step (all the reduced ranges).
    public private(set) var reducedCount = 0
    /// Seconds spent in the collectives since the last `resetStatistics()`.
    public private(set) var seconds = 0.0

    public init(communicator: Communicator, count: Int, ranges: [Range<Int>]) {
        self.communicator = communicator
        self.count = count
        scratch = .allocate(capacity: 1)
        setRanges(ranges)
    }

    deinit { scratch.deallocate() }

    /// Replaces the reduced ranges (between steps, at a step every rank agreed on).
    public func setRanges(_ ranges: [Range<Int>]) {
        let sorted = ranges.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        let size = communicator.size, rank = communicator.rank
        chunks = []
        ownedRanges = []
        reducedCount = 0
        var scratchNeeded = 0
        for range in sorted {
            precondition(range.upperBound <= count, "reduced range \(range) exceeds the slab of \(count) elements")
            reducedCount += range.count
            var lower = range.lowerBound
            while lower < range.upperBound {
                let upper = min(range.upperBound, lower + communicator.maxElementsPerCall)
                var counts: [Int32] = [], displacements: [Int32] = []
                for r in 0..<size {
                    let block = BatchPlan.shardRange(count: upper - lower, rank: r, worldSize: size)
                    counts.append(Int32(block.count))
                    displacements.append(Int32(block.lowerBound))
                }
                let own = BatchPlan.shardRange(count: upper - lower, rank: rank, worldSize: size)
                chunks.append(
                    Chunk(lowerBound: lower, counts: counts, displacements: displacements, scratchOffset: scratchNeeded)
                )
                if !own.isEmpty { ownedRanges.append((lower + own.lowerBound)..<(lower + own.upperBound)) }
                scratchNeeded += own.count
                lower = upper
            }
        }
        if scratchNeeded > scratchCount {
            scratch.deallocate()
            scratch = .allocate(capacity: max(scratchNeeded, 1))
            scratchCount = scratchNeeded
        }
    }

    /// Sums `gradients` over all ranks into this rank's owned ranges (other elements keep
    /// this rank's local values and must not be used).
    public func reduceScatter(_ gradients: UnsafeMutablePointer<Float>) throws(MPIError) {
        communicator.assertOnMPIThread()
        let start = monotonicSeconds()
        let rank = communicator.rank
        CollectiveWatch.shared.begin("MPI_Reduce_scatter")
        defer { CollectiveWatch.shared.end() }
        for chunk in chunks {
            let result = chunk.counts.withUnsafeBufferPointer { counts in
                MPI_Reduce_scatter(
                    gradients + chunk.lowerBound, scratch + chunk.scratchOffset, counts.baseAddress,
                    cmpi_float(), cmpi_sum(), communicator.world)
            }
            try checkMPI(result, "MPI_Reduce_scatter")
            let own = Int(chunk.counts[rank])
            (gradients + chunk.lowerBound + Int(chunk.displacements[rank])).update(
                from: scratch + chunk.scratchOffset, count: own)
        }
        seconds += monotonicSeconds() - start
    }

    /// Every rank's owned ranges of `slab` copied to all ranks (in place).
    public func allgather(_ slab: UnsafeMutablePointer<Float>) throws(MPIError) {
        communicator.assertOnMPIThread()
        let start = monotonicSeconds()
        CollectiveWatch.shared.begin("MPI_Allgatherv")
        defer { CollectiveWatch.shared.end() }
        for chunk in chunks {
            let result = chunk.counts.withUnsafeBufferPointer { counts in
                chunk.displacements.withUnsafeBufferPointer { displacements in
                    MPI_Allgatherv(
                        cmpi_in_place(), 0, cmpi_datatype_null(), slab + chunk.lowerBound, counts.baseAddress,
                        displacements.baseAddress, cmpi_float(), communicator.world)
                }
            }
            try checkMPI(result, "MPI_Allgatherv")
        }
        seconds += monotonicSeconds() - start
    }

    public func resetStatistics() { seconds = 0 }
}
