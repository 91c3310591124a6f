import Foundation
import Training

/// `ddp-train train`: the options table over `TrainingOptions`.
enum TrainCommand {
    static var parser: OptionParser<TrainingOptions> { OptionParser<TrainingOptions>(
        command: "train",
        summary: """
        Fine-tunes a pretrained BERT-family model (Hugging Face format) for text classification,
        data-parallel over the MPI ranks it is started with (mpirun -np N ddp-train train ...).
        --batch-size is the global batch, summed over ranks: results do not depend on the rank count.
        """,
        options: [
            .configFile(),
            .path("model", \.model, "Pretrained or fine-tuned model directory (config.json, model.safetensors, tokenizer)."),
            .path("train", \.train, "Training data: .tsv, .csv or .jsonl with a text and a label column."),
            .path("validation", \.validation, "Validation data, same format; evaluated every --eval-steps and at the end."),
            .path("output", \.output, "Output directory: checkpoints, metrics.jsonl and the final model."),
            .path("text-column", \.textColumn, "Text column name or 0-based index (default: detected, GLUE-style).", valueName: "NAME"),
            .path("text-pair-column", \.textPairColumn, "Second text column for sentence pairs.", valueName: "NAME"),
            .path("label-column", \.labelColumn, "Label column name or index (default: detected).", valueName: "NAME"),
            .double("epochs", \.epochs, "Passes over the training data."),
            .int("max-steps", \.maxSteps, "Optimizer steps; overrides --epochs when > 0."),
            .int("batch-size", \.batchSize, "Global batch size (examples per step over all ranks)."),
            .int("eval-batch-size", \.evalBatchSize, "Global batch size for evaluation."),
            .int("max-length", \.maxLength, "Maximum tokens per example, [CLS] and [SEP] included."),
            .flag("no-shuffle", \.noShuffle, "Keep the training data in file order."),
            .flag("group-by-length", \.groupByLength, "Batch examples of similar length together."),
            .double("learning-rate", \.learningRate, "Peak AdamW learning rate."),
            .choice("lr-scheduler", \.lrScheduler, ["linear", "cosine", "constant", "slanted_triangular"], "Learning-rate schedule after warm-up."),
            .double("warmup-ratio", \.warmupRatio, "Fraction of the steps used for linear warm-up."),
            .int("warmup-steps", \.warmupSteps, "Warm-up steps (instead of --warmup-ratio)."),
            .double("weight-decay", \.weightDecay, "AdamW decoupled weight decay (not on biases and LayerNorm)."),
            .double("adam-beta1", \.adamBeta1, "AdamW β1."),
            .double("adam-beta2", \.adamBeta2, "AdamW β2."),
            .double("adam-epsilon", \.adamEpsilon, "AdamW ε."),
            .double("max-grad-norm", \.maxGradNorm, "Clip the global gradient norm to this (0: no clipping)."),
            .double("dropout", \.dropout, "Hidden and attention dropout (default: the model config's)."),
            .double("hidden-dropout", \.hiddenDropout, "Dropout after embeddings, attention and feed-forward."),
            .double("attention-dropout", \.attentionDropout, "Dropout on attention probabilities."),
            .double("classifier-dropout", \.classifierDropout, "Dropout before the classifier."),
            .int("seed", \.seed, "Seed of the new head, the data order and dropout."),
            .int("logging-steps", \.loggingSteps, "Log loss and throughput every N steps."),
            .int("eval-steps", \.evalSteps, "Evaluate every N steps (0: at the end of each epoch)."),
            .int("save-steps", \.saveSteps, "Checkpoint every N steps (0: only at the end)."),
            .int("save-total-limit", \.saveTotalLimit, "Keep at most N checkpoints besides the best (0: all)."),
            .path("resume", \.resume, "Resume from a checkpoint: auto (newest in --output) or a path.", valueName: "auto|PATH"),
            .int("threads", \.threads, "Threads per rank (default: cores per node / ranks per node)."),
            .double("bucket-size-mb", \.bucketSizeMb, "Gradient bucket size for the overlapped allreduce."),
            .boolean("overlap-communication", \.overlapCommunication, "Reduce gradient buckets during the backward pass (false: one allreduce after it)."),
            .int("checksum-steps", \.checksumSteps, "Check that all ranks hold identical parameters every N steps (0: never)."),
        ]) }
}
