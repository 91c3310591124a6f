import Foundation
import Model
import Text

/// Everything that shapes a training run. Option names on the command line are the
/// kebab-case of these fields — which follow Hugging Face `TrainingArguments` where one
/// exists — and a `--config` JSON file may set any of them (kebab- or snake-case keys).
/// Precedence: these defaults < the config file < command-line flags.
public struct TrainingOptions: Codable, Equatable, Sendable {
    // MARK: Data and model
    /// Pretrained (or already fine-tuned) model directory in Hugging Face format.
    public var model: String = DefaultPaths.pretrainedModel
    /// The `--task` name, one of `TaskRegistry.names`.
    public var task: String = TaskRegistry.defaultTask.name
    /// Training data: .tsv, .csv or .jsonl (CoNLL .conll/.txt for token classification).
    public var train: String? = nil
    /// Validation data, same format; evaluated every `evalSteps` and at the end.
    public var validation: String? = nil
    /// Directory for checkpoints, metrics and the final model.
    public var output: String = "runs/ddp-train"
    /// Column (name or 0-based index) of the text; detected from GLUE-style headers if unset.
    public var textColumn: String? = nil
    /// Column of the second text of a sentence pair.
    public var textPairColumn: String? = nil
    /// Column of the label.
    public var labelColumn: String? = nil
    /// Separator of the labels in one field of multi-label data ("sports,politics").
    public var labelSeparator: String = ","

    /// The task `task` names (an error listing the choices when it names none).
    public func fineTuningTask() throws -> any FineTuningTask { try TaskRegistry.task(named: task) }

    // MARK: Length of training
    /// Passes over the training data (fractions allowed); ignored when `maxSteps` > 0.
    public var epochs: Double = 3
    /// Optimizer steps to run; overrides `epochs` when > 0.
    public var maxSteps: Int = -1

    // MARK: Batches
    /// Global batch: examples per optimizer step, summed over all ranks.
    public var batchSize: Int = 32
    /// Global batch for evaluation and prediction.
    public var evalBatchSize: Int = 64
    /// Tokens per example at most (the rest is truncated), special tokens included; for
    /// causal-lm the block size. nil: the task's default for the model
    /// (`FineTuningTask.defaultMaxLength`), which the trainer settles as `Trainer.maxLength`.
    public var maxLength: Int?
    /// Keep the data in file order instead of shuffling every epoch.
    public var noShuffle: Bool = false
    /// Put examples of similar length in the same batch (less padding work).
    public var groupByLength: Bool = false

    // MARK: Optimizer
    /// Peak learning rate of AdamW.
    public var learningRate: Double = 5e-5
    /// linear, cosine, constant or slanted_triangular.
    public var lrScheduler: LearningRateSchedule.Kind = .linear
    /// Fraction of the steps spent warming up linearly from 0.
    public var warmupRatio: Double = 0
    /// Warm-up steps when ≥ 1 (a whole number); a value in (0, 1) is a ratio of the total
    /// steps, as `warmup_steps` of transformers 5, which dropped `warmup_ratio`. Excludes
    /// `warmupRatio`; see `warmupSteps(totalSteps:)`.
    public var warmupSteps: Double = 0
    /// AdamW's decoupled weight decay (not applied to biases and LayerNorm weights).
    public var weightDecay: Double = 0
    public var adamBeta1: Double = 0.9
    public var adamBeta2: Double = 0.999
    public var adamEpsilon: Double = 1e-8
    /// Clip gradients to this global L2 norm; 0 disables clipping.
    public var maxGradNorm: Double = 1

    // MARK: Regularisation
    /// Sets both hidden and attention dropout when given.
    public var dropout: Double? = nil
    /// Dropout after embeddings, attention output and feed-forward (config's if unset).
    public var hiddenDropout: Double? = nil
    /// Dropout on attention probabilities (config's if unset).
    public var attentionDropout: Double? = nil
    /// Dropout before the classifier (hidden dropout if unset).
    public var classifierDropout: Double? = nil

    /// An L1 penalty λ·Σ|w| on the decayed weights (0: off).
    public var l1Penalty: Double = 0
    /// L2-SP (Li et al. 2018): a penalty α/2·‖w − w₀‖² pulling the pretrained weights toward
    /// their starting values w₀ (0: off).
    public var l2SpAlpha: Double = 0
    /// Label smoothing ε of the cross-entropy (HF `label_smoothing_factor`).
    public var labelSmoothingFactor: Double = 0

