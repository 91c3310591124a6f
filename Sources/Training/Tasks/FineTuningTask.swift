import Model
import Parallel
import Reports
import Text

/// Everything a fine-tuning task is: how its files are read and encoded, its label policy,
/// the head it puts on the model and how that is saved for transformers, its loss, its
/// metrics and its predictions. One type per task (a folder under `Tasks/`), listed once in
/// `TaskRegistry`; the trainer, evaluator, inference session and CLI ask the task and hold
/// no branch on which task it is. `Tasks/README.md` walks through adding one.
public protocol FineTuningTask: Sendable {
    /// The `--task` value.
    var name: String { get }
    /// One line for `--help`.
    var summary: String { get }

    // MARK: Data

    /// Reads `path` (labels required for training and evaluation, optional for prediction
    /// input) into rows whose encoding waits for the label set.
    func read(_ path: String, _ request: DataRequest) throws -> TaskData
    /// The label set of a training file, from every label name it uses (saved as `id2label`).
    func labelSet(inferredFrom names: [String]) -> LabelSet
    /// Fewest labels the task can train with (a single class cannot be classified).
    var minimumLabels: Int { get }
    /// Whether word-level augmentation keeps this task's targets valid.
    var allowsTextAugmentation: Bool { get }
    /// `--max-length` when none is given, for a model taking up to `modelPositions` tokens.
    func defaultMaxLength(modelPositions: Int) -> Int
    /// This task with the settings of `options` that concern it, for the model in `model`
    /// (the embedding task's loss and the model's pooling). The default takes none and
    /// refuses the options of other tasks (`TaskSettings.refuseForeign`).
    func configured(by options: TrainingOptions, model: ModelDirectory) throws -> any FineTuningTask

    /// This task as the saved model in `directory` has it (SetFit: with its fitted head);
    /// the default is the task itself.
    func loaded(from directory: ModelDirectory) throws -> any FineTuningTask

    // MARK: Model

    /// The head this task puts on the encoder for `labels` outputs.
    func head(labels: Int) -> TaskHead
    /// `problem_type` written to `config.json` (nil: none, as transformers' token classifiers).
    var problemType: String? { get }
    /// Whether a saved model's `config.json` carries this task's head, read as transformers
    /// reads it when training (a missing `problem_type` is inferred from the label count).
    func isSaved(as config: HuggingFaceConfig) -> Bool
    /// Whether the model in `directory` was saved for this task; the default reads its
    /// `config.json` (`isSaved(as:)`), a task with files of its own may look for them.
    func isSaved(in directory: ModelDirectory) -> Bool
    /// When the source model already has this task's head: the label set to keep it with, or
    /// nil when `inferred` (the training data's) does not fit it and the head must be replaced.
    func labelsKeepingHead(inferred: LabelSet, saved: [String]) -> LabelSet?

    // MARK: Training and evaluation

    /// The loss over the whole global batch, for a task whose examples' loss terms depend on
    /// each other across ranks; nil (the default): `lossAndGradient` per micro-batch.
    func coupledLoss(communicator: Communicator) -> (any CoupledBatchLoss)?
    /// The summed loss of this rank's batch; writes the logits' gradient scaled by `gradScale`
    /// (1 / loss units in the global batch). `logits` is `[rows × outputs]`, one row per
    /// sequence or per token as the head has it.
    func lossAndGradient(
        _ logits: Logits, batch: PackedBatch, targets: TargetBuffer, labelSmoothing: Float,
        gradScale: Float
    ) -> Double
    /// Whether `--validation` is evaluated during training (at `--eval-steps`, for the best
    /// model and early stopping); SetFit evaluates only the completed model.
    var evaluatesWhileTraining: Bool { get }
    /// What the task adds to the trained model after the last step (SetFit's head); nil
    /// (the default): nothing, the model is complete.
    func completeTraining(_ context: TrainingCompletionContext) throws -> TaskCompletion?
    /// A fresh accumulator of this task's evaluation metrics over `dataset`.
    func metrics(labels: LabelSet, dataset: EncodedDataset) -> any TaskMetrics
    /// The `--metric-for-best-model` default.
    var defaultBestMetric: String { get }
    /// The evaluation metrics the HTML report draws over steps, one chart each (evaluation
    /// loss is always drawn beside the training loss). What the report shows of a single
    /// evaluation (a confusion matrix, a table, a scatter plot) are the `sections` of the
    /// task's `EvaluationReport`.
    var reportCurves: [ReportCurve] { get }

