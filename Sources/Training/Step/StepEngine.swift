import Model
import Parallel

/// One data-parallel optimizer step, shared by the trainer and the benchmarks:
///
///     zero the trained gradients
///     for each micro-batch: forward, loss, backward            (no communication)
///     sum the gradients over ranks                              (a `GradientReduction`)
///     penalties; AdamW on what this rank updates, clipped on the global norm
///     share the update                                          (sharded optimizer only)
///
/// The reduction is chosen once: sharded (ZeRO-1) when the optimizer is sharded, else
/// bucketed during backward when communication overlaps, else flat after backward.
///
/// The loss of every example is scaled by 1 / (loss units in the whole global batch), so the
/// summed gradients are those of the global mean loss however the batch is split among
/// ranks and micro-batches. Only the trained ranges are zeroed, reduced and updated.
///
/// With `defersUntouchedRows`, the word-embedding rows a step's global batch did not touch
/// are not updated by that step but when next read (`AdamW.deferUntouchedRows`: bit for bit
/// the dense result). The parameters are then complete only after `applyDeferredUpdates()`,
/// which whatever reads the whole slab calls first.
public final class StepEngine {
    public let model: any TrainableModel
    public let optimizer: AdamW
    let communicator: Communicator
    let reduction: any GradientReduction
    public private(set) var trainable: TrainableGroups
    public private(set) var runs: [UpdateRun]
    let learningRateScale: (ParameterGroup) -> Float
    let batch: PackedBatch
    let targets: TargetBuffer
    public let task: any FineTuningTask
    /// The task's loss over the whole global batch, when it has one (else the per-micro-batch
    /// `task.lossAndGradient`).
    let coupledLoss: (any CoupledBatchLoss)?
    /// The word-embedding table `[V, C]`, when the model has one.
    private let wordEmbedding: ParameterEntry?
    /// Whether the untouched word-embedding rows' updates may be deferred (see the type).
    private let defersUntouchedRows: Bool
    /// Records the step's spans inside a `--trace-steps` window (nil outside it).
    public var trace: TraceRecorder?
    /// Label smoothing ε of the cross-entropy.
    public var labelSmoothing: Float = 0
    /// Penalties added to the summed gradients (identically on every rank). Setting it tells
    /// the reduction whether every trained gradient is written after the sum.
    public var regularization = Regularization() {
        didSet { configureReduction() }
    }

    public init(
        model: any TrainableModel, optimizer: AdamW, communicator: Communicator,
        task: any FineTuningTask = TaskRegistry.defaultTask,
        trainable: TrainableGroups, learningRateScale: @escaping (ParameterGroup) -> Float = { _ in 1 },
        bucketBytes: Int, overlapsCommunication: Bool, shardsOptimizer: Bool = false,
        defersUntouchedRows: Bool = false, maxSequences: Int, maxTokens: Int
    ) {
        self.model = model
        self.optimizer = optimizer
        self.communicator = communicator
        self.trainable = trainable
        self.learningRateScale = learningRateScale
        runs = model.parameterTable.updateRuns(trainable: trainable.contains, learningRateScale: learningRateScale)
        wordEmbedding = model.parameterTable.entries.first { $0.name.hasSuffix("word_embeddings.weight") }
        let expectedRows = maxTokens * communicator.size
        self.defersUntouchedRows = defersUntouchedRows
        if shardsOptimizer {
            reduction = ShardedReduction(communicator: communicator, gradients: model.gradients)
        } else if overlapsCommunication {
            reduction = BucketedReduction(
                communicator: communicator, gradients: model.gradients,
                table: model.parameterTable, bucketBytes: bucketBytes,
                expectedEmbeddingRows: expectedRows)
        } else {
            reduction = FlatReduction(
                communicator: communicator, gradients: model.gradients,
                expectedEmbeddingRows: expectedRows)
        }
        self.task = task
        coupledLoss = task.coupledLoss(communicator: communicator)
        batch = PackedBatch(sequenceCapacity: maxSequences, tokenCapacity: maxTokens)
        targets = TargetBuffer(
            integerCapacity: max(maxSequences, maxTokens),
            floatCapacity: maxSequences * max(model.head.labelCount, 1))
        configureReduction()
    }

    /// Changes what trains (between steps, at a step every rank agreed on): the updated and
    /// reduced ranges follow.
    public func setTrainable(_ groups: TrainableGroups) {
        trainable = groups
        runs = model.parameterTable.updateRuns(trainable: groups.contains, learningRateScale: learningRateScale)
        configureReduction()
    }

    private func configureReduction() {
        let ranges = model.parameterTable.entries.filter(trainable.contains).map(\.range)
        let word = wordEmbedding.flatMap { ranges.contains($0.range) ? $0 : nil }
        reduction.configure(
            TrainedSet(
                parameterRanges: ranges, runs: runs, wordEmbeddings: word?.range,
                embeddingWidth: word?.shape[1] ?? 0, penalized: regularization.isActive))
        // Deferred only where the reduction names the rows a step touched (not the sharded one,
        // which updates its share of the table densely) and no penalty gives every row a gradient.
        if let word, defersUntouchedRows, !regularization.isActive, reduction.touchedEmbeddingRows != nil {
            optimizer.deferUntouchedRows(
                of: word.range, width: word.shape[1], parameters: model.parameters, pool: model.pool)
        } else {
            optimizer.stopDeferringRows(parameters: model.parameters, pool: model.pool)
        }
    }

