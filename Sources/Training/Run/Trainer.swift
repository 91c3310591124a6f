import Foundation
import Model
import Parallel
import Text

/// Data-parallel fine-tuning: every rank holds a replica of the model, runs its share of
/// each global batch, and sums gradients with the others before an identical AdamW update.
///
/// `init` does everything that can fail on bad input — options, files, labels, the model
/// directory, the checkpoint to resume — on every rank, and agrees across ranks before the
/// first collective that moves data; `run` (Trainer+Run.swift) is the training loop.
public final class Trainer {
    public let options: TrainingOptions
    let communicator: Communicator
    let emit: (TrainingEvent) -> Void
    let source: ModelDirectory
    public let labels: LabelSet
    let trainSet: EncodedDataset
    /// What the steps read: `trainSet`, or its augmented form.
    let trainExamples: any ExampleSource
    let validationSet: EncodedDataset?
    public let model: BertModel
    let optimizer: AdamW
    let plan: BatchPlan
    let schedule: LearningRateSchedule
    let fineTuning: FineTuningPlan
    let totalSteps: Int
    let engine: StepEngine
    var state: TrainerState
    let outputConfig: HuggingFaceConfig
    let resumedFrom: String?
    let threadPlan: ThreadPlan
    var metricsLog: MetricsLog?

    var isRoot: Bool { communicator.rank == 0 }

    /// What every rank works out from the options and files before any data moves.
    private struct Prepared {
        var source: ModelDirectory
        var labels: LabelSet
        var train: EncodedDataset
        var trainExamples: any ExampleSource
        var validation: EncodedDataset?
        var config: BertConfig
        var lora: LoRAConfiguration?
        var keepsSourceHead: Bool
        var resume: String?
        var resumeState: TrainerState?
    }