    // MARK: Prediction

    /// The JSON members (`"label": …, "probabilities": …`) of example `i`'s prediction;
    /// `logits` holds its rows (one, or one per token of its encoding).
    func prediction(_ i: Int, logits: ArraySlice<Float>, context: PredictionContext) -> String

    // MARK: Explanation

    /// What `explain` attributes in example `i`: each f a sum of its logits
    /// (`ExplanationTarget`). Default: the logit of the predicted label, or of `target`;
    /// `logits` as in `prediction`. Throws when `target` is not a label of the task.
    func explanationTargets(
        _ i: Int, logits: ArraySlice<Float>, context: PredictionContext, target: String?
    ) throws -> [ExplanationTarget]
}

extension FineTuningTask {
    public var minimumLabels: Int { 2 }
    public var allowsTextAugmentation: Bool { true }
    public var defaultBestMetric: String { "eval_loss" }
    /// The default best metric, when it is not the loss.
    public var reportCurves: [ReportCurve] {
        defaultBestMetric == "eval_loss" ? [] : [ReportCurve(title: defaultBestMetric, keys: [defaultBestMetric])]
    }
    public func coupledLoss(communicator: Communicator) -> (any CoupledBatchLoss)? { nil }
    public func loaded(from directory: ModelDirectory) throws -> any FineTuningTask { self }
    public func isSaved(in directory: ModelDirectory) -> Bool { isSaved(as: directory.config) }
    public func completeTraining(_ context: TrainingCompletionContext) throws -> TaskCompletion? { nil }
    public var evaluatesWhileTraining: Bool { true }
    public func configured(by options: TrainingOptions, model: ModelDirectory) throws -> any FineTuningTask {
        try options.refuseEmbeddingSettings(for: name)
        return self
    }
    /// 128 tokens (transformers' example scripts), fewer when the model takes fewer.
    public func defaultMaxLength(modelPositions: Int) -> Int { min(128, modelPositions) }

    /// Keep the saved head when its labels cover the training data's, in the saved order.
    public func labelsKeepingHead(inferred: LabelSet, saved: [String]) -> LabelSet? {
        !saved.isEmpty && Set(inferred.names).isSubset(of: saved) ? LabelSet(names: saved) : nil
    }
}

/// How a data file is to be read for a task.
public struct DataRequest {
    public var columns: ColumnSelection
    /// Separator of several labels in one field.
    public var labelSeparator: Character
    public var tokenizer: any TextTokenizer
    public var maxLength: Int
    /// Training and evaluation need every label; prediction input may lack them.
    public var requireLabels: Bool

    public init(
        columns: ColumnSelection, labelSeparator: Character = ",", tokenizer: any TextTokenizer,
        maxLength: Int, requireLabels: Bool = true
    ) {
        self.columns = columns
        self.labelSeparator = labelSeparator
        self.tokenizer = tokenizer
        self.maxLength = maxLength
        self.requireLabels = requireLabels
    }

    /// The columns to read, the label column required only when labels are.
    public var readColumns: ColumnSelection {
        var columns = self.columns
        columns.requireLabel = requireLabels
        return columns
    }
}

/// What a task's prediction of one example may need besides its logits.
public struct PredictionContext {
    public let data: TaskData
    public let dataset: EncodedDataset
    public let labels: LabelSet
    public let tokenizer: any TextTokenizer
    public let maxLength: Int
}

extension Logits {
    /// Softmax cross-entropy of the first `rows` rows against the class ids in
    /// `targets.integers` (−100: not scored), its gradient written into `gradient`: the loss
    /// of the tasks with one class per row (a row per sequence or per token).
    func crossEntropy(rows: Int, targets: TargetBuffer, labelSmoothing: Float, gradScale: Float) -> Double {
        targets.integers.withUnsafeBufferPointer {
            CrossEntropy.forwardBackward(
                logits: values, labels: $0.baseAddress!, rows: rows, classes: outputs,
                labelSmoothing: labelSmoothing, gradScale: gradScale, logitsGrad: gradient, pool: pool)
        }
    }
}
