import Model
import Parallel

/// A sharded optimizer (ZeRO stage 1, `ShardedReducer`): the gradients are reduce-scattered
/// so each rank holds the sums of its own shard, each rank penalises, clips and updates only
/// that shard (the global norm is the sum of the shards' squares), and the updated
/// parameters are allgathered. The word-embedding table is reduced densely (its rows are
/// spread over the shards).
final class ShardedReduction: GradientReduction {
    private let communicator: Communicator
    private let gradients: FloatSlab
    let sharded: ShardedReducer
    /// The trained ranges, merged, from the end of the slab toward its start.
    private var ranges: [Range<Int>] = []
    /// The parts of the trained runs this rank owns.
    private var ownedRuns: [UpdateRun] = []

    init(communicator: Communicator, gradients: FloatSlab) {
        self.communicator = communicator
        self.gradients = gradients
        sharded = ShardedReducer(communicator: communicator, count: gradients.count, ranges: [])
    }

    func configure(_ trained: TrainedSet) {
        ranges = trained.mergedRanges
        sharded.setRanges(ranges)
        ownedRuns = trained.runs.restricted(to: sharded.ownedRanges)
    }

    func zeroGradients() {
        let g = gradients.base
        for range in ranges { (g + range.lowerBound).update(repeating: 0, count: range.count) }
    }

    func finish() throws { try sharded.reduceScatter(gradients.base) }

    var updatedRuns: [UpdateRun] { ownedRuns }

    func globalNorm(pool: ThreadPool) throws -> Double {
        let squares = GradientClipping.sumOfSquares(gradients, runs: ownedRuns, pool: pool)
        return try communicator.allreduce(squares, operation: .sum).squareRoot()
    }

    func shareUpdate(parameters: FloatSlab) throws { try sharded.allgather(parameters.base) }

    func gatherOptimizerState(_ optimizer: AdamW) throws {
        try sharded.allgather(optimizer.firstMoment.base)
        try sharded.allgather(optimizer.secondMoment.base)
    }

    var reducedElementCount: Int { sharded.reducedCount }

    func resetStatistics() { sharded.resetStatistics() }
}
