/// The arithmetic of splitting batches among ranks and micro-batches, in one place.
extension BatchPlan {
    /// The most examples one of `parts` gets when `count` is split by `shardRange`.
    public static func largestShare(of count: Int, parts: Int) -> Int {
        precondition(parts > 0, "largestShare: \(parts) parts")
        return (count + parts - 1) / parts
    }

    /// The most examples one rank runs in one forward pass of training: its share of the
    /// largest micro-batch when a global batch is cut into `accumulationSteps` parts.
    public static func largestRankMicroBatch(globalBatchSize: Int, accumulationSteps: Int, worldSize: Int) -> Int {
        largestShare(of: largestShare(of: globalBatchSize, parts: accumulationSteps), parts: worldSize)
    }

    /// `rank`'s share of each micro-batch of `globalBatch`: the batch cut into
    /// `accumulationSteps` consecutive parts, each split among the ranks.
    public static func microBatches(
        _ globalBatch: ArraySlice<Int>, accumulationSteps: Int, rank: Int,
        worldSize: Int
    ) -> [ArraySlice<Int>] {
        (0..<accumulationSteps).map { part in
            let range = shardRange(count: globalBatch.count, rank: part, worldSize: accumulationSteps)
            let start = globalBatch.startIndex
            return shard(
                globalBatch[(start + range.lowerBound)..<(start + range.upperBound)], rank: rank,
                worldSize: worldSize)
        }
    }
}
