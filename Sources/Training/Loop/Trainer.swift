import Foundation
import Model
import Parallel
import Text

/// Data-parallel fine-tuning: every rank holds a replica of the model, runs its share of
/// each global batch, and sums gradients with the others before an identical AdamW update.
///
/// `prepare` does everything that can fail on bad input — options, files, labels, the model
/// directory, the checkpoint to resume — on every rank, then agrees across ranks before the
/// first collective that moves data; `run` is the training loop.
public final class Trainer {
    public let options: TrainingOptions
    let communicator: Communicator
    let emit: (TrainingEvent) -> Void
    let source: ModelDirectory
    public let labels: LabelSet
    let trainSet: EncodedDataset
    let validationSet: EncodedDataset?
    public let model: BertModel
    let optimizer: AdamW
    let plan: BatchPlan
    let schedule: LearningRateSchedule
    let totalSteps: Int
    let engine: StepEngine
    var state: TrainerState
    let outputConfig: HuggingFaceConfig
    let resumedFrom: String?
    let threadPlan: ThreadPlan
    var metricsLog: MetricsLog?

    var isRoot: Bool { communicator.rank == 0 }

    /// Prepares a run. Throws the same error on every rank for bad options or data (each
    /// rank checks the same inputs); when ranks disagree (a file visible on one node only),
    /// the lowest failing rank's error is thrown there and `PeerFailure` elsewhere.
    public init(options: TrainingOptions, communicator: Communicator, emit: @escaping (TrainingEvent) -> Void) throws {
        self.options = options
        self.communicator = communicator
        self.emit = emit
        let rank = communicator.rank, worldSize = communicator.size

        struct Prepared {
            var source: ModelDirectory
            var labels: LabelSet
            var train: EncodedDataset
            var validation: EncodedDataset?
            var config: BertConfig
            var keepsSourceHead: Bool
            var resume: String?
            var resumeState: TrainerState?
        }
        let prepared: Prepared = try communicator.agreeing {
            try options.validate(worldSize: worldSize)
            let source = try ModelDirectory(options.model)
            let columns = ColumnSelection(text: options.textColumn, pair: options.textPairColumn, label: options.labelColumn)
            let trainRows = try TextDatasetReader.read(options.train!, columns: columns)
            let (labels, keepsHead) = Trainer.labelSet(trainLabels: trainRows.compactMap(\.label), source: source.config)
            guard labels.count >= 2 else {
                throw DataError(file: options.train!, "has only one label (\(labels)); classification needs at least two")
            }
            let train = try EncodedDataset.encode(trainRows, file: options.train!, tokenizer: source.tokenizer,
                                                  maxLength: options.maxLength, labelSet: labels)
            let validation = try options.validation.map { path in
                try EncodedDataset.encode(try TextDatasetReader.read(path, columns: columns), file: path,
                                          tokenizer: source.tokenizer, maxLength: options.maxLength, labelSet: labels)
            }
            if options.maxLength > source.config.bert.maxPositionEmbeddings {
                throw OptionError("--max-length \(options.maxLength) exceeds the model's max_position_embeddings (\(source.config.bert.maxPositionEmbeddings))")
            }
            var config = source.config.bert
            config.labels = labels.names
            config.problemType = "single_label_classification"
            if let p = options.dropout ?? options.hiddenDropout { config.hiddenDropoutProb = Float(p) }
            if let p = options.dropout ?? options.attentionDropout { config.attentionProbsDropoutProb = Float(p) }
            if let p = options.classifierDropout { config.classifierDropout = Float(p) }
            var resume: String?
            var resumeState: TrainerState?
            if let request = options.resume {
                // Only rank 0 reads checkpoint files; the others learn the outcome below.
                resume = rank == 0 ? try Checkpoints.resolve(request, output: options.output) : nil
                if let resume {
                    resumeState = try TrainerState.read(from: resume)
                    if resumeState!.trainBatchSize != options.batchSize {
                        throw OptionError("--batch-size \(options.batchSize) differs from the resumed run's \(resumeState!.trainBatchSize) (\(resume)): the global batch defines the sample stream, keep it")
                    }
                }
            }
            return Prepared(source: source, labels: labels, train: train, validation: validation, config: config,
                            keepsSourceHead: keepsHead, resume: resume, resumeState: resumeState)
        }

        source = prepared.source
        labels = prepared.labels
        trainSet = prepared.train
        validationSet = prepared.validation
        threadPlan = try ThreadPlan(ranksOnNode: communicator.localSize)
        let threads = options.threads ?? threadPlan.threads
        BLAS.setThreads(threads)
        let pool = ThreadPool(threads: threads)
        let layout = BertLayout(config: prepared.config, head: .sequenceClassification(labels: labels.count))
        let model = BertModel(layout: layout, pool: pool)
        let optimizer = AdamW(parameterCount: layout.table.count, beta1: Float(options.adamBeta1), beta2: Float(options.adamBeta2),
                              epsilon: Float(options.adamEpsilon), weightDecay: Float(options.weightDecay))
        self.model = model
        self.optimizer = optimizer
        var outputConfig = source.config
        outputConfig.bert = prepared.config
        self.outputConfig = outputConfig

        // The resumed checkpoint (path and state) travels from rank 0 to every rank.
        let resumePath = try communicator.broadcast(string: prepared.resume ?? "", root: 0)
        resumedFrom = resumePath.isEmpty ? nil : resumePath
        let stateText = try communicator.broadcast(string: try prepared.resumeState?.jsonText() ?? "", root: 0)

        // Rank 0 reads the weights (pretrained or resumed) and every rank receives them.
        try communicator.agreeing {
            guard rank == 0 else { return }
            if let resumePath = prepared.resume {
                _ = try model.loadWeights(from: SafeTensorsFile(contentsOf: resumePath + "/model.safetensors"))
                try Checkpoints.readOptimizer(into: optimizer, layout: layout, from: resumePath)
            } else {
                let report = try model.loadWeights(from: SafeTensorsFile(contentsOf: prepared.source.weightsPath),
                                                   loadHead: prepared.keepsSourceHead)
                for name in report.missing {
                    ParameterInitializer.initialize(layout.table[name]!, in: model.parameters.base, seed: UInt64(options.seed))
                }
            }
        }
        try communicator.broadcast(model.parameters.buffer, root: 0)
        if resumedFrom != nil {
            try communicator.broadcast(optimizer.firstMoment.buffer, root: 0)
            try communicator.broadcast(optimizer.secondMoment.buffer, root: 0)
        }

        plan = BatchPlan(datasetSize: trainSet.count, globalBatchSize: options.batchSize, seed: UInt64(options.seed),
                         shuffle: !options.noShuffle, groupingLengths: options.groupByLength ? trainSet.lengths : nil)
        totalSteps = options.maxSteps > 0 ? options.maxSteps : Int((options.epochs * Double(plan.batchesPerEpoch)).rounded(.up))
        let warmup = options.warmupSteps > 0 ? options.warmupSteps
            : LearningRateSchedule.warmupSteps(ratio: options.warmupRatio, totalSteps: totalSteps)
        schedule = LearningRateSchedule(kind: LearningRateSchedule.Kind(rawValue: options.lrScheduler)!,
                                        warmupSteps: warmup, totalSteps: totalSteps)

        // Activations for the larger of a training shard and an evaluation shard.
        let trainShard = (options.batchSize + worldSize - 1) / worldSize
        let evalShard = (options.evalBatchSize + worldSize - 1) / worldSize
        let sequences = max(trainShard, validationSet == nil ? 0 : evalShard)
        let longest = max(trainSet.longest, validationSet?.longest ?? 0)
        model.reserve(maxSequences: sequences, maxTokens: sequences * longest, maxLength: longest)
        engine = StepEngine(model: model, optimizer: optimizer, communicator: communicator,
                            trainable: .all(layers: prepared.config.numHiddenLayers),
                            bucketBytes: Int(options.bucketSizeMb * 1_048_576), overlapsCommunication: options.overlapCommunication,
                            maxSequences: sequences, maxTokens: sequences * longest)

        if !stateText.isEmpty {
            state = try JSONDecoder().decode(TrainerState.self, from: Data(stateText.utf8))
            state.worldSize = worldSize
            optimizer.setStepCounts(Dictionary(uniqueKeysWithValues: state.optimizerSteps.compactMap { key, value in
                Trainer.group(named: key, layers: prepared.config.numHiddenLayers).map { ($0, value) }
            }))
        } else {
            state = TrainerState(globalStep: 0, epoch: 0, maxSteps: totalSteps, trainBatchSize: options.batchSize,
                                 seed: options.seed, worldSize: worldSize, optimizerSteps: [:],
                                 metricForBestModel: "eval_loss")
        }
        state.maxSteps = totalSteps
    }

