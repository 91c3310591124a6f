import Foundation
import Model
import Parallel
import Text

/// The steps of `Trainer.init`, in the order it takes them.
extension Trainer {
    /// Checks the options, reads and encodes the data, settles the label set and the model
    /// configuration, and (on rank 0) finds the checkpoint to resume.
    static func prepare(_ options: TrainingOptions, rank: Int, worldSize: Int) throws -> Prepared {
        try options.validate(worldSize: worldSize)
        if rank == 0 { try StorageSpace.requireWritable(options.output, for: "--output") }
        let source = try ModelDirectory(options.model)
        let task = try options.fineTuningTask().configured(by: options, model: source)
        let positions = source.config.maxPositions
        let maxLength = options.maxLength ?? task.defaultMaxLength(modelPositions: positions)
        if maxLength > positions {
            throw OptionError(
                "--max-length \(maxLength) exceeds the model's \(source.config.maxPositionsKey) (\(positions))")
        }
        let request = DataRequest(
            columns: ColumnSelection(
                text: options.textColumn, pair: options.textPairColumn,
                label: options.labelColumn),
            labelSeparator: options.labelSeparator.first ?? ",", tokenizer: source.tokenizer,
            maxLength: maxLength)
        let trainData = try task.read(options.train!, request)
        var (labels, keepsHead) = labelSet(task: task, names: trainData.labelNames, source: source.config)
        if options.reinitHead {
            (labels, keepsHead) = labelSet(task: task, names: trainData.labelNames, source: nil)
        }
        guard labels.count >= task.minimumLabels else {
            throw DataError(
                file: options.train!,
                "has only one label (\(labels)); \(task.name) needs at least \(task.minimumLabels)")
        }
        let train = try trainData.encode(labels)
        let examples = try trainingExamples(
            options, maxLength: maxLength, data: trainData, encoded: train, tokenizer: source.tokenizer)
        let validation =
            task.evaluatesWhileTraining ? try options.validation.map { try task.read($0, request).encode(labels) } : nil
        var config = source.config
        config.labels = labels.names
        config.problemType = task.problemType
        config.setDropout(
            hidden: (options.dropout ?? options.hiddenDropout).map(Float.init),
            attention: (options.dropout ?? options.attentionDropout).map(Float.init),
            classifier: options.classifierDropout.map(Float.init))
        try setPooling(options, task: task, config: &config)
        if options.freezeLayers > config.layerCount {
            throw OptionError("--freeze-layers \(options.freezeLayers): the model has \(config.layerCount) layers")
        }
        let lora = try options.loraConfiguration(
            defaultTargets: ModelFamilies.family(of: config).defaultLoRATargets)
        do {
            try ModelFamilies.family(of: config).check(
                config: config, head: task.head(labels: labels.count), lora: lora)
        } catch {
            throw OptionError("--model \(options.model): \(error.description)")
        }
        var resume: String?
        var resumeState: TrainerState?
        if let request = options.resume, rank == 0 {
            // Only rank 0 reads checkpoint files; the others learn the outcome from it.
            (resume, resumeState) = try findResumePoint(request, options: options)
        }
        return Prepared(
            task: task, source: source, request: request, labels: labels, train: train, trainExamples: examples,
            validation: validation, config: config, lora: lora, maxLength: maxLength,
            keepsSourceHead: keepsHead, resume: resume, resumeState: resumeState)
    }

    /// `--pooling`: the sequence head's pooling, saved as `classifier_pooling` in config.json.
    static func setPooling(
        _ options: TrainingOptions, task: any FineTuningTask, config: inout HuggingFaceConfig
    ) throws {
        guard let name = options.pooling else { return }
        guard let mode = [PoolingMode.cls, .mean].first(where: { $0.name == name }) else {
            throw OptionError("--pooling \(name): expected cls or mean")
        }
        guard case .bert(var bert) = config.family else {
            throw OptionError("--pooling: built for BERT-family encoders; \(options.model) is \(config.modelType)")
        }
        guard task.head(labels: 2) == .sequence(outputs: 2) else {
            throw OptionError(
                "--pooling: \(task.name) has no sequence head (it applies to classification, regression, multi-label)")
        }
        bert.classifierPooling = mode
        config.family = .bert(bert)
    }