    /// Brings every word-embedding row the last steps left behind up to date: the parameters
    /// and the optimizer's moments are then those of dense updates. Local (no communication);
    /// call before reading the whole parameter slab.
    public func applyDeferredUpdates() {
        optimizer.applyDeferredUpdates(parameters: model.parameters, pool: model.pool)
    }

    /// Elements that train (are updated), whether or not a step's gradient touches them.
    public var trainedElementCount: Int { runs.reduce(0) { $0 + $1.range.count } }

    /// Elements reduced in the last step (the word-embedding rows of its batch, when sparse).
    public var reducedElementCount: Int { reduction.reducedElementCount }

    /// Timing of the bucketed reductions since `resetReductionStatistics()` (zero otherwise).
    public var reductionStatistics: ReductionStatistics { reduction.statistics }

    public func resetReductionStatistics() { reduction.resetStatistics() }

    /// Makes every rank's optimizer moments complete (a sharded optimizer keeps each shard's
    /// moments on its owner only): before a checkpoint is written.
    public func gatherOptimizerState() throws {
        try reduction.gatherOptimizerState(optimizer)
    }

    /// Runs one optimizer step over this rank's `microBatches` (indices into `examples`;
    /// some may be empty — the rank still joins the collectives). `globalLossUnits` is the
    /// denominator of the mean loss over the whole global batch (see `ExampleSource.lossUnits`).
    public func step(
        microBatches: [ArraySlice<Int>], examples: some ExampleSource, epoch: Int = 0, globalLossUnits: Int,
        dropout: DropoutKey?, learningRate: Float, maxGradNorm: Float
    ) throws -> StepResult {
        var times = StepTimes()
        var clock = monotonicSeconds()
        let stepBegin = clock
        func lap(_ span: String? = nil) -> Double {
            let now = monotonicSeconds()
            defer { clock = now }
            if let trace, let span { trace.record(span, lane: TraceRecorder.Lane.compute, from: clock, to: now) }
            return now - clock
        }
        reduction.zeroGradients()
        var lossSum = 0.0, lossUnits = 0
        func load(_ samples: ArraySlice<Int>) {
            batch.removeAll()
            targets.removeAll()
            for sample in samples { examples.append(sample, epoch: epoch, to: batch, targets: targets) }
            reduction.prepare(batch)
            optimizer.catchUpRows(
                batch.tokenIds, count: batch.tokenCount, parameters: model.parameters, pool: model.pool)
        }
        func backward(last: Bool) {
            let observer = last ? reduction.backwardObserver : nil
            model.backward(
                batch, dropout: dropout, trainable: trainable,
                observer: trace.map { TracingObserver(inner: observer, recorder: $0) } ?? observer)
            times.backward += lap("backward")
        }
        if let coupledLoss {
            let share = Array(microBatches.joined())
            lossUnits = share.reduce(0) { $0 + examples.lossUnits($1) }
            let loss = try coupledLoss.forwardBackward(
                examples: share.count, textsPerExample: examples.textsPerExample,
                chunkSize: max(1, microBatches.map(\.count).max() ?? 1), logits: model.logits, targets: targets,
                forward: { range in
                    load(share[range])
                    model.forward(batch, dropout: dropout)
                    times.forward += lap("forward")
                }, backward: backward)
            // Each rank reports the global loss for its units, so the ranks' sum over the
            // global units is that loss.
            lossSum = loss * Double(lossUnits)
        } else {
            for (index, shard) in microBatches.enumerated() where !shard.isEmpty {
                load(shard)
                lossUnits += shard.reduce(0) { $0 + examples.lossUnits($1) }
                model.forward(batch, dropout: dropout)
                lossSum += task.lossAndGradient(
                    model.logits, batch: batch, targets: targets,
                    labelSmoothing: labelSmoothing, gradScale: 1 / Float(max(globalLossUnits, 1)))
                times.forward += lap("forward")
                backward(last: index == microBatches.count - 1)
            }
        }
        _ = lap()
        let reduceBegin = clock
        try reduction.finish()
        times.communication = lap("reduce gradients (wait)")
        trace?.recordReduction(reduction.bucketSpans, from: reduceBegin, to: clock)

        let updated = reduction.updatedRuns
        regularization.addGradients(
            parameters: model.parameters, gradients: model.gradients, runs: updated,
            pool: model.pool)
        // Identical sums give every rank the same norm, hence the same decision.
        let norm = try reduction.globalNorm(pool: model.pool)
        let applied = norm.isFinite
        if applied {
            optimizer.step(
                parameters: model.parameters, gradients: model.gradients, runs: runs, updating: updated,
                touchedRows: reduction.touchedEmbeddingRows,
                gradientScale: GradientClipping.factor(norm: norm, maxNorm: maxGradNorm), learningRate: learningRate,
                pool: model.pool)
        }
        times.optimizer = lap("optimizer")
        if applied { try reduction.shareUpdate(parameters: model.parameters) }
        times.communication += lap("share update")
        if let trace {
            trace.record("step \(trace.step)", lane: TraceRecorder.Lane.compute, from: stepBegin, to: clock)
        }
        return StepResult(
            localLossSum: lossSum, localLossUnits: lossUnits, gradientNorm: norm, applied: applied,
            times: times)
    }
}
