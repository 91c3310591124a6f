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
    public let task: any FineTuningTask
    let communicator: Communicator
    let emit: (TrainingEvent) -> Void
    let source: ModelDirectory
    let dataRequest: DataRequest
    public let labels: LabelSet
    /// Tokens per example at most (causal-lm: per block): `--max-length` or the task's default.
    public let maxLength: Int
    let trainSet: EncodedDataset
    /// What the steps read: `trainSet`, or its augmented form.
    let trainExamples: any ExampleSource
    let validationSet: EncodedDataset?
    public let model: any TrainableModel
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
    /// The timeline being recorded (inside the `--trace-steps` window only).
    var trace: TraceRecorder?
    /// TensorBoard events and the HTML report (rank 0; see RunReports).
    var reports: RunReports?
    /// Stop after this step with a checkpoint and an evaluation, as if preempted, and report
    /// the run `paused` (a rung of a successive-halving sweep; `--resume auto` continues it).
    /// A run resumed at or past this step pauses at once. Nil, or past the last step: no pause.
    public var pauseAtStep: Int?

    var isRoot: Bool { communicator.rank == 0 }

    /// What every rank works out from the options and files before any data moves.
    struct Prepared {
        var task: any FineTuningTask
        var source: ModelDirectory
        /// How the run's data files are read.
        var request: DataRequest
        var labels: LabelSet
        var train: EncodedDataset
        var trainExamples: any ExampleSource
        var validation: EncodedDataset?
        var config: HuggingFaceConfig
        var lora: LoRAConfiguration?
        /// `--max-length`, or the task's default for the model.
        var maxLength: Int
        var keepsSourceHead: Bool
        var resume: String?
        var resumeState: TrainerState?
    }

    /// Prepares a run, step by step (each a static function in Trainer+Setup.swift). Bad options or data throw
    /// on every rank alike: each rank checks the same inputs, and `Communicator.agreeing`
    /// makes sure no rank goes on alone.
    public init(options: TrainingOptions, communicator: Communicator, emit: @escaping (TrainingEvent) -> Void) throws {
        self.options = options
        self.communicator = communicator
        self.emit = emit
        let worldSize = communicator.size
        let prepared = try communicator.agreeing {
            try Trainer.prepare(options, rank: communicator.rank, worldSize: worldSize)
        }
        task = prepared.task
        source = prepared.source
        dataRequest = prepared.request
        labels = prepared.labels
        maxLength = prepared.maxLength
        trainSet = prepared.train
        trainExamples = prepared.trainExamples
        validationSet = prepared.validation
        outputConfig = prepared.config

        threadPlan = try ThreadPlan(ranksOnNode: communicator.localSize)
        let threads = options.threads ?? threadPlan.threads
        BLAS.setThreads(threads)
        let family = ModelFamilies.family(of: prepared.config)
        let parameters = try family.parameterTable(
            config: prepared.config, head: prepared.task.head(labels: prepared.labels.count), lora: prepared.lora
        ).count
        // Weights, gradients and the two AdamW moments, before any of them is allocated.
        try MemoryBudget.require(
            bytesPerRank: parameters * MemoryLayout<Float>.stride * 4, ranksOnNode: communicator.localSize,
            for: "the \(parameters) parameters of \(options.model)/config.json (weights, gradients, AdamW moments)")
        model = try family.makeModel(
            config: prepared.config, head: prepared.task.head(labels: prepared.labels.count), lora: prepared.lora,
            pool: ThreadPool(threads: threads))
        optimizer = AdamW(
            parameterCount: model.parameterTable.count, beta1: Float(options.adamBeta1),
            beta2: Float(options.adamBeta2), epsilon: Float(options.adamEpsilon),
            weightDecay: Float(options.weightDecay))

        let resume = try Trainer.shareResumePoint(prepared, communicator: communicator)
        resumedFrom = resume.path
        let reference = try Trainer.loadStartingWeights(
            model, optimizer: optimizer, prepared: prepared,
            resume: resume.path, options: options, communicator: communicator)

        plan = BatchPlan(
            datasetSize: prepared.train.count, globalBatchSize: options.batchSize, seed: UInt64(options.seed),
            shuffle: !options.noShuffle,
            groupingLengths: options.groupByLength ? prepared.train.lengths : nil)
        totalSteps =
            options.maxSteps > 0
            ? options.maxSteps
            : Int((options.epochs * Double(plan.batchesPerEpoch)).rounded(.up))
        schedule = Trainer.schedule(options, totalSteps: totalSteps)
        fineTuning = Trainer.fineTuningPlan(
            options, layers: model.layerCount, lora: prepared.lora != nil,
            batchesPerEpoch: plan.batchesPerEpoch)
        let capacity = Trainer.reserveActivations(
            model, options: options, maxLength: maxLength, worldSize: worldSize, train: trainSet,
            validation: validationSet)
        state = try Trainer.initialState(
            options, resumedText: resume.stateText, totalSteps: totalSteps,
            worldSize: worldSize, optimizer: optimizer, layers: model.layerCount)

        let fineTuning = self.fineTuning
        engine = StepEngine(
            model: model, optimizer: optimizer, communicator: communicator, task: task,
            trainable: fineTuning.trainable(atStep: state.globalStep),
            learningRateScale: { fineTuning.learningRateScale($0) },
            bucketBytes: Int(options.bucketSizeMb * 1_048_576),
            overlapsCommunication: options.overlapCommunication
                ?? (communicator.localSize < communicator.size),
            shardsOptimizer: options.shardOptimizer, defersUntouchedRows: true, maxSequences: capacity.sequences,
            maxTokens: capacity.tokens)
        engine.labelSmoothing = Float(options.labelSmoothingFactor)
        engine.regularization = Regularization(
            l1: Float(options.l1Penalty), l2SpAlpha: Float(options.l2SpAlpha),
            reference: reference)
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
