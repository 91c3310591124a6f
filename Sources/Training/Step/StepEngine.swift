import Foundation
import Model
import Parallel

/// Where the time of one optimizer step went, on this rank.
public struct StepTimes: Sendable {
    public var forward = 0.0
    public var backward = 0.0
    /// Blocked waiting for gradient sums after the backward pass (the part of the
    /// allreduce not hidden behind it).
    public var communication = 0.0
    /// Clipping and the AdamW update.
    public var optimizer = 0.0
    public var total: Double { forward + backward + communication + optimizer }

    public init(forward: Double = 0, backward: Double = 0, communication: Double = 0, optimizer: Double = 0) {
        self.forward = forward
        self.backward = backward
        self.communication = communication
        self.optimizer = optimizer
    }
}

/// What one optimizer step produced.
public struct StepResult: Sendable {
    /// Σ loss over this rank's examples (not normalised), and the loss units it covers.
    public var localLossSum: Double
    public var localLossUnits: Int
    /// Global gradient norm before clipping (identical on every rank).
    public var gradientNorm: Double
    /// False when the norm was not finite and every rank skipped the update.
    public var applied: Bool
    public var times: StepTimes
}

/// One data-parallel optimizer step, shared by the trainer and the benchmarks:
///
///     zero the trained gradients
///     for each micro-batch: forward, loss, backward            (no communication)
///     sum the gradients over ranks, by one of
///       - one allreduce after the backward pass (the default on one node);
///       - bucketed nonblocking allreduces started during the last backward pass as each
///         bucket's layers finish, polling MPI between layers (`overlapsCommunication`);
///       - reduce-scatter, each rank updating its shard, allgather (`sharded`, ZeRO-1);
///       the word-embedding table by the rows the batch touched (`SparseEmbeddingGradient`)
///     clip on the global norm; AdamW
///
/// The loss of every example is scaled by 1 / (loss units in the whole global batch), so the
/// summed gradients are those of the global mean loss however the batch is split among
/// ranks and micro-batches. Only the trained ranges are zeroed, reduced and updated.
public final class StepEngine {
    public let model: BertModel
    public let optimizer: AdamW
    let communicator: Communicator
    public let reducer: GradientBucketReducer
    public private(set) var trainable: TrainableGroups
    public private(set) var runs: [UpdateRun]
    let learningRateScale: (ParameterGroup) -> Float
    let batch: PackedBatch
    let targets: TargetBuffer
    public let task: TaskKind
    private let observer: ReductionObserver
    /// Reduce in buckets during the backward pass (true) or all at once after it (without
    /// a sharded optimizer).
    public var overlapsCommunication: Bool
    /// With a sharded optimizer (ZeRO stage 1): the reduce-scatter / allgather reducer, and
    /// the parts of `runs` this rank updates.
    public let sharded: ShardedReducer?
    private var ownedRuns: [UpdateRun] = []
    /// The word-embedding gradient, reduced by rows when the embeddings train (see
    /// `SparseEmbeddingGradient`); nil otherwise and with a sharded optimizer.
    private var sparseEmbedding: SparseEmbeddingGradient?
    private let wordEmbeddingRange: Range<Int>?
    /// The trained ranges zeroed densely before each step (all but a sparse word-embedding
    /// table, which zeroes its own rows); set with what trains, so a step allocates nothing.
    private var denselyZeroedRanges: [Range<Int>] = []
    /// Label smoothing ε of the cross-entropy.
    public var labelSmoothing: Float = 0
    /// Penalties added to the summed gradients (identically on every rank).
    public var regularization = Regularization()

    public init(model: BertModel, optimizer: AdamW, communicator: Communicator, task: TaskKind = .classification,
                trainable: TrainableGroups, learningRateScale: @escaping (ParameterGroup) -> Float = { _ in 1 },
                bucketBytes: Int, overlapsCommunication: Bool, shardsOptimizer: Bool = false, maxSequences: Int, maxTokens: Int) {
        self.model = model
        self.optimizer = optimizer
        self.communicator = communicator
        self.trainable = trainable
        self.learningRateScale = learningRateScale
        self.overlapsCommunication = overlapsCommunication
        runs = model.layout.table.updateRuns(trainable: trainable.contains, learningRateScale: learningRateScale)
        wordEmbeddingRange = model.layout.table.entries.first { $0.name.hasSuffix("word_embeddings.weight") }?.range
        reducer = GradientBucketReducer(communicator: communicator, gradients: model.gradients.base, count: model.gradients.count,
                                        ranges: [], bucketBytes: bucketBytes)
        observer = ReductionObserver(reducer: reducer, table: model.layout.table)
        let sharded = shardsOptimizer
            ? ShardedReducer(communicator: communicator, count: model.gradients.count, ranges: StepEngine.reducedRanges(runs))
            : nil
        self.sharded = sharded
        if let sharded { ownedRuns = runs.restricted(to: sharded.ownedRanges) }
        self.task = task
        batch = PackedBatch(sequenceCapacity: maxSequences, tokenCapacity: maxTokens)
        targets = TargetBuffer(integerCapacity: max(maxSequences, maxTokens),
                               floatCapacity: maxSequences * max(model.layout.head.labelCount, 1))
        configureReduction(expectedEmbeddingRows: maxTokens * communicator.size)
    }