    // MARK: What trains
    /// Freeze the embeddings.
    public var freezeEmbeddings: Bool = false
    /// Freeze the lowest K encoder layers.
    public var freezeLayers: Int = 0
    /// ULMFiT gradual unfreezing: train the head first, then unfreeze one more layer from
    /// the top every N steps, or every epoch with `epoch` (embeddings last); unset: off.
    public var gradualUnfreezing: UnfreezeInterval? = nil
    /// Discriminative learning rates: each layer gets the rate of the layer above times F
    /// (head 1, top layer F, …, embeddings F^(L+1)); 1 disables.
    public var layerLrDecay: Double = 1
    /// Replace the classifier with a freshly initialised one even if the model has one with
    /// the same labels (second-stage fine-tuning on a new task).
    public var reinitHead: Bool = false
    /// What a sequence head classifies: `cls`, BERT's pooler on `[CLS]` (transformers'
    /// `BertForSequenceClassification`), or `mean`, the mean of the last hidden states without
    /// the pooler (sentence-transformers bodies were trained for it). nil: the model's own
    /// (`classifier_pooling` in its config.json, else cls).
    public var pooling: String? = nil
    // MARK: Embedding and few-shot tasks
    /// The embedding loss, one of `EmbeddingLossChoice.names`; nil: multiple-negatives ranking.
    public var loss: String? = nil
    /// Similarity scale of the multiple-negatives losses (nil: 20).
    public var lossScale: Double? = nil
    /// Margin of the contrastive (0.5) and triplet (5) losses (nil: their default).
    public var lossMargin: Double? = nil
    /// Whether the multiple-negatives losses see the whole global batch as negatives (every
    /// rank's examples) or only the rank's own share.
    public var crossRankNegatives: Bool = true
    /// SetFit: rounds of pair sampling over the training examples (setfit's
    /// `num_iterations`; each round draws a positive and a negative pair per example). nil: 20.
    public var numIterations: Int? = nil
    /// LoRA adapters of this rank on `loraTargets` (0: off); the pretrained weights freeze.
    public var loraRank: Int = 0
    /// LoRA α (the adapter output is scaled by α / r).
    public var loraAlpha: Double = 16
    /// Comma-separated LoRA targets (BERT: query, key, value, attention.output.dense,
    /// intermediate.dense, output.dense; GPT-2: c_attn, attn.c_proj, c_fc, mlp.c_proj).
    /// nil: the family's default, as PEFT's (`ModelFamily.defaultLoRATargets`).
    public var loraTargets: String?

    // MARK: Data augmentation (EDA-style, reproducible from (seed, epoch, example))
    /// Each word deleted with this probability.
    public var augmentDeletion: Double = 0
    /// Swaps of two random words per example, as a fraction of its words.
    public var augmentSwap: Double = 0
    /// Insertions of a copy of a random word, as a fraction of its words.
    public var augmentInsertion: Double = 0
    /// Each word replaced by `augmentWordDropoutToken` with this probability.
    public var augmentWordDropout: Double = 0
    /// The replacement of word dropout: [UNK] or [MASK].
    public var augmentWordDropoutToken: String = "[UNK]"

    /// The augmentation options, as the `Text` module takes them.
    public var augmentation: AugmentationOptions {
        AugmentationOptions(
            deletionProbability: augmentDeletion, swapRate: augmentSwap, insertionRate: augmentInsertion,
            wordDropoutProbability: augmentWordDropout, wordDropoutToken: augmentWordDropoutToken)
    }

    // MARK: Batching of gradients
    /// Split each global batch into N micro-batches whose gradients add up before one
    /// optimizer step (no communication between them).
    public var gradientAccumulationSteps: Int = 1

    // MARK: Early stopping and the best model
    /// The evaluation metric that picks the best checkpoint (`eval_` prefix optional).
    public var metricForBestModel: String = "eval_loss"
    /// Whether larger is better for that metric (default: false for losses, true otherwise).
    public var greaterIsBetter: Bool? = nil
    /// Stop after this many evaluations without improvement (0: never).
    public var earlyStoppingPatience: Int = 0
    /// An improvement smaller than this does not count.
    public var earlyStoppingThreshold: Double = 0
    /// At the end, load the best checkpoint's weights and write those as the final model.
    public var loadBestModelAtEnd: Bool = false

    // MARK: Reproducibility
    /// Seed of the head's initialisation, the data order and dropout.
    public var seed: Int = 42

