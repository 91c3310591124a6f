import Foundation
import Model

/// An option value or combination that cannot work, named by its command-line spelling.
public struct OptionError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension TrainingOptions {
    /// Checks every option on its own and against the others, before any rank does work.
    public func validate(worldSize: Int) throws {
        guard let train, !train.isEmpty else {
            throw OptionError("--train is required (a .tsv, .csv or .jsonl file of labelled text)")
        }
        let task = try fineTuningTask()
        if !task.allowsTextAugmentation && augmentation.isEnabled {
            throw OptionError("--augment-* options change words, which would misalign the word tags of \(task.name)")
        }
        if labelSeparator.count != 1 {
            throw OptionError("--label-separator \"\(labelSeparator)\": expected one character")
        }
        if batchSize < 1 { throw OptionError("--batch-size \(batchSize): must be at least 1") }
        if batchSize < worldSize {
            throw OptionError(
                "--batch-size \(batchSize) is smaller than the \(worldSize) ranks: every rank needs at least one "
                    + "example per step (use --batch-size \(worldSize) or more, or fewer ranks)"
            )
        }
        _ = try reportDestinations()
        if evalBatchSize < 1 { throw OptionError("--eval-batch-size \(evalBatchSize): must be at least 1") }
        if let maxLength, maxLength < 2 {
            throw OptionError("--max-length \(maxLength): must be at least 2")
        }
        if epochs <= 0 && maxSteps <= 0 {
            throw OptionError("--epochs \(epochs): must be positive (or give --max-steps)")
        }
        if learningRate <= 0 { throw OptionError("--learning-rate \(learningRate): must be positive") }
        if !(0...1).contains(warmupRatio) {
            throw OptionError("--warmup-ratio \(warmupRatio): must be between 0 and 1")
        }
        if warmupSteps < 0 { throw OptionError("--warmup-steps \(Self.show(warmupSteps)): must not be negative") }
        if warmupSteps >= 1 && warmupSteps != warmupSteps.rounded() {
            throw OptionError(
                "--warmup-steps \(warmupSteps): expected a whole number of steps, or a fraction in [0, 1) of the "
                    + "total steps"
            )
        }
        if warmupSteps > 0 && warmupRatio > 0 {
            throw OptionError("--warmup-steps and --warmup-ratio both given: choose one")
        }
        if weightDecay < 0 { throw OptionError("--weight-decay \(weightDecay): must not be negative") }
        if !(stragglerThreshold >= 0) || !stragglerThreshold.isFinite {
            throw OptionError("--straggler-threshold \(stragglerThreshold): expected a fraction ≥ 0 (0: never)")
        }
        if !(collectiveTimeout >= 0) || !collectiveTimeout.isFinite {
            throw OptionError("--collective-timeout \(collectiveTimeout): expected seconds ≥ 0 (0: never)")
        }
        if !(0..<1).contains(adamBeta1) || !(0..<1).contains(adamBeta2) {
            throw OptionError("--adam-beta1/--adam-beta2 must be in [0, 1)")
        }
        if adamEpsilon <= 0 { throw OptionError("--adam-epsilon \(adamEpsilon): must be positive") }
        if maxGradNorm < 0 {
            throw OptionError("--max-grad-norm \(maxGradNorm): must not be negative (0 disables clipping)")
        }
        if dropout != nil && (hiddenDropout != nil || attentionDropout != nil) {
            throw OptionError(
                "--dropout sets both hidden and attention dropout: do not combine it with --hidden-dropout or "
                    + "--attention-dropout"
            )
        }
        for (name, value) in [
            ("dropout", dropout), ("hidden-dropout", hiddenDropout),
            ("attention-dropout", attentionDropout), ("classifier-dropout", classifierDropout),
        ] {
            if let value, !(0..<1).contains(value) { throw OptionError("--\(name) \(value): must be in [0, 1)") }
        }
        if noShuffle && groupByLength {
            throw OptionError("--no-shuffle and --group-by-length conflict: grouping reorders the data")
        }
        if evalSteps < 0 || saveSteps < 0 || loggingSteps < 1 || saveTotalLimit < 0 || checksumSteps < 0 {
            throw OptionError(
                "--logging-steps must be at least 1; --eval-steps, --save-steps, --save-total-limit and "
                    + "--checksum-steps must not be negative"
            )
        }
        if evalSteps > 0 && validation == nil {
            throw OptionError("--eval-steps \(evalSteps) needs --validation FILE")
        }
        if let threads, threads < 1 { throw OptionError("--threads \(threads): must be at least 1") }
        if traceSteps != nil && traceWindow == nil {
            throw OptionError("--trace-steps \(traceSteps!): expected A:B with 1 ≤ A ≤ B (steps, 1-based)")
        }
        if bucketSizeMb <= 0 { throw OptionError("--bucket-size-mb \(bucketSizeMb): must be positive") }
        if seed < 0 { throw OptionError("--seed \(seed): must not be negative") }
        if l1Penalty < 0 || l2SpAlpha < 0 { throw OptionError("--l1-penalty and --l2-sp-alpha must not be negative") }
        if !(0..<1).contains(labelSmoothingFactor) {
            throw OptionError("--label-smoothing-factor \(labelSmoothingFactor): must be in [0, 1)")
        }
        if freezeLayers < 0 { throw OptionError("--freeze-layers \(freezeLayers): must not be negative") }
        if !(layerLrDecay > 0 && layerLrDecay <= 1) {
            throw OptionError("--layer-lr-decay \(layerLrDecay): must be in (0, 1]")
        }
        if gradientAccumulationSteps < 1 || gradientAccumulationSteps > batchSize {
            throw OptionError(
                "--gradient-accumulation-steps \(gradientAccumulationSteps): must be between 1 and --batch-size "
                    + "(\(batchSize))"
            )
        }
        if batchSize / gradientAccumulationSteps < worldSize {
            throw OptionError(
                "--batch-size \(batchSize) over \(gradientAccumulationSteps) accumulation steps leaves micro-batches "
                    + "of \(batchSize / gradientAccumulationSteps), fewer than the \(worldSize) ranks"
            )
        }
        _ = try loraConfiguration()
        if loraRank > 0 && (freezeLayers > 0 || freezeEmbeddings || gradualUnfreezing != nil) {
            throw OptionError(
                "--lora-rank freezes every pretrained weight already: do not combine it with --freeze-layers, "
                    + "--freeze-embeddings or --gradual-unfreezing"
            )
        }
        if earlyStoppingPatience < 0 {
            throw OptionError("--early-stopping-patience \(earlyStoppingPatience): must not be negative")
        }
        if (earlyStoppingPatience > 0 || loadBestModelAtEnd) && validation == nil {
            throw OptionError("--early-stopping-patience and --load-best-model-at-end need --validation FILE")
        }
        for (name, path) in [("train", train), ("validation", validation)] {
            if let path, !FileManager.default.fileExists(atPath: path) {
                throw OptionError("--\(name) \(path): no such file")
            }
        }
    }
}