    /// Prepares a run. Bad options or data throw on every rank alike (each rank checks the
    /// same inputs, and `Communicator.agreeing` makes sure no rank goes on alone).
    public init(options: TrainingOptions, communicator: Communicator, emit: @escaping (TrainingEvent) -> Void) throws {
        self.options = options
        self.communicator = communicator
        self.emit = emit
        let worldSize = communicator.size
        let prepared = try communicator.agreeing { try Trainer.prepare(options, rank: communicator.rank, worldSize: worldSize) }
        source = prepared.source
        labels = prepared.labels
        trainSet = prepared.train
        trainExamples = prepared.trainExamples
        validationSet = prepared.validation

        threadPlan = try ThreadPlan(ranksOnNode: communicator.localSize)
        let threads = options.threads ?? threadPlan.threads
        BLAS.setThreads(threads)
        let layout = BertLayout(config: prepared.config, head: options.taskKind.head(labels: labels.count), lora: prepared.lora)
        let model = BertModel(layout: layout, pool: ThreadPool(threads: threads))
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

        // Rank 0 reads the weights and every rank receives them: the starting point
        // (pretrained encoder, the source's head or a new one, fresh adapters), then, when
        // resuming, the checkpoint's state over it.
        let reference = options.l2SpAlpha > 0 ? FloatSlab(count: layout.table.count) : nil
        try communicator.agreeing {
            guard communicator.rank == 0 else { return }
            try Trainer.loadStartingPoint(model, source: prepared.source, keepHead: prepared.keepsSourceHead, seed: UInt64(options.seed))
            reference?.copy(from: model.parameters)
            if let resumePath = prepared.resume {
                try Checkpoints.readModel(into: model, from: resumePath)
                try Checkpoints.readOptimizer(into: optimizer, layout: layout, from: resumePath)
            }
        }
        try communicator.broadcast(model.parameters.buffer, root: 0)
        if let reference { try communicator.broadcast(reference.buffer, root: 0) }
        if resumedFrom != nil {
            try communicator.broadcast(optimizer.firstMoment.buffer, root: 0)
            try communicator.broadcast(optimizer.secondMoment.buffer, root: 0)
        }

        let plan = BatchPlan(datasetSize: prepared.train.count, globalBatchSize: options.batchSize, seed: UInt64(options.seed),
                             shuffle: !options.noShuffle, groupingLengths: options.groupByLength ? prepared.train.lengths : nil)
        self.plan = plan
        totalSteps = options.maxSteps > 0 ? options.maxSteps : Int((options.epochs * Double(plan.batchesPerEpoch)).rounded(.up))
        let warmup = options.warmupSteps > 0 ? options.warmupSteps
            : LearningRateSchedule.warmupSteps(ratio: options.warmupRatio, totalSteps: totalSteps)
        schedule = LearningRateSchedule(kind: LearningRateSchedule.Kind(rawValue: options.lrScheduler)!,
                                        warmupSteps: warmup, totalSteps: totalSteps)
        let unfreezeEvery = options.gradualUnfreezing.map { $0 == "epoch" ? plan.batchesPerEpoch : Int($0)! }
        fineTuning = FineTuningPlan(layers: prepared.config.numHiddenLayers, freezeEmbeddings: options.freezeEmbeddings,
                                    freezeLayers: options.freezeLayers, unfreezeEvery: unfreezeEvery,
                                    usesLoRA: prepared.lora != nil, layerLearningRateDecay: options.layerLrDecay)

        // Activations for the larger of a training micro-batch shard and an evaluation shard.
        let microBatch = (options.batchSize + options.gradientAccumulationSteps - 1) / options.gradientAccumulationSteps
        let trainShard = (microBatch + worldSize - 1) / worldSize
        let evalShard = (options.evalBatchSize + worldSize - 1) / worldSize
        let sequences = max(trainShard, validationSet == nil ? 0 : evalShard)
        // Augmented examples can grow (insertions) up to the maximum length.
        let longest = max(options.augmentation.isEnabled ? options.maxLength : trainSet.longest, validationSet?.longest ?? 0)
        model.reserve(maxSequences: sequences, maxTokens: sequences * longest, maxLength: longest)

        if !stateText.isEmpty {
            state = try JSONDecoder().decode(TrainerState.self, from: Data(stateText.utf8))
            state.worldSize = worldSize
            optimizer.setStepCounts(Dictionary(uniqueKeysWithValues: state.optimizerSteps.compactMap { key, value in
                Trainer.group(named: key, layers: prepared.config.numHiddenLayers).map { ($0, value) }
            }))
        } else {
            state = TrainerState(globalStep: 0, epoch: 0, maxSteps: totalSteps, trainBatchSize: options.batchSize,
                                 seed: options.seed, worldSize: worldSize, optimizerSteps: [:],
                                 metricForBestModel: options.bestMetricKey)
        }
        state.maxSteps = totalSteps

        let fineTuning = self.fineTuning
        engine = StepEngine(model: model, optimizer: optimizer, communicator: communicator, task: options.taskKind,
                            trainable: fineTuning.trainable(atStep: state.globalStep),
                            learningRateScale: { fineTuning.learningRateScale($0) },
                            bucketBytes: Int(options.bucketSizeMb * 1_048_576), overlapsCommunication: options.overlapCommunication ?? (communicator.localSize < communicator.size),
                            shardsOptimizer: options.shardOptimizer, maxSequences: sequences, maxTokens: sequences * longest)
        engine.labelSmoothing = Float(options.labelSmoothingFactor)
        engine.regularization = Regularization(l1: Float(options.l1Penalty), l2SpAlpha: Float(options.l2SpAlpha), reference: reference)
    }