    // MARK: Logging, evaluation, checkpoints
    /// Log loss, learning rate and throughput every this many steps.
    public var loggingSteps: Int = 50
    /// Where logging goes besides the console, comma-separated: `tensorboard` (event files in
    /// `loggingDir`), `jsonl` (`metrics.jsonl`), `html` (`report.html`), `all` or `none`;
    /// as `report_to` of the Hugging Face Trainer.
    public var reportTo: String = "all"
    /// TensorBoard's directory (nil: `OUTPUT/runs`), as `logging_dir`.
    public var loggingDir: String? = nil
    /// Evaluate every this many steps (0: at the end of each epoch).
    public var evalSteps: Int = 0
    /// Write a checkpoint every this many steps (0: only at the end).
    public var saveSteps: Int = 500
    /// Keep at most this many checkpoints besides the best one (0: keep all).
    public var saveTotalLimit: Int = 0
    /// What the ranks do when a checkpoint cannot be written (see `StorageError`).
    public var onSaveError: SaveErrorPolicy = .stop
    /// Seconds a rank may wait inside one collective before the job is ended (0: never).
    public var collectiveTimeout: Double = 600
    /// A rank whose compute per step exceeds the median by this fraction is reported at the
    /// logging steps (0: never).
    public var stragglerThreshold: Double = 0.2
    /// `auto` (newest complete checkpoint in the output directory) or a checkpoint path.
    public var resume: String? = nil

    // MARK: Execution
    /// Threads per rank for BLAS and element-wise work (default: cores per node ÷ ranks per node).
    public var threads: Int? = nil
    /// Size of a gradient bucket for the overlapped allreduce, in MB.
    public var bucketSizeMb: Double = 25
    /// Start each gradient bucket's allreduce during the backward pass (true) or reduce all
    /// gradients in one call after it (false). Unset: overlap when the ranks span several
    /// nodes. On one node the flat reduction waits no longer (bench/RESULTS.md): over shared
    /// memory it is short, and what remains after backward either way is the last bucket
    /// and the slower rank.
    public var overlapCommunication: Bool? = nil
    /// Shard the optimizer over the ranks (ZeRO stage 1): gradients are reduce-scattered,
    /// each rank updates its shard, parameters are allgathered — the same bytes as an
    /// allreduce, the optimizer's work divided by the rank count. Replaces the overlapped
    /// allreduce when on.
    public var shardOptimizer: Bool = false
    /// Compare a checksum of the parameters across ranks every this many steps (0: never).
    public var checksumSteps: Int = 100
    /// `A:B`: record a timeline of steps A to B (1-based, inclusive) into `trace.json` in the
    /// output directory (Chrome trace-event format).
    public var traceSteps: String? = nil

    public init() {}
}

extension TrainingOptions {
    /// The warm-up of a run of `totalSteps` optimizer steps: `warmupSteps` when it is ≥ 1;
    /// a fraction in (0, 1) of `warmupSteps`, else `warmupRatio`, taken of the total as the
    /// Hugging Face Trainer does (`ceil(total · ratio)`). Assumes `validate` passed.
    public func warmupStepCount(totalSteps: Int) -> Int {
        if warmupSteps >= 1 { return Int(warmupSteps) }
        let ratio = warmupSteps > 0 ? warmupSteps : warmupRatio
        return LearningRateSchedule.warmupSteps(ratio: ratio, totalSteps: totalSteps)
    }
}

/// Where set-up puts things, and where `ddp-train` looks for them by default.
public enum DefaultPaths {
    /// `$DDP_TRAIN_MODEL`, else `~/.cache/ddp-train/all-MiniLM-L6-v2` (written by tools/setup.sh).
    public static var pretrainedModel: String {
        if let env = ProcessInfo.processInfo.environment["DDP_TRAIN_MODEL"], !env.isEmpty { return env }
        return cacheDirectory + "/all-MiniLM-L6-v2"
    }

    /// `$XDG_CACHE_HOME/ddp-train`, else `~/.cache/ddp-train`.
    public static var cacheDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/ddp-train" }
        return (env["HOME"] ?? NSHomeDirectory()) + "/.cache/ddp-train"
    }
}

/// `--on-save-error`: a checkpoint that cannot be written stops every rank at that step
/// (exit 74, the earlier checkpoints intact), or training goes on without it.
public enum SaveErrorPolicy: String, CaseIterable, Codable, Sendable {
    case stop
    case `continue`
}