    /// The examples the steps read: the encoded file, or its augmented form.
    static func trainingExamples(
        _ options: TrainingOptions, maxLength: Int, data: TaskData, encoded: EncodedDataset,
        tokenizer: any TextTokenizer
    ) throws -> any ExampleSource {
        guard options.augmentation.isEnabled else { return encoded }
        let augmenter: TextAugmenter
        do {
            augmenter = try TextAugmenter(options: options.augmentation)
        } catch {
            throw OptionError("augmentation: \(error)")
        }
        if tokenizer.id(for: options.augmentWordDropoutToken) == nil {
            throw OptionError(
                "--augment-word-dropout-token \(options.augmentWordDropoutToken) is not in the model's vocabulary")
        }
        return AugmentedExamples(
            texts: data.texts, encoded: encoded, tokenizer: tokenizer, augmenter: augmenter,
            seed: UInt64(options.seed), maxLength: maxLength)
    }

    /// The checkpoint `--resume` names (nil: start fresh) and its state, checked against the
    /// options that define the sample stream.
    static func findResumePoint(_ request: String, options: TrainingOptions) throws -> (String?, TrainerState?) {
        guard let resume = try Checkpoints.resolve(request, output: options.output) else { return (nil, nil) }
        let state = try TrainerState.read(from: resume)
        if state.trainBatchSize != options.batchSize {
            throw OptionError(
                "--batch-size \(options.batchSize) differs from the resumed run's \(state.trainBatchSize) "
                    + "(\(resume)): the global batch defines the sample stream, keep it"
            )
        }
        return (resume, state)
    }

    /// The resumed checkpoint's path and state, from rank 0 to every rank (nil: fresh start).
    static func shareResumePoint(
        _ prepared: Prepared,
        communicator: Communicator
    ) throws -> (path: String?, stateText: String) {
        let path = try communicator.broadcast(string: prepared.resume ?? "", root: 0)
        let stateText = try communicator.broadcast(string: try prepared.resumeState?.jsonText() ?? "", root: 0)
        return (path.isEmpty ? nil : path, stateText)
    }

    /// Rank 0 reads the weights and every rank receives them: the starting point (pretrained
    /// body, the source's head or a new one, fresh adapters), then, when resuming, the
    /// checkpoint's parameters and AdamW moments over it. Returns the starting weights when
    /// L2-SP pulls toward them.
    static func loadStartingWeights(
        _ model: any TrainableModel, optimizer: AdamW, prepared: Prepared, resume: String?,
        options: TrainingOptions, communicator: Communicator
    ) throws -> FloatSlab? {
        let reference = options.l2SpAlpha > 0 ? FloatSlab(count: model.parameterTable.count) : nil
        try communicator.agreeing {
            guard communicator.rank == 0 else { return }
            try loadStartingPoint(
                model, source: prepared.source, keepHead: prepared.keepsSourceHead,
                seed: UInt64(options.seed))
            reference?.copy(from: model.parameters)
            if let resume {
                try Checkpoints.readModel(into: model, from: resume)
                try Checkpoints.readOptimizer(into: optimizer, table: model.parameterTable, from: resume)
            }
        }
        try communicator.broadcast(model.parameters.buffer, root: 0)
        if let reference { try communicator.broadcast(reference.buffer, root: 0) }
        if resume != nil {
            try communicator.broadcast(optimizer.firstMoment.buffer, root: 0)
            try communicator.broadcast(optimizer.secondMoment.buffer, root: 0)
        }
        return reference
    }

    /// The learning-rate schedule over `totalSteps`.
    static func schedule(_ options: TrainingOptions, totalSteps: Int) -> LearningRateSchedule {
        let warmup = options.warmupStepCount(totalSteps: totalSteps)
        return LearningRateSchedule(
            kind: options.lrScheduler,
            warmupSteps: warmup, totalSteps: totalSteps)
    }