    // MARK: The loop

    public func run() throws -> RunResult {
        let worldSize = communicator.size, rank = communicator.rank
        if isRoot {
            try FileManager.default.createDirectory(atPath: options.output, withIntermediateDirectories: true)
            metricsLog = try MetricsLog(path: options.output + "/metrics.jsonl",
                                        keepingRecordsUpTo: resumedFrom == nil ? nil : state.globalStep)
            emit(.started(summary()))
        }
        SignalFlags.install()
        let started = Date()
        var lastLog = (time: Date(), step: state.globalStep)
        var localLoss = 0.0, localSamples = 0
        var epochPlan: EpochPlan?
        var stopReason: String?
        var lastEvaluation: MetricsRecord?
        var lastCheckpointStep = -1

        while state.globalStep < totalSteps {
            let globalStep = state.globalStep
            let (epoch, step) = plan.position(ofGlobalStep: globalStep)
            if epochPlan?.epoch != epoch { epochPlan = plan.epoch(epoch) }
            let globalBatch = epochPlan!.globalBatch(step)
            let shard = BatchPlan.shard(globalBatch, rank: rank, worldSize: worldSize)

            let learningRate = options.learningRate * schedule.multiplier(step: globalStep)
            let result = try engine.step(microBatches: [shard], dataset: trainSet, globalExamples: globalBatch.count,
                                         dropout: DropoutKey(seed: UInt64(options.seed), step: UInt64(globalStep)),
                                         learningRate: Float(learningRate), maxGradNorm: Float(options.maxGradNorm))
            localLoss += result.localLossSum
            localSamples += result.localExamples
            if !result.applied && isRoot {
                emit(.notice("step \(globalStep + 1): gradient norm is \(result.gradientNorm); update skipped on every rank"))
            }
            state.globalStep += 1
            state.epoch = Double(state.globalStep) / Double(plan.batchesPerEpoch)
            let completed = state.globalStep

            var flags = ControlFlags()
            SignalFlags.apply(to: &flags)
            if FaultInjection.stopAtStep == completed { flags.stop = true }
            flags = try communicator.agree(flags)

            if isRoot {
                let elapsed = Date().timeIntervalSince(lastLog.time)
                emit(.progress(step: completed, totalSteps: totalSteps, epoch: state.epoch,
                               samplesPerSecond: Double((completed - lastLog.step) * options.batchSize) / max(elapsed, 1e-9)))
            }
            if completed % options.loggingSteps == 0 || completed == totalSteps {
                var sums = [localLoss, Double(localSamples)]
                try sums.withUnsafeMutableBufferPointer { try communicator.allreduce($0, operation: .sum) }
                let elapsed = Date().timeIntervalSince(lastLog.time)
                let record = MetricsRecord([
                    "step": Double(completed), "epoch": state.epoch, "loss": sums[0] / max(sums[1], 1),
                    "learning_rate": learningRate, "grad_norm": result.gradientNorm,
                    "samples_per_second": sums[1] / max(elapsed, 1e-9),
                ])
                log(record)
                (localLoss, localSamples) = (0, 0)
                lastLog = (Date(), completed)
            }
            let endOfEpoch = completed % plan.batchesPerEpoch == 0
            if validationSet != nil && completed < totalSteps
                && (options.evalSteps > 0 ? completed % options.evalSteps == 0 : endOfEpoch) {
                lastEvaluation = try evaluate()
            }
            if options.checksumSteps > 0 && completed % options.checksumSteps == 0 {
                try verifyReplicas()
            }
            if flags.stop { stopReason = "stop requested (SIGUSR1) at step \(completed)" }
            let wantsSave = (options.saveSteps > 0 && completed % options.saveSteps == 0) || flags.save || flags.stop
            if wantsSave && completed < totalSteps {
                try saveCheckpoint()
                lastCheckpointStep = completed
            }
            if let stopReason {
                if isRoot { emit(.stopping(stopReason + "; resume with --resume auto")) }
                break
            }
        }

        if stopReason == nil {
            if validationSet != nil { lastEvaluation = try evaluate() }
            try verifyReplicas()
            if lastCheckpointStep != state.globalStep { try saveCheckpoint() }
        }
        var finalModel = ""
        if isRoot && stopReason == nil {
            finalModel = try writeFinalModel()
        }
        let seconds = Date().timeIntervalSince(started)
        let result = RunResult(output: options.output, finalModel: finalModel, steps: state.globalStep, seconds: seconds,
                               samplesPerSecond: Double(state.globalStep * options.batchSize) / max(seconds, 1e-9),
                               finalEvaluation: lastEvaluation, bestCheckpoint: state.bestModelCheckpoint, stoppedEarly: stopReason)
        if isRoot { emit(.finished(result)) }
        return result
    }

