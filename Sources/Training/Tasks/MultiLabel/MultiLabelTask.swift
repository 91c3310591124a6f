import Foundation
import Model
import Reports
import Text

/// Any set of labels per text (or pair): a sigmoid per label and binary cross-entropy;
/// micro/macro F1 and subset accuracy. Saved as `…ForSequenceClassification` with
/// `problem_type` `multi_label_classification`.
public struct MultiLabelTask: FineTuningTask {
    public init() {}

    public var name: String { "multi-label" }
    public var summary: String { "a set of labels per text or pair: sigmoid + binary cross-entropy; micro/macro F1" }

    public func read(_ path: String, _ request: DataRequest) throws -> TaskData {
        let rows = try MultiLabelDatasetReader.read(
            path, columns: request.readColumns, separator: request.labelSeparator)
        return TaskData(
            labelNames: rows.flatMap { $0.labels.map(Array.init) ?? [] },
            texts: rows.map { ($0.text, $0.pair) }
        ) { labels in
            try Self.encode(rows, file: path, request: request, labelSet: labels!)
        }
    }

    /// Each row's label set becomes a 0/1 vector over `labelSet`.
    static func encode(
        _ rows: [MultiLabelText], file: String, request: DataRequest,
        labelSet: LabelSet
    ) throws -> EncodedDataset {
        let k = labelSet.count
        var hot = [Float](repeating: 0, count: rows.count * k)
        for (i, row) in rows.enumerated() {
            guard let labels = row.labels else {
                if request.requireLabels { throw DataError(file: file, line: row.line, "example has no labels field") }
                continue
            }
            for name in labels {
                guard let id = labelSet.id(of: name) else {
                    throw DataError(file: file, line: row.line, "label \"\(name)\" is not one of \(labelSet)")
                }
                hot[i * k + id] = 1
            }
        }
        var dataset = EncodedDataset(file: file, targets: .multiHot(hot, labelCount: k))
        for row in rows {
            dataset.append(
                request.tokenizer.encode(row.text, pair: row.pair, maxLength: request.maxLength),
                line: row.line)
        }
        return dataset
    }

    /// The distinct labels, sorted as text.
    public func labelSet(inferredFrom names: [String]) -> LabelSet { LabelSet(names: Set(names).sorted()) }

    public func head(labels: Int) -> TaskHead { .sequence(outputs: labels) }
    public var problemType: String? { "multi_label_classification" }
    public var reportCurves: [ReportCurve] {
        [
            ReportCurve(title: "Micro- and macro-F1", keys: ["eval_micro_f1", "eval_macro_f1"]),
            ReportCurve(title: "Subset accuracy", keys: ["eval_subset_accuracy"]),
        ]
    }

    public func isSaved(as config: HuggingFaceConfig) -> Bool {
        TaskHead.sequence(outputs: 0).isSaved(in: config.architectures) && config.problemType == problemType
    }

    public func lossAndGradient(
        _ logits: Logits, batch: PackedBatch, targets: TargetBuffer, labelSmoothing: Float,
        gradScale: Float
    ) -> Double {
        targets.floats.withUnsafeBufferPointer {
            BinaryCrossEntropyWithLogits.forwardBackward(
                logits: logits.values, targets: $0.baseAddress!,
                rows: batch.sequenceCount, labels: logits.outputs,
                gradScale: gradScale, logitsGrad: logits.gradient)
        }
    }

    public func metrics(labels: LabelSet, dataset: EncodedDataset) -> any TaskMetrics {
        MultiLabelAccumulator(metrics: MultiLabelMetrics(labels: labels.count), labels: labels)
    }

    /// Labels with probability ≥ 0.5, every label's probability, the logits.
    public func prediction(_ i: Int, logits row: ArraySlice<Float>, context: PredictionContext) -> String {
        let values = Array(row)
        let probabilities = values.map { 1 / (1 + Foundation.exp(-Double($0))) }
        let chosen = zip(context.labels.names, probabilities).filter { $0.1 >= 0.5 }.map { PredictionJSON.string($0.0) }
        return PredictionJSON.members([
            ("labels", "[" + chosen.joined(separator: ", ") + "]"),
            ("probabilities", PredictionJSON.list(probabilities)),
            ("logits", PredictionJSON.list(values)),
        ])
    }
}

/// Per-label decision counts over this rank's share; see `MultiLabelMetrics`.
struct MultiLabelAccumulator: TaskMetrics {
    var metrics: MultiLabelMetrics
    let labels: LabelSet

    mutating func record(
        _ logits: UnsafePointer<Float>, outputs: Int, batch: PackedBatch, targets: TargetBuffer,
        examples: Range<Int>
    ) {
        targets.floats.withUnsafeBufferPointer {
            metrics.record(logits: logits, targets: $0.baseAddress!, rows: examples.count)
        }
    }

    var partialSums: [Double] { metrics.counts.map(Double.init) }

    func report(sums: [Double], lossSum: Double) -> EvaluationReport {
        let m = MultiLabelMetrics(labels: metrics.labels, counts: [Int](counts: sums), lossSum: lossSum)
        var values: [String: Double] = [
            "eval_loss": m.loss, "eval_micro_f1": m.microF1, "eval_macro_f1": m.macroF1,
            "eval_micro_precision": m.microPrecision, "eval_micro_recall": m.microRecall,
            "eval_subset_accuracy": m.subsetAccuracy, "eval_hamming_loss": m.hammingLoss,
            "eval_samples": Double(m.examples),
        ]
        var lines = [
            String(
                format: "loss %.4f  micro-F1 %.4f  macro-F1 %.4f  subset accuracy %.4f  (%d examples)",
                m.loss, m.microF1, m.macroF1, m.subsetAccuracy, m.examples)
        ]
        for (j, name) in labels.names.enumerated() {
            values["eval_f1_\(name)"] = m.f1(j)
            lines.append(
                String(
                    format: "  %@: precision %.4f  recall %.4f  F1 %.4f",
                    name, m.precision(j), m.recall(j), m.f1(j)))
        }
        return EvaluationReport(values: values, lines: lines)
    }
}