    /// Changes what trains (between steps, at a step every rank agreed on): the updated and
    /// reduced ranges follow.
    public func setTrainable(_ groups: TrainableGroups) {
        trainable = groups
        runs = model.layout.table.updateRuns(trainable: groups.contains, learningRateScale: learningRateScale)
        if let sharded {
            sharded.setRanges(StepEngine.reducedRanges(runs))
            ownedRuns = runs.restricted(to: sharded.ownedRanges)
        }
        configureReduction(expectedEmbeddingRows: batch.tokenCapacity * communicator.size)
    }

    /// The bucket reducer's ranges: one per trained parameter, less the word-embedding table
    /// when its rows are reduced sparsely, from the end of the slab toward its start. Buckets
    /// are packed from whole ranges, so the merged runs would make a single bucket that starts
    /// only when backward ends; per-parameter ranges let the top layers' buckets fill and
    /// start while the layers below are still computing.
    private func configureReduction(expectedEmbeddingRows: Int) {
        var ranges = model.layout.table.entries.filter(trainable.contains).map(\.range)
        if sharded == nil, let word = wordEmbeddingRange, ranges.contains(word) {
            if sparseEmbedding == nil {
                sparseEmbedding = SparseEmbeddingGradient(range: word, width: model.config.hiddenSize, expectedRows: expectedEmbeddingRows)
            }
            ranges.removeAll { $0 == word }
        } else {
            sparseEmbedding = nil
        }
        reducer.setRanges(ranges.reversed())
        denselyZeroedRanges = StepEngine.reducedRanges(runs).subtracting(sparseEmbedding?.range ?? 0..<0)
    }

    /// Elements that train (are updated), whether or not a step's gradient touches them.
    public var trainedElementCount: Int { runs.reduce(0) { $0 + $1.range.count } }

    /// Elements reduced in the last step (the word-embedding rows of its batch, when sparse).
    public var reducedElementCount: Int {
        let all = trainedElementCount
        guard let sparse = sparseEmbedding else { return all }
        return all - sparse.range.count + sparse.lastRowCount * sparse.width
    }

    /// Makes every rank's optimizer moments complete (a sharded optimizer keeps each shard's
    /// moments on its owner only): before a checkpoint is written.
    public func gatherOptimizerState() throws {
        guard let sharded else { return }
        try sharded.allgather(optimizer.firstMoment.base)
        try sharded.allgather(optimizer.secondMoment.base)
    }

    /// Runs one optimizer step over this rank's `microBatches` (indices into `examples`;
    /// some may be empty — the rank still joins the collectives). `globalLossUnits` is the
    /// denominator of the mean loss over the whole global batch (see `ExampleSource.lossUnits`).
    public func step(
        microBatches: [ArraySlice<Int>], examples: some ExampleSource, epoch: Int = 0, globalLossUnits: Int, dropout: DropoutKey?,
        learningRate: Float, maxGradNorm: Float
    ) throws -> StepResult {
        var times = StepTimes()
        var clock = Date()
        func lap() -> Double {
            let now = Date()
            defer { clock = now }
            return now.timeIntervalSince(clock)
        }
        let g = model.gradients.base
        for range in denselyZeroedRanges { (g + range.lowerBound).update(repeating: 0, count: range.count) }
        sparseEmbedding?.zero(g)
        var lossSum = 0.0, exampleCount = 0  // exampleCount: loss units
        for (index, shard) in microBatches.enumerated() where !shard.isEmpty {
            batch.removeAll()
            targets.removeAll()
            for sample in shard {
                examples.append(sample, epoch: epoch, to: batch, targets: targets)
                exampleCount += examples.lossUnits(sample)
            }
            sparseEmbedding?.mark(batch)
            model.forward(batch, dropout: dropout)
            lossSum += TaskLoss.lossAndGradient(task: task, model: model, batch: batch, targets: targets,
                                                labelSmoothing: labelSmoothing, gradScale: 1 / Float(max(globalLossUnits, 1)))
            times.forward += lap()
            let last = index == microBatches.count - 1
            let overlapping = last && overlapsCommunication && sharded == nil
            model.backward(batch, dropout: dropout, trainable: trainable, observer: overlapping ? observer : nil)
            try observer.rethrow()
            times.backward += lap()
        }
        _ = lap()
        let norm: Double
        var applied: Bool
        if let sharded {
            // Each rank sums, regularises, clips and updates its own shard; the global norm
            // is the sum of the shards' squares.
            try sharded.reduceScatter(model.gradients.base)
            times.communication = lap()
            regularization.addGradients(parameters: model.parameters, gradients: model.gradients, runs: ownedRuns, pool: model.pool)
            let squares = try communicator.allreduce(GradientClipping.sumOfSquares(model.gradients, runs: ownedRuns, pool: model.pool),
                                                     operation: .sum)
            norm = squares.squareRoot()
            applied = norm.isFinite
            if applied {
                GradientClipping.clip(model.gradients, runs: ownedRuns, norm: norm, maxNorm: maxGradNorm, pool: model.pool)
                optimizer.step(parameters: model.parameters, gradients: model.gradients, runs: runs, updating: ownedRuns,
                               learningRate: learningRate, pool: model.pool)
            }
            times.optimizer = lap()
            if applied { try sharded.allgather(model.parameters.base) }
            times.communication += lap()
        } else {
            if overlapsCommunication {
                try reducer.markReady(from: 0)
                try reducer.finish()
            } else {
                _ = try reducer.reduceAllNow()
            }
            try sparseEmbedding?.reduce(g, communicator: communicator)
            times.communication = lap()
            regularization.addGradients(parameters: model.parameters, gradients: model.gradients, runs: runs, pool: model.pool)
            if regularization.isActive { sparseEmbedding?.isDense = true }
            // Identical sums give every rank the same norm, hence the same decision.
            norm = GradientClipping.clip(model.gradients, runs: runs, maxNorm: maxGradNorm, pool: model.pool)
            applied = norm.isFinite
            if applied {
                optimizer.step(parameters: model.parameters, gradients: model.gradients, runs: runs,
                               learningRate: learningRate, pool: model.pool)
            }
            times.optimizer = lap()
        }
        return StepResult(localLossSum: lossSum, localLossUnits: exampleCount, gradientNorm: norm, applied: applied, times: times)
    }

