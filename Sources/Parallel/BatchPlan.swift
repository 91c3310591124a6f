/// Which samples make up every global batch: a pure function of (seed, epoch, step) and the
/// options, never of the number of ranks (docs/ARCHITECTURE.md, invariant 2). Each global batch is then
/// split among ranks with `shard`.
///
/// Per epoch: a permutation of `0..<datasetSize` (SplitMix64 seeded by (seed, epoch),
/// Fisher–Yates), or the identity without shuffling; optionally grouped by length; then cut
/// into consecutive global batches of `globalBatchSize`, the last one short unless
/// `dropLast`.
///
/// Length grouping follows Hugging Face's `group_by_length`: the epoch's order is cut into
/// mega-chunks of `lengthGroupBatches` global batches, and each mega-chunk is sorted by
/// length, longest first (ties keep their shuffled order), so each batch pads little.
///
/// Resuming: `epoch(e).globalBatch(s)` is the same whenever and wherever it is computed, so
/// a run resumed at (e, s) — with any number of ranks — continues the same sample stream.
public struct BatchPlan: Sendable, Equatable {
    public let datasetSize: Int
    public let globalBatchSize: Int
    public let seed: UInt64
    public let shuffle: Bool
    public let dropLast: Bool
    /// Per-sample lengths (e.g. tokens) for length grouping; nil: no grouping.
    public let lengths: [Int]?
    /// Global batches per length-sorted mega-chunk (50, as in Hugging Face).
    public let lengthGroupBatches: Int

    public init(
        datasetSize: Int, globalBatchSize: Int, seed: UInt64, shuffle: Bool = true,
        dropLast: Bool = false, groupingLengths lengths: [Int]? = nil, lengthGroupBatches: Int = 50
    ) {
        precondition(datasetSize >= 0, "dataset size \(datasetSize) is negative")
        precondition(globalBatchSize > 0, "global batch size \(globalBatchSize) must be positive")
        precondition(lengthGroupBatches > 0, "lengthGroupBatches \(lengthGroupBatches) must be positive")
        if let lengths {
            precondition(
                lengths.count == datasetSize,
                "\(lengths.count) lengths for a dataset of \(datasetSize) samples")
        }
        self.datasetSize = datasetSize
        self.globalBatchSize = globalBatchSize
        self.seed = seed
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.lengths = lengths
        self.lengthGroupBatches = lengthGroupBatches
    }

    /// Global batches in one epoch (the same for every epoch).
    public var batchesPerEpoch: Int {
        dropLast ? datasetSize / globalBatchSize : (datasetSize + globalBatchSize - 1) / globalBatchSize
    }

    /// The (epoch, step) of a global step count, e.g. when resuming from `global_step`.
    public func position(ofGlobalStep globalStep: Int) -> (epoch: Int, step: Int) {
        precondition(
            globalStep >= 0 && batchesPerEpoch > 0,
            "no position for step \(globalStep) with \(batchesPerEpoch) batches per epoch")
        return (globalStep / batchesPerEpoch, globalStep % batchesPerEpoch)
    }

    /// The order of sample indices in `epoch`: a permutation of `0..<datasetSize`.
    public func order(epoch: Int) -> [Int] {
        precondition(epoch >= 0, "epoch \(epoch) is negative")
        var order = Array(0..<datasetSize)
        if shuffle {
            var generator = SplitMix64(seed: BatchPlan.epochSeed(seed: seed, epoch: epoch))
            var i = datasetSize - 1
            while i > 0 {
                order.swapAt(i, generator.next(below: i + 1))
                i -= 1
            }
        }
        if let lengths {
            let chunk = lengthGroupBatches * globalBatchSize
            var start = 0
            while start < order.count {
                let end = min(start + chunk, order.count)
                // Key (length descending, shuffled position ascending): a total order, so the
                // result does not depend on the sort's stability.
                let sorted = (start..<end).sorted { a, b in
                    let la = lengths[order[a]], lb = lengths[order[b]]
                    return la != lb ? la > lb : a < b
                }.map { order[$0] }
                order.replaceSubrange(start..<end, with: sorted)
                start = end
            }
        }
        return order
    }

    /// The plan of one epoch (computes its order once; allocate it at the epoch's start, not
    /// in the step).
    public func epoch(_ epoch: Int) -> EpochPlan {
        EpochPlan(
            epoch: epoch, order: order(epoch: epoch), globalBatchSize: globalBatchSize,
            batchCount: batchesPerEpoch)
    }

    /// The seed of an epoch's generator: the user seed and the epoch, mixed so that nearby
    /// seeds and epochs give unrelated streams.
    static func epochSeed(seed: UInt64, epoch: Int) -> UInt64 {
        SplitMix64.mix(seed ^ SplitMix64.mix(UInt64(epoch) &+ 0x632b_e59b_d9b4_e019))
    }

    /// The part of a batch of `count` samples that `rank` of `worldSize` processes: contiguous,
    /// shares differing by at most one (the lower ranks take the extra samples). A rank may get
    /// an empty range when `count < worldSize`; it must still join every collective.
    public static func shardRange(count: Int, rank: Int, worldSize: Int) -> Range<Int> {
        precondition(worldSize > 0 && (0..<worldSize).contains(rank), "rank \(rank) is not in 0..<\(worldSize)")
        precondition(count >= 0, "batch size \(count) is negative")
        let base = count / worldSize, extra = count % worldSize
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// `rank`'s share of `globalBatch` (see `shardRange`).
    public static func shard(_ globalBatch: ArraySlice<Int>, rank: Int, worldSize: Int) -> ArraySlice<Int> {
        let range = shardRange(count: globalBatch.count, rank: rank, worldSize: worldSize)
        return globalBatch[(globalBatch.startIndex + range.lowerBound)..<(globalBatch.startIndex + range.upperBound)]
    }
}

/// One epoch of a `BatchPlan`: its sample order and the global batches cut from it.
public struct EpochPlan: Sendable, Equatable {
    public let epoch: Int
    /// Sample indices in the order they are visited this epoch.
    public let order: [Int]
    public let globalBatchSize: Int
    /// Number of global batches (steps) in this epoch.
    public let batchCount: Int

    /// The sample indices of global batch `step` (`0..<batchCount`); the last may be short.
    /// Its `count` is the denominator of the exact mean loss over the global batch.
    public func globalBatch(_ step: Int) -> ArraySlice<Int> {
        precondition((0..<batchCount).contains(step), "step \(step) is not in 0..<\(batchCount) of epoch \(epoch)")
        let start = step * globalBatchSize
        return order[start..<min(start + globalBatchSize, order.count)]
    }

    /// `rank`'s share of global batch `step`.
    public func shard(step: Int, rank: Int, worldSize: Int) -> ArraySlice<Int> {
        BatchPlan.shard(globalBatch(step), rank: rank, worldSize: worldSize)
    }
}