    /// What trains at each step and at which rate: freezing, gradual unfreezing, layer decay.
    static func fineTuningPlan(
        _ options: TrainingOptions, layers: Int, lora: Bool,
        batchesPerEpoch: Int
    ) -> FineTuningPlan {
        let unfreezeEvery = options.gradualUnfreezing?.steps(batchesPerEpoch: batchesPerEpoch)
        return FineTuningPlan(
            layers: layers, freezeEmbeddings: options.freezeEmbeddings,
            freezeLayers: options.freezeLayers, unfreezeEvery: unfreezeEvery, usesLoRA: lora,
            layerLearningRateDecay: options.layerLrDecay)
    }

    /// Activations for the larger of a training micro-batch share and an evaluation share;
    /// returns the sequences and tokens the step's buffers need.
    static func reserveActivations(
        _ model: any TrainableModel, options: TrainingOptions, maxLength: Int, worldSize: Int,
        train: EncodedDataset,
        validation: EncodedDataset?
    ) -> (sequences: Int, tokens: Int) {
        let trainShare = BatchPlan.largestRankMicroBatch(
            globalBatchSize: options.batchSize,
            accumulationSteps: options.gradientAccumulationSteps,
            worldSize: worldSize)
        let evalShare = BatchPlan.largestShare(of: options.evalBatchSize, parts: worldSize)
        // An example may be several sequences (embedding pairs and triplets).
        let sequences = max(
            trainShare * train.textsPerExample, validation.map { evalShare * $0.textsPerExample } ?? 0)
        // Augmented examples can grow (insertions) up to the maximum length.
        let longest = max(options.augmentation.isEnabled ? maxLength : train.longest, validation?.longest ?? 0)
        model.reserve(maxSequences: sequences, maxTokens: sequences * longest, maxLength: longest)
        return (sequences, sequences * longest)
    }

    /// The trainer state: the resumed one (with its optimizer step counts restored), or a
    /// fresh one.
    static func initialState(
        _ options: TrainingOptions, resumedText: String, totalSteps: Int, worldSize: Int,
        optimizer: AdamW, layers: Int
    ) throws -> TrainerState {
        var state: TrainerState
        if !resumedText.isEmpty {
            state = try JSONDecoder().decode(TrainerState.self, from: Data(resumedText.utf8))
            state.worldSize = worldSize
            optimizer.setStepCounts(
                Dictionary(
                    uniqueKeysWithValues: state.optimizerSteps.compactMap { key, value in
                        group(named: key, layers: layers).map { ($0, value) }
                    }))
        } else {
            state = TrainerState(
                globalStep: 0, epoch: 0, maxSteps: totalSteps, trainBatchSize: options.batchSize,
                seed: options.seed, worldSize: worldSize, optimizerSteps: [:],
                metricForBestModel: options.bestMetricKey)
        }
        state.maxSteps = totalSteps
        return state
    }

    /// The weights fine-tuning starts from: the source model's body (and its head when
    /// kept), a new head initialised from the seed, fresh LoRA adapters. A pure function of
    /// the source files and the seed, so a resumed run rebuilds the same starting point.
    static func loadStartingPoint(
        _ model: any TrainableModel, source: ModelDirectory, keepHead: Bool,
        seed: UInt64
    ) throws {
        let report = try model.loadWeights(from: SafeTensorsFile(contentsOf: source.weightsPath), loadHead: keepHead)
        for name in report.missing {
            ParameterInitializer.initialize(model.parameterTable[name]!, in: model.parameters.base, seed: seed)
        }
        model.initializeAdapters(seed: seed)
    }

    /// The label set of a run, and whether the source model's head can be kept: it can when
    /// the source already has this task's head with labels that fit the training data.
    static func labelSet(
        task: any FineTuningTask, names: [String],
        source: HuggingFaceConfig?
    ) -> (LabelSet, keepsHead: Bool) {
        let inferred = task.labelSet(inferredFrom: names)
        guard let source, task.isSaved(as: source),
            let kept = task.labelsKeepingHead(inferred: inferred, saved: source.labels)
        else { return (inferred, false) }
        return (kept, true)
    }
}