    /// The ranges the reducer sums, merged where adjacent, from the end of the slab toward
    /// its start (the order in which the backward pass completes them).
    static func reducedRanges(_ runs: [UpdateRun]) -> [Range<Int>] {
        var merged: [Range<Int>] = []
        for run in runs {
            if let last = merged.last, last.upperBound == run.range.lowerBound {
                merged[merged.count - 1] = last.lowerBound..<run.range.upperBound
            } else {
                merged.append(run.range)
            }
        }
        return merged.reversed()
    }
}

/// Penalties on the weights, added to the gradient after the allreduce (every rank adds the
/// same, as if each rank's loss carried them):
/// - L1: λ·Σ|w| over decayed weights (not biases or LayerNorm) → `g += λ·sign(w)`;
/// - L2-SP (Li, Grandvalet, Davoine 2018): α/2·‖w − w₀‖² over the trained parameters other
///   than the new head, with w₀ their values when fine-tuning began → `g += α·(w − w₀)`.
public struct Regularization {
    public var l1: Float = 0
    public var l2SpAlpha: Float = 0
    /// w₀, laid out like the parameters; needed when `l2SpAlpha > 0`.
    public var reference: FloatSlab?

    public init(l1: Float = 0, l2SpAlpha: Float = 0, reference: FloatSlab? = nil) {
        self.l1 = l1
        self.l2SpAlpha = l2SpAlpha
        self.reference = reference
    }

    var isActive: Bool { l1 > 0 || l2SpAlpha > 0 }

    func addGradients(parameters: FloatSlab, gradients: FloatSlab, runs: [UpdateRun], pool: ThreadPool) {
        guard isActive else { return }
        let p = parameters.base, g = gradients.base
        let w0 = reference?.base
        precondition(l2SpAlpha == 0 || w0 != nil, "Regularization: L2-SP needs the starting weights")
        for run in runs {
            let l1 = run.decays ? self.l1 : 0
            let alpha = run.group == .head ? 0 : l2SpAlpha
            guard l1 > 0 || alpha > 0 else { continue }
            let lower = run.range.lowerBound
            pool.parallelFor(run.range.count, grain: 65_536) { local in
                for i in (lower + local.lowerBound)..<(lower + local.upperBound) {
                    var extra: Float = 0
                    if l1 > 0 { extra += p[i] > 0 ? l1 : (p[i] < 0 ? -l1 : 0) }
                    if alpha > 0 { extra += alpha * (p[i] - w0![i]) }
                    g[i] += extra
                }
            }
        }
    }
}

/// Tells the bucket reducer when a group's gradients are final, and polls MPI between
/// layers. Errors are kept and rethrown after the backward pass (the observer protocol does
/// not throw).
final class ReductionObserver: GradientObserver {
    let reducer: GradientBucketReducer
    let offsets: [ParameterGroup: Int]
    private var error: MPIError?

    init(reducer: GradientBucketReducer, table: ParameterTable) {
        self.reducer = reducer
        var offsets: [ParameterGroup: Int] = [:]
        for entry in table.entries where offsets[entry.group] == nil { offsets[entry.group] = entry.offset }
        self.offsets = offsets
    }

    func gradientsReady(_ group: ParameterGroup) {
        guard error == nil, let offset = offsets[group] else { return }
        do { try reducer.markReady(from: offset) } catch { self.error = error }
    }

    func poll() {
        guard error == nil else { return }
        do { _ = try reducer.poll() } catch { self.error = error }
    }

    func rethrow() throws {
        if let error { throw error }
    }
}
