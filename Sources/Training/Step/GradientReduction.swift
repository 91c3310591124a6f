import Model
import Parallel

/// How one step's gradients are summed over ranks and how the update reaches every replica.
/// The step engine drives it the same way whatever the implementation:
///
///     zeroGradients()
///     for each micro-batch: prepare(batch); forward; loss;
///                           backward (observer: backwardObserver on the last one)
///     finish()                          sums; `updatedRuns` now hold the global sums
///     penalties, clip on globalNorm(), optimizer update of `updatedRuns`
///     shareUpdate(parameters)           the updated parameters reach every rank
///
/// Implementations: `FlatReduction` (one blocking allreduce per contiguous run after
/// backward), `BucketedReduction` (nonblocking buckets started during the last backward),
/// `ShardedReduction` (ZeRO-1: reduce-scatter, each rank updates its shard, allgather).
///
/// Contract:
/// - `configure(_:)` allocates; it is called at construction and whenever what trains (or
///   whether a penalty is on) changes — between steps, at a step every rank agreed on.
///   Nothing else allocates.
/// - Every call is collective where it communicates: every rank calls it at every step,
///   even with an empty share of the batch.
/// - After `finish()` the gradients of `updatedRuns` are identical on every rank that
///   updates them, so every rank reaches the same norm and the same skip decision.
protocol GradientReduction: AnyObject {
    /// Takes what trains; see `TrainedSet`.
    func configure(_ trained: TrainedSet)
    /// Zeroes the gradients the next step accumulates into.
    func zeroGradients()
    /// Sees each micro-batch before its forward pass (which word-embedding rows it touches).
    func prepare(_ batch: PackedBatch)
    /// Told by the last micro-batch's backward pass when each group's gradients are final;
    /// nil when the reduction starts only after backward.
    var backwardObserver: GradientObserver? { get }
    /// Sums the gradients over ranks (waits for what the observer started).
    func finish() throws
    /// The runs this rank penalises, clips and updates after `finish()`.
    var updatedRuns: [UpdateRun] { get }
    /// The word-embedding rows the last `finish()` summed, ascending — every other row's
    /// gradient is zero on every rank — or nil when the table is not reduced by rows.
    var touchedEmbeddingRows: [Int]? { get }
    /// The global L2 norm of the summed gradients of every trained run, the same on every rank.
    func globalNorm(pool: ThreadPool) throws -> Double
    /// After an applied update: makes every rank's parameters the updated ones.
    func shareUpdate(parameters: FloatSlab) throws
    /// Makes every rank's optimizer moments complete (before a checkpoint is written).
    func gatherOptimizerState(_ optimizer: AdamW) throws
    /// Elements summed over ranks in the last step.
    var reducedElementCount: Int { get }
    /// Timing of the bucketed reductions since `resetStatistics()` (zero for the others).
    var statistics: ReductionStatistics { get }
    func resetStatistics()
    /// The last step's buckets: when each allreduce started and was seen complete (empty
    /// without buckets).
    var bucketSpans: [(start: Double, end: Double)] { get }
}

extension GradientReduction {
    func prepare(_ batch: PackedBatch) {}
    var backwardObserver: GradientObserver? { nil }
    func shareUpdate(parameters: FloatSlab) throws {}
    func gatherOptimizerState(_ optimizer: AdamW) throws {}
    var touchedEmbeddingRows: [Int]? { nil }
    var statistics: ReductionStatistics { ReductionStatistics() }
    func resetStatistics() {}
    var bucketSpans: [(start: Double, end: Double)] { [] }
}

/// What trains, as a reduction needs it; built by the step engine outside the step.
struct TrainedSet {
    /// One range per trained parameter, in slab order.
    var parameterRanges: [Range<Int>]
    /// The optimizer's runs over those parameters (slab order).
    var runs: [UpdateRun]
    /// The word-embedding table `[V, C]` when it trains (nil when frozen), and C.
    var wordEmbeddings: Range<Int>?
    var embeddingWidth: Int
    /// A penalty adds a gradient to every trained element after the reduction, so a step
    /// leaves every word-embedding row written, not only the rows its batch touched.
    var penalized: Bool

    /// Elements that train.
    var elementCount: Int { runs.reduce(0) { $0 + $1.range.count } }

    /// The runs' ranges merged where adjacent, from the end of the slab toward its start.
    var mergedRanges: [Range<Int>] { mergedDescending(runs.map(\.range)) }
}

/// `ranges` (slab order, disjoint) merged where adjacent, empty ones dropped, listed from the
/// end of the slab toward its start (the order in which backward completes them).
func mergedDescending(_ ranges: [Range<Int>]) -> [Range<Int>] {
    var merged: [Range<Int>] = []
    for range in ranges where !range.isEmpty {
        if let last = merged.last, last.upperBound == range.lowerBound {
            merged[merged.count - 1] = last.lowerBound..<range.upperBound
        } else {
            merged.append(range)
        }
    }
    return merged.reversed()
}