    private func log(_ record: MetricsRecord) {
        state.logHistory.append(record)
        guard isRoot else { return }
        metricsLog?.append(record)
        if record.isEvaluation == false { emit(.logged(record)) }
    }

    /// Evaluates on the validation set (every rank takes part), logs it and tracks the best.
    private func evaluate() throws -> MetricsRecord {
        let evaluator = Evaluator(model: model, communicator: communicator, batch: engine.batch, globalBatchSize: options.evalBatchSize)
        let metrics = try evaluator.evaluate(validationSet!, classes: labels.count)
        let record = metrics.record(labels: labels, step: state.globalStep, epoch: state.epoch)
        log(record)
        if isRoot { emit(.evaluated(record, metrics, labels)) }
        if let key = state.metricForBestModel, let value = record[key] {
            let greaterIsBetter = !key.hasSuffix("loss")
            if state.bestMetric.map({ greaterIsBetter ? value > $0 : value < $0 }) ?? true {
                state.bestMetric = value
                state.bestModelCheckpoint = Checkpoints.path(output: options.output, step: state.globalStep)
            }
        }
        return record
    }

    /// Rank 0 writes a checkpoint; the others wait for it in the next collective.
    private func saveCheckpoint() throws {
        state.optimizerSteps = Dictionary(uniqueKeysWithValues: optimizer.stepCounts.map { ($0.key.description, $0.value) })
        guard isRoot else { return }
        let path = try Checkpoints.write(step: state.globalStep, output: options.output, model: model, optimizer: optimizer,
                                         state: state, config: outputConfig, tokenizerSource: source.path)
        Checkpoints.prune(output: options.output, keep: options.saveTotalLimit, protected: state.bestModelCheckpoint)
        emit(.checkpointSaved(path))
    }

