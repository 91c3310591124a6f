/// What the trainer reports as it goes (on rank 0 only); the CLI decides how to show it.
public enum TrainingEvent {
    /// Before the first step: the resolved options and the numbers derived from them.
    case started(RunSummary)
    /// A note worth the user's attention (e.g. a resumed run, a new head).
    case notice(String)
    /// After every optimizer step (for a progress bar).
    case progress(step: Int, totalSteps: Int, epoch: Double, samplesPerSecond: Double)
    /// Every `loggingSteps`: loss, learning rate, throughput.
    case logged(MetricsRecord)
    /// After each evaluation.
    case evaluated(MetricsRecord, EvaluationReport)
    /// A checkpoint was written.
    case checkpointSaved(String)
    /// The run ends early (signal, early stopping); the reason.
    case stopping(String)
    /// The run is over; where its outputs are.
    case finished(RunResult)
}

/// The derived numbers of a run, printed before it starts.
public struct RunSummary: Sendable {
    public var options: TrainingOptions
    /// `--max-length` or the task's default for the model.
    public var maxLength: Int
    public var worldSize: Int
    public var threadsPerRank: Int
    public var threadSource: String
    /// Rank 0's node: the CPU's vector instruction set, OpenBLAS's kernels and the build's
    /// (`KernelReport.summary`), and where they fall short of the CPU.
    public var kernels: String
    public var kernelWarnings: [String]
    public var trainExamples: Int
    public var validationExamples: Int
    public var labels: LabelSet
    public var parameterCount: Int
    public var trainableParameterCount: Int
    public var stepsPerEpoch: Int
    public var totalSteps: Int
    public var warmupSteps: Int
    public var perRankBatch: Int
    public var longestExample: Int
    public var meanTokensPerExample: Double
    public var resumedFrom: String?
    public var startStep: Int
}

public struct RunResult: Sendable {
    public var output: String
    public var finalModel: String
    /// The global step reached.
    public var steps: Int
    /// Steps run by this invocation (fewer than `steps` after a resume).
    public var stepsRun: Int
    /// The whole invocation after set-up: the steps, then the final evaluation, checkpoint and
    /// model files.
    public var seconds: Double
    /// The steps alone, with the evaluations and checkpoints their schedule asked for and the
    /// optimizer's deferred updates (as the Hugging Face Trainer's `train_runtime`): what
    /// `samplesPerSecond` is over.
    public var trainingSeconds: Double
    public var samplesPerSecond: Double
    public var finalEvaluation: MetricsRecord?
    public var bestCheckpoint: String?
    public var stoppedEarly: String?
    /// Stopped at a checkpoint on request (SIGUSR1) before the last step: the run is not
    /// finished and continues with `--resume auto`.
    public var preempted: Bool
    /// Stopped at `Trainer.pauseAtStep` (then `preempted` too): a sweep's rung.
    public var paused: Bool
    /// The largest peak resident memory of any rank, MiB.
    public var peakResidentMiB: Double
    /// Gradient bytes reduced in the last step (what trains; word-embedding rows by batch).
    public var reducedBytesPerStep: Int
}
