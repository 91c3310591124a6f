import Foundation
import Training

/// `ddp-train train`: the options table over `TrainingOptions`.
enum TrainCommand {
    static var parser: OptionParser<TrainingOptions> {
        OptionParser<TrainingOptions>(
            command: "train",
            summary: """
                Fine-tunes a pretrained BERT- or GPT-2-family model (Hugging Face format) for a task (--task),
                data-parallel over the MPI ranks it is started with (mpirun -np N ddp-train train ...).
                --batch-size is the global batch, summed over ranks: results do not depend on the rank count.
                """,
            options: [
                .configFile(),
                .choice("task", \.task, TaskRegistry.names, "What to fine-tune for."),
                .path(
                    "model", \.model,
                    "Pretrained or fine-tuned model directory (config.json, model.safetensors, tokenizer)."),
                .path("train", \.train, "Training data: .tsv, .csv or .jsonl with a text and a label column."),
                .path(
                    "validation", \.validation,
                    "Validation data, same format; evaluated every --eval-steps and at the end."),
                .path("output", \.output, "Output directory: checkpoints, metrics.jsonl and the final model."),
                .path(
                    "text-column", \.textColumn, "Text column name or 0-based index (default: detected, GLUE-style).",
                    valueName: "NAME"),
                .path(
                    "text-pair-column", \.textPairColumn, "Second text column for sentence pairs.", valueName: "NAME"),
                .path(
                    "label-column", \.labelColumn, "Label column name or index (default: detected).",
                    valueName: "NAME"),
                .string("label-separator", \.labelSeparator, "Separator of the labels in one field (multi-label)."),
                .double("epochs", \.epochs, "Passes over the training data."),
                .int("max-steps", \.maxSteps, "Optimizer steps; overrides --epochs when > 0."),
                .int("batch-size", \.batchSize, "Global batch size (examples per step over all ranks)."),
                .int("eval-batch-size", \.evalBatchSize, "Global batch size for evaluation."),
                .int(
                    "max-length", \.maxLength,
                    "Maximum tokens per example, special tokens included (default: 128, or fewer when the model "
                        + "takes fewer; causal-lm: the block size)."),
                .int(
                    "block-size", \.maxLength,
                    "causal-lm: tokens per block (the same setting as --max-length; default: the model's "
                        + "positions, at most 1024)."),
                .flag("no-shuffle", \.noShuffle, "Keep the training data in file order."),
                .flag("group-by-length", \.groupByLength, "Batch examples of similar length together."),
                .double("learning-rate", \.learningRate, "Peak AdamW learning rate."),
                .choice("lr-scheduler", \.lrScheduler, "Learning-rate schedule after warm-up."),
                .double("warmup-ratio", \.warmupRatio, "Fraction of the steps used for linear warm-up."),
                .double(
                    "warmup-steps", \.warmupSteps,
                    "Warm-up steps; a fraction in (0, 1) is a ratio of the steps, as in transformers 5 (instead of "
                        + "--warmup-ratio)."
                ),
                .double("weight-decay", \.weightDecay, "AdamW decoupled weight decay (not on biases and LayerNorm)."),
                .double("adam-beta1", \.adamBeta1, "AdamW β1."),
                .double("adam-beta2", \.adamBeta2, "AdamW β2."),
                .double("adam-epsilon", \.adamEpsilon, "AdamW ε."),
                .double("max-grad-norm", \.maxGradNorm, "Clip the global gradient norm to this (0: no clipping)."),
                .double("dropout", \.dropout, "Hidden and attention dropout (default: the model config's)."),
                .double("hidden-dropout", \.hiddenDropout, "Dropout after embeddings, attention and feed-forward."),
                .double("attention-dropout", \.attentionDropout, "Dropout on attention probabilities."),
                .double("classifier-dropout", \.classifierDropout, "Dropout before the classifier."),
                .double("l1-penalty", \.l1Penalty, "L1 penalty λ·Σ|w| on the decayed weights."),
                .double("l2-sp-alpha", \.l2SpAlpha, "L2-SP: penalty α/2·‖w − w₀‖² toward the pretrained weights."),
                .double("label-smoothing-factor", \.labelSmoothingFactor, "Label smoothing of the cross-entropy."),
                .flag("freeze-embeddings", \.freezeEmbeddings, "Freeze the embeddings."),
                .int("freeze-layers", \.freezeLayers, "Freeze the lowest K encoder layers (and the embeddings)."),
                .value(
                    "gradual-unfreezing", \.gradualUnfreezing,
                    "Train the head first, then unfreeze one more layer from the top every N steps (or every epoch).",
                    valueName: "N|epoch",
                    expected: "a step count (≥ 1) or \"epoch\""),
                .double(
                    "layer-lr-decay", \.layerLrDecay,
                    "Layer-wise learning-rate decay: each layer down gets the rate above × F."),
                .path(
                    "pooling", \.pooling,
                    "What a sequence head classifies: cls (BERT's pooler on [CLS], as transformers) or mean (mean of "
                        + "the last hidden states, no pooler; not loadable by AutoModelForSequenceClassification). "
                        + "Default: the model's own (cls).",
                    valueName: "cls|mean"),
                .path(
                    "loss", \.loss,
                    "embedding: the loss, multiple-negatives-ranking (anchor, positive, optional negatives; default), "
                        + "multiple-negatives-symmetric-ranking, cosine-similarity (pairs with a score), contrastive "
                        + "or online-contrastive (pairs labelled 0/1), triplet.",
                    valueName: "NAME"),
                .double(
                    "loss-scale", \.lossScale, "embedding: similarity scale of the multiple-negatives losses (20)."),
                .double(
                    "loss-margin", \.lossMargin, "embedding: margin of the contrastive (0.5) and triplet (5) losses."),
                .boolean(
                    "cross-rank-negatives", \.crossRankNegatives,
                    "embedding: score each anchor against the whole global batch, every rank's examples (true), or "
                        + "against its own rank's share only (false: the result then depends on the rank count)."),
                .int(
                    "num-iterations", \.numIterations,
                    "setfit: rounds of pair sampling, each a positive and a negative pair per example (20)."),
                .flag(
                    "reinit-head", \.reinitHead,
                    "Replace the model's classifier with a new one (second-stage fine-tuning on new labels)."),
                .int(
                    "lora-rank", \.loraRank, "LoRA adapters of rank r (0: full fine-tuning); pretrained weights freeze."
                ),
                .double("lora-alpha", \.loraAlpha, "LoRA α (adapter output scaled by α/r)."),
                .path(
                    "lora-targets", \.loraTargets,
                    "LoRA targets, BERT: query,key,value,attention.output.dense,intermediate.dense,output.dense "
                        + "(default query,value); GPT-2: c_attn,attn.c_proj,c_fc,mlp.c_proj (default c_attn).",
                    valueName: "LIST"),
                .double("augment-deletion", \.augmentDeletion, "Augmentation: delete each word with this probability."),
                .double(
                    "augment-swap", \.augmentSwap, "Augmentation: swap random word pairs, this fraction of the words."),
                .double(
                    "augment-insertion", \.augmentInsertion,
                    "Augmentation: insert copies of random words, this fraction of the words."),
                .double(
                    "augment-word-dropout", \.augmentWordDropout,
                    "Augmentation: replace each word by the token below with this probability."),
                .string(
                    "augment-word-dropout-token", \.augmentWordDropoutToken,
                    "Replacement of word dropout: [UNK] or [MASK]."),
                .int(
                    "gradient-accumulation-steps", \.gradientAccumulationSteps,
                    "Micro-batches per optimizer step (no communication between them)."),
                .string(
                    "metric-for-best-model", \.metricForBestModel,
                    "Validation metric that picks the best checkpoint (loss, accuracy, macro_f1, ...)."),
                .optionalBoolean(
                    "greater-is-better", \.greaterIsBetter,
                    "Whether larger values of that metric are better (default: not for losses)."),
                .int(
                    "early-stopping-patience", \.earlyStoppingPatience,
                    "Stop after N evaluations without improvement (0: never)."),
                .double(
                    "early-stopping-threshold", \.earlyStoppingThreshold,
                    "Smallest change that counts as an improvement."),
                .flag(
                    "load-best-model-at-end", \.loadBestModelAtEnd,
                    "Write the best checkpoint's weights as the final model."),
                .int("seed", \.seed, "Seed of the new head, the data order and dropout."),
                .int("logging-steps", \.loggingSteps, "Log loss and throughput every N steps."),
                .string(
                    "report-to", \.reportTo,
                    "Where logs go besides the console: tensorboard, jsonl (metrics.jsonl), html (report.html), all "
                        + "or none; a comma-separated list."),
                .path("logging-dir", \.loggingDir, "TensorBoard event files' directory (default: OUTPUT/runs)."),
                .int("eval-steps", \.evalSteps, "Evaluate every N steps (0: at the end of each epoch)."),
                .int("save-steps", \.saveSteps, "Checkpoint every N steps (0: only at the end)."),
                .int("save-total-limit", \.saveTotalLimit, "Keep at most N checkpoints besides the best (0: all)."),
                .double(
                    "collective-timeout", \.collectiveTimeout,
                    "End the job (status 69) when a rank waits longer than S seconds in one collective, naming the "
                        + "ranks that did not arrive (0: never)."),
                .double(
                    "straggler-threshold", \.stragglerThreshold,
                    "At each logging step, name the slowest rank when its compute per step exceeds the median by this "
                        + "fraction (0: never)."),
                .choice(
                    "on-save-error", \.onSaveError,
                    "When a checkpoint cannot be written (full disk): stop every rank (exit 74) or continue."),
                .path(
                    "resume", \.resume, "Resume from a checkpoint: auto (newest in --output) or a path.",
                    valueName: "auto|PATH"),
                .int("threads", \.threads, "Threads per rank (default: cores per node / ranks per node)."),
                .double("bucket-size-mb", \.bucketSizeMb, "Gradient bucket size for the overlapped allreduce."),
                .boolean(
                    "shard-optimizer", \.shardOptimizer,
                    "Shard the optimizer over ranks (ZeRO-1: reduce-scatter, update a shard, allgather)."),
                .optionalBoolean(
                    "overlap-communication", \.overlapCommunication,
                    "Reduce gradient buckets during the backward pass (default: only across nodes)."),
                .int(
                    "checksum-steps", \.checksumSteps,
                    "Check that all ranks hold identical parameters every N steps (0: never)."),
                .path(
                    "trace-steps", \.traceSteps,
                    "Write a timeline of steps A to B (forward, backward per layer, each bucket's allreduce, waits, "
                        + "optimizer, evaluation, checkpoints; every rank) to OUTPUT/trace.json for Perfetto.",
                    valueName: "A:B"),
            ])
    }
}