    /// The trained model in Hugging Face form in the output directory itself, each file
    /// replaced atomically.
    private func writeFinalModel() throws -> String {
        let directory = try DurableDirectory(destination: options.output + "/.final-model")
        try ModelDirectory.write(model: model, config: outputConfig, tokenizerSource: source.path, into: directory)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.temporary) {
            guard rename(directory.path(name), options.output + "/" + name) == 0 else {
                throw CheckpointError("rename \(directory.path(name)) into \(options.output): \(String(cString: strerror(errno)))")
            }
        }
        directory.abandon()
        try DurableDirectory.syncDirectory(options.output)
        return options.output
    }

    /// Stops every rank with a clear message if the replicas' parameters differ.
    private func verifyReplicas() throws {
        let report = try communicator.verifyReplicas(UnsafeBufferPointer(model.parameters.buffer))
        guard report.identical else {
            throw ReplicaDivergence("after step \(state.globalStep) the parameters of rank(s) \(report.differingRanks) differ from the others (\(report)); the replicas have diverged — check that every rank runs the same binary and data")
        }
    }

    private func summary() -> RunSummary {
        let trainableCount = engine.reducedElementCount
        return RunSummary(options: options, worldSize: communicator.size, threadsPerRank: model.pool.threads,
                          threadSource: options.threads != nil ? "--threads" : threadPlan.source,
                          trainExamples: trainSet.count, validationExamples: validationSet?.count ?? 0, labels: labels,
                          parameterCount: model.parameters.count, trainableParameterCount: trainableCount,
                          stepsPerEpoch: plan.batchesPerEpoch, totalSteps: totalSteps, warmupSteps: schedule.warmupSteps,
                          perRankBatch: (options.batchSize + communicator.size - 1) / communicator.size,
                          longestExample: trainSet.longest,
                          meanTokensPerExample: Double(trainSet.ids.count) / Double(max(trainSet.count, 1)),
                          resumedFrom: resumedFrom, startStep: state.globalStep)
    }

    // MARK: Helpers

    /// The label set of a run, and whether the source model's classifier can be kept: it
    /// can when the source already classifies into labels that cover the training data.
    static func labelSet(trainLabels: [String], source: HuggingFaceConfig) -> (LabelSet, keepsHead: Bool) {
        let inferred = LabelSet.infer(from: trainLabels)
        let hasHead = source.architectures.contains { $0.hasSuffix("ForSequenceClassification") }
        if hasHead && !source.bert.labels.isEmpty && Set(inferred.names).isSubset(of: source.bert.labels) {
            return (LabelSet(names: source.bert.labels), true)
        }
        return (inferred, false)
    }

    static func group(named name: String, layers: Int) -> ParameterGroup? {
        switch name {
        case "embeddings": return .embeddings
        case "pooler": return .pooler
        case "head": return .head
        default:
            guard name.hasPrefix("layer."), let i = Int(name.dropFirst(6)), i < layers else { return nil }
            return .layer(i)
        }
    }
}

/// The ranks' parameters are no longer identical.
public struct ReplicaDivergence: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
