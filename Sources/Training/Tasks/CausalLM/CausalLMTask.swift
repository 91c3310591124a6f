import Foundation
import JSON
import Model
import Reports
import Text

/// Next-token prediction on text (`--task causal-lm`): documents concatenated and cut into
/// blocks of `--block-size` tokens, or prompt/completion rows learning only the completion
/// (`LanguageModelingData`); cross-entropy over the vocabulary at every predicted position,
/// the mean over the global batch's predicted tokens; perplexity. Saved as
/// `…LMHeadModel` (the language-model head tied to the word embeddings).
public struct CausalLMTask: FineTuningTask {
    public init() {}

    public var name: String { "causal-lm" }
    public var summary: String {
        "next-token prediction on .txt documents or .jsonl text / prompt+completion: cross-entropy; perplexity"
    }

    public func read(_ path: String, _ request: DataRequest) throws -> TaskData {
        let corpus = try DocumentReader.read(path)
        let tokenizer = request.tokenizer
        guard let eos = tokenizer.specialIds.eos else {
            throw DataError(
                file: path,
                "the tokenizer defines no end-of-text token (eos_token), which separates documents for causal-lm")
        }
        return TaskData(labelNames: [], texts: []) { _ in
            switch corpus {
            case .documents(let documents):
                try LanguageModelingData.blocks(
                    documents, file: path, tokenize: tokenizer.ids, eos: eos, blockSize: request.maxLength)
            case .pairs(let pairs):
                try LanguageModelingData.pairs(
                    pairs, file: path, tokenize: tokenizer.ids, eos: eos, blockSize: request.maxLength)
            }
        }
    }

    /// No labels: the outputs are the vocabulary.
    public func labelSet(inferredFrom names: [String]) -> LabelSet { LabelSet(names: []) }
    public var minimumLabels: Int { 0 }
    /// Word-level edits would change the text the targets are made of.
    public var allowsTextAugmentation: Bool { false }

    /// Blocks as long as the model takes, at most 1024 tokens (transformers' `run_clm`).
    public func defaultMaxLength(modelPositions: Int) -> Int { min(1024, modelPositions) }

    public func head(labels: Int) -> TaskHead { .languageModel }
    public var problemType: String? { nil }
    public var reportCurves: [ReportCurve] { [ReportCurve(title: "Perplexity", keys: ["perplexity"])] }

    public func isSaved(as config: HuggingFaceConfig) -> Bool {
        TaskHead.languageModel.isSaved(in: config.architectures)
    }

    /// The language-model head is the model's own (tied to its embeddings): always kept.
    public func labelsKeepingHead(inferred: LabelSet, saved: [String]) -> LabelSet? { inferred }

    public func lossAndGradient(
        _ logits: Logits, batch: PackedBatch, targets: TargetBuffer, labelSmoothing: Float,
        gradScale: Float
    ) -> Double {
        logits.crossEntropy(
            rows: batch.tokenCount, targets: targets, labelSmoothing: labelSmoothing, gradScale: gradScale)
    }

    public func metrics(labels: LabelSet, dataset: EncodedDataset) -> any TaskMetrics {
        PerplexityAccumulator()
    }

    /// The example's mean negative log-likelihood over its predicted tokens, and perplexity.
    public func prediction(_ i: Int, logits: ArraySlice<Float>, context: PredictionContext) -> String {
        guard case .tokens(let labels) = context.dataset.targets else {
            preconditionFailure("causal-lm data without token targets")
        }
        let rows = context.dataset.length(i)
        let vocabulary = logits.count / max(rows, 1)
        var nll = 0.0, predicted = 0
        logits.withUnsafeBufferPointer { values in
            for r in 0..<rows {
                let target = Int(labels[context.dataset.offsets[i] + r])
                guard target >= 0 else { continue }
                let row = UnsafeBufferPointer(rebasing: values[(r * vocabulary)..<((r + 1) * vocabulary)])
                nll += PerplexityAccumulator.negativeLogLikelihood(row, target: target)
                predicted += 1
            }
        }
        let mean = predicted > 0 ? nll / Double(predicted) : 0
        return PredictionJSON.members([
            ("loss", JSON.number(mean)), ("perplexity", JSON.number(exp(mean))),
            ("predicted_tokens", "\(predicted)"),
        ])
    }
}

/// Counts the predicted tokens (the loss is summed by the evaluator): `eval_loss` is the mean
/// negative log-likelihood per predicted token over every rank, `perplexity` its exponential.
struct PerplexityAccumulator: TaskMetrics {
    var predictedTokens = 0

    mutating func record(
        _ logits: UnsafePointer<Float>, outputs: Int, batch: PackedBatch, targets: TargetBuffer,
        examples: Range<Int>
    ) {
        for t in 0..<batch.tokenCount where targets.integers[t] >= 0 { predictedTokens += 1 }
    }

    var partialSums: [Double] { [Double(predictedTokens)] }

    func report(sums: [Double], lossSum: Double) -> EvaluationReport {
        let tokens = Int(sums[0])
        let loss = tokens > 0 ? lossSum / Double(tokens) : 0
        return EvaluationReport(
            values: ["eval_loss": loss, "perplexity": exp(loss), "eval_tokens": Double(tokens)],
            lines: [String(format: "loss %.4f  perplexity %.3f  (%d predicted tokens)", loss, exp(loss), tokens)])
    }

    /// `log Σ exp(row) − row[target]`, in `Double`.
    static func negativeLogLikelihood(_ row: UnsafeBufferPointer<Float>, target: Int) -> Double {
        let largest = Double(row.max() ?? 0)
        var sum = 0.0
        for value in row { sum += exp(Double(value) - largest) }
        return largest + log(sum) - Double(row[target])
    }
}