    /// Checks the options, reads and encodes the data, settles the label set and the model
    /// configuration, and (on rank 0) finds the checkpoint to resume.
    private static func prepare(_ options: TrainingOptions, rank: Int, worldSize: Int) throws -> Prepared {
        try options.validate(worldSize: worldSize)
        let source = try ModelDirectory(options.model)
        if options.maxLength > source.config.bert.maxPositionEmbeddings {
            throw OptionError("--max-length \(options.maxLength) exceeds the model's max_position_embeddings (\(source.config.bert.maxPositionEmbeddings))")
        }
        let task = options.taskKind
        let columns = ColumnSelection(text: options.textColumn, pair: options.textPairColumn, label: options.labelColumn)
        let read = { (path: String) in
            try TaskData.read(path, task: task, columns: columns, labelSeparator: options.labelSeparator.first ?? ",",
                              tokenizer: source.tokenizer, maxLength: options.maxLength)
        }
        let trainData = try read(options.train!)
        var (labels, keepsHead) = Trainer.labelSet(task: task, names: trainData.labelNames, source: source.config)
        if options.reinitHead {
            labels = Trainer.labelSet(task: task, names: trainData.labelNames, source: nil).0
            keepsHead = false
        }
        guard labels.count >= 2 || task == .regression else {
            throw DataError(file: options.train!, "has only one label (\(labels)); classification needs at least two")
        }
        let train = try trainData.encode(labels)
        var examples: any ExampleSource = train
        if options.augmentation.isEnabled {
            let augmenter: TextAugmenter
            do {
                augmenter = try TextAugmenter(options: options.augmentation)
            } catch {
                throw OptionError("augmentation: \(error)")
            }
            if source.tokenizer.id(for: options.augmentWordDropoutToken) == nil {
                throw OptionError("--augment-word-dropout-token \(options.augmentWordDropoutToken) is not in the model's vocabulary")
            }
            examples = AugmentedExamples(texts: trainData.texts, encoded: train, tokenizer: source.tokenizer, augmenter: augmenter,
                                         seed: UInt64(options.seed), maxLength: options.maxLength)
        }
        let validation = try options.validation.map { path in
            try read(path).encode(labels)
        }
        var config = source.config.bert
        config.labels = labels.names
        config.problemType = task.problemType
        if let p = options.dropout ?? options.hiddenDropout { config.hiddenDropoutProb = Float(p) }
        if let p = options.dropout ?? options.attentionDropout { config.attentionProbsDropoutProb = Float(p) }
        if let p = options.classifierDropout { config.classifierDropout = Float(p) }
        if options.freezeLayers > config.numHiddenLayers {
            throw OptionError("--freeze-layers \(options.freezeLayers): the model has \(config.numHiddenLayers) layers")
        }
        var resume: String?
        var resumeState: TrainerState?
        if let request = options.resume, rank == 0 {
            // Only rank 0 reads checkpoint files; the others learn the outcome from it.
            resume = try Checkpoints.resolve(request, output: options.output)
            if let resume {
                let state = try TrainerState.read(from: resume)
                if state.trainBatchSize != options.batchSize {
                    throw OptionError("--batch-size \(options.batchSize) differs from the resumed run's \(state.trainBatchSize) (\(resume)): the global batch defines the sample stream, keep it")
                }
                resumeState = state
            }
        }
        return Prepared(source: source, labels: labels, train: train, trainExamples: examples, validation: validation, config: config,
                        lora: try options.loraConfiguration(), keepsSourceHead: keepsHead, resume: resume, resumeState: resumeState)
    }

    /// The weights fine-tuning starts from: the source model's encoder (and its head when
    /// kept), a new head initialised from the seed, fresh LoRA adapters. A pure function of
    /// the source files and the seed, so a resumed run rebuilds the same starting point.
    static func loadStartingPoint(_ model: BertModel, source: ModelDirectory, keepHead: Bool, seed: UInt64) throws {
        let report = try model.loadWeights(from: SafeTensorsFile(contentsOf: source.weightsPath), loadHead: keepHead)
        for name in report.missing {
            ParameterInitializer.initialize(model.layout.table[name]!, in: model.parameters.base, seed: seed)
        }
        model.initializeAdapters(seed: seed)
    }

    /// The label set of a run, and whether the source model's head can be kept: it can when
    /// the source already has this task's head with labels that cover the training data
    /// (a regression head: one output with `problem_type` regression).
    static func labelSet(task: TaskKind, names: [String], source: HuggingFaceConfig?) -> (LabelSet, keepsHead: Bool) {
        let inferred: LabelSet
        switch task {
        case .classification: inferred = LabelSet.infer(from: names)
        case .multiLabel: inferred = LabelSet(names: Set(names).sorted())
        case .tokenClassification: inferred = LabelSet.tags(names)
        case .regression: inferred = LabelSet(names: ["LABEL_0"])
        }
        guard let source else { return (inferred, false) }
        let suffix = task == .tokenClassification ? "ForTokenClassification" : "ForSequenceClassification"
        // A checkpoint without `problem_type` (most on the Hub) gets what transformers infers
        // for it when training: regression with one label, single-label classification with more.
        let sourceProblem = source.bert.problemType
            ?? (task == .tokenClassification ? nil : source.bert.labels.count == 1 ? "regression" : "single_label_classification")
        let hasHead = source.architectures.contains { $0.hasSuffix(suffix) } && sourceProblem == task.problemType
        if task == .regression {
            return (inferred, hasHead && source.bert.labels.count == 1)
        }
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