extension TrainingOptions {
    /// A number as the command line would spell it: 3 rather than 3.0.
    static func show(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// The metric that picks the best model, as it appears in evaluation records
    /// (`accuracy` → `eval_accuracy`).
    public var bestMetricKey: String {
        metricForBestModel.hasPrefix("eval_") ? metricForBestModel : "eval_" + metricForBestModel
    }

    /// Whether larger values of `bestMetricKey` are better (losses: no, others: yes, unless set).
    public var bestMetricIncreases: Bool { greaterIsBetter ?? !bestMetricKey.hasSuffix("loss") }

    /// The LoRA configuration, or nil without `--lora-rank`.
    /// The LoRA adapters asked for, on `defaultTargets` (the model family's) unless
    /// `--lora-targets` names others.
    public func loraConfiguration(defaultTargets: [LoRATarget] = [.query, .value]) throws -> LoRAConfiguration? {
        guard loraRank > 0 else { return nil }
        guard let loraTargets else {
            guard loraAlpha > 0 else { throw OptionError("--lora-alpha \(loraAlpha): must be positive") }
            return LoRAConfiguration(rank: loraRank, alpha: Float(loraAlpha), targets: defaultTargets)
        }
        var targets: [LoRATarget] = []
        for name in loraTargets.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) })
        where !name.isEmpty {
            guard let target = LoRATarget(rawValue: name) else {
                throw OptionError(
                    "--lora-targets: \"\(name)\" is not one of "
                        + "\(LoRATarget.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            if !targets.contains(target) { targets.append(target) }
        }
        guard !targets.isEmpty else { throw OptionError("--lora-targets is empty") }
        guard loraAlpha > 0 else { throw OptionError("--lora-alpha \(loraAlpha): must be positive") }
        return LoRAConfiguration(rank: loraRank, alpha: Float(loraAlpha), targets: targets)
    }
}
