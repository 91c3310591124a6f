import Foundation
import Model
import Reports
import Text

/// One number per text (or pair): mean squared error; MSE, Pearson and Spearman. Saved as
/// `…ForSequenceClassification` with one output and `problem_type` `regression`.
public struct RegressionTask: FineTuningTask {
    public init() {}

    public var name: String { "regression" }
    public var summary: String { "one number per text or pair: mean squared error; MSE, Pearson, Spearman" }

    public func read(_ path: String, _ request: DataRequest) throws -> TaskData {
        let rows = try TextDatasetReader.read(path, columns: request.readColumns)
        return TaskData(labelNames: [], texts: rows.map { ($0.text, $0.pair) }) { _ in
            try Self.encode(rows, file: path, request: request)
        }
    }

    /// The label field of each row must be a finite number (NaN marks unlabelled input).
    static func encode(_ rows: [LabelledText], file: String, request: DataRequest) throws -> EncodedDataset {
        var values: [Float] = []
        values.reserveCapacity(rows.count)
        for row in rows {
            guard let text = row.label else {
                if request.requireLabels { throw DataError(file: file, line: row.line, "example has no value") }
                values.append(.nan)
                continue
            }
            guard let value = Float(text), value.isFinite else {
                throw DataError(
                    file: file, line: row.line,
                    "label \"\(text)\" is not a number (regression needs one number per example)")
            }
            values.append(value)
        }
        return EncodedDataset.tokenized(
            rows, file: file, tokenizer: request.tokenizer, maxLength: request.maxLength,
            targets: .values(values))
    }

    /// One output, named as transformers names it.
    public func labelSet(inferredFrom names: [String]) -> LabelSet { LabelSet(names: ["LABEL_0"]) }
    public var minimumLabels: Int { 1 }

    public func head(labels: Int) -> TaskHead { .sequence(outputs: labels) }
    public var problemType: String? { "regression" }
    public var reportCurves: [ReportCurve] {
        [
            ReportCurve(title: "Pearson and Spearman correlation", keys: ["eval_pearson", "eval_spearman"]),
            ReportCurve(title: "Mean squared error", keys: ["eval_mse"]),
        ]
    }

    public func isSaved(as config: HuggingFaceConfig) -> Bool {
        TaskHead.sequence(outputs: 0).isSaved(in: config.architectures)
            && (config.problemType ?? (config.labels.count == 1 ? problemType : nil)) == problemType
    }

    /// A regression head is kept when it has one output.
    public func labelsKeepingHead(inferred: LabelSet, saved: [String]) -> LabelSet? {
        saved.count == 1 ? inferred : nil
    }

    public func lossAndGradient(
        _ logits: Logits, batch: PackedBatch, targets: TargetBuffer, labelSmoothing: Float,
        gradScale: Float
    ) -> Double {
        targets.floats.withUnsafeBufferPointer {
            MeanSquaredError.forwardBackward(
                predictions: logits.values, targets: $0.baseAddress!,
                count: batch.sequenceCount, gradScale: gradScale,
                predictionsGrad: logits.gradient)
        }
    }

    public func metrics(labels: LabelSet, dataset: EncodedDataset) -> any TaskMetrics {
        guard case .values(let truth) = dataset.targets else { preconditionFailure("regression data without values") }
        return RegressionAccumulator(predictions: [Float](repeating: 0, count: dataset.count), truth: truth)
    }

    public func prediction(_ i: Int, logits row: ArraySlice<Float>, context: PredictionContext) -> String {
        let value = row[row.startIndex]
        return PredictionJSON.members([("value", "\(value)"), ("logits", "[\(value)]")])
    }
}

/// The correlations need every prediction at once: each rank writes its examples'
/// predictions at their indices (zero elsewhere) and the sum over ranks gathers them.
struct RegressionAccumulator: TaskMetrics {
    var predictions: [Float]
    let truth: [Float]

    mutating func record(
        _ logits: UnsafePointer<Float>, outputs: Int, batch: PackedBatch, targets: TargetBuffer,
        examples: Range<Int>
    ) {
        for (r, i) in examples.enumerated() { predictions[i] = logits[r] }
    }

    var partialSums: [Double] { predictions.map(Double.init) }

    func report(sums: [Double], lossSum: Double) -> EvaluationReport {
        let m = RegressionMetrics(predictions: sums.map(Float.init), targets: truth)
        return EvaluationReport(
            values: [
                "eval_loss": m.meanSquaredError, "eval_mse": m.meanSquaredError, "eval_pearson": m.pearson,
                "eval_spearman": m.spearman, "eval_samples": Double(m.count),
            ],
            lines: [
                String(
                    format: "MSE %.4f  Pearson %.4f  Spearman %.4f  (%d examples)",
                    m.meanSquaredError, m.pearson, m.spearman, m.count)
            ],
            sections: [
                .scatter(
                    title: "Predicted against gold", xLabel: "gold value", yLabel: "predicted value",
                    x: truth.map(Double.init), y: sums)
            ])
    }
}
