import Foundation
import Model
import Reports
import Text

/// One label per text (or sentence pair): softmax cross-entropy over the classes, accuracy
/// and F1; saved as `…ForSequenceClassification` with `problem_type`
/// `single_label_classification`.
public struct ClassificationTask: FineTuningTask {
    public init() {}

    public var name: String { "classification" }
    public var summary: String { "one label per text or pair: cross-entropy; accuracy, macro-F1" }

    public func read(_ path: String, _ request: DataRequest) throws -> TaskData {
        let rows = try TextDatasetReader.read(path, columns: request.readColumns)
        return TaskData(labelNames: rows.compactMap(\.label), texts: rows.map { ($0.text, $0.pair) }) { labels in
            try Self.encode(rows, file: path, request: request, labelSet: labels)
        }
    }

    /// Tokenises `rows` and maps each label through `labelSet`: a label outside it is an
    /// error naming the file and line; unlabelled rows (prediction input) get class −1.
    static func encode(
        _ rows: [LabelledText], file: String, request: DataRequest,
        labelSet: LabelSet?
    ) throws -> EncodedDataset {
        var classes: [Int32] = []
        classes.reserveCapacity(rows.count)
        for row in rows {
            if let name = row.label, let labelSet {
                guard let id = labelSet.id(of: name) else {
                    throw DataError(file: file, line: row.line, "label \"\(name)\" is not one of \(labelSet)")
                }
                classes.append(Int32(id))
            } else if request.requireLabels {
                throw DataError(file: file, line: row.line, "example has no label")
            } else {
                classes.append(-1)
            }
        }
        return EncodedDataset.tokenized(
            rows, file: file, tokenizer: request.tokenizer, maxLength: request.maxLength,
            targets: .classes(classes))
    }

    /// Integers sorted numerically ("0", "1", "2", "10"), anything else as text.
    public func labelSet(inferredFrom names: [String]) -> LabelSet { LabelSet.infer(from: names) }

    public func head(labels: Int) -> TaskHead { .sequence(outputs: labels) }
    public var problemType: String? { "single_label_classification" }
    public var reportCurves: [ReportCurve] {
        [ReportCurve(title: "Accuracy and macro-F1", keys: ["eval_accuracy", "eval_macro_f1"])]
    }

    public func isSaved(as config: HuggingFaceConfig) -> Bool {
        TaskHead.sequence(outputs: 0).isSaved(in: config.architectures)
            && (config.problemType ?? (config.labels.count >= 2 ? problemType : nil)) == problemType
            && config.labels.count >= 2
    }

    public func lossAndGradient(
        _ logits: Logits, batch: PackedBatch, targets: TargetBuffer, labelSmoothing: Float,
        gradScale: Float
    ) -> Double {
        logits.crossEntropy(
            rows: batch.sequenceCount, targets: targets, labelSmoothing: labelSmoothing, gradScale: gradScale)
    }

    public func metrics(labels: LabelSet, dataset: EncodedDataset) -> any TaskMetrics {
        ClassificationAccumulator(metrics: ClassificationMetrics(classes: labels.count), labels: labels)
    }

    public func prediction(_ i: Int, logits row: ArraySlice<Float>, context: PredictionContext) -> String {
        let values = Array(row)
        let best = Evaluator.argmax(values, count: values.count)
        return PredictionJSON.members([
            ("label", PredictionJSON.string(context.labels.names[best])),
            ("probabilities", PredictionJSON.list(PredictionJSON.softmax(values))),
            ("logits", PredictionJSON.list(values)),
        ])
    }
}

/// Confusion-matrix counts over this rank's share; see `ClassificationMetrics`.
struct ClassificationAccumulator: TaskMetrics {
    var metrics: ClassificationMetrics
    let labels: LabelSet

    mutating func record(
        _ logits: UnsafePointer<Float>, outputs k: Int, batch: PackedBatch, targets: TargetBuffer,
        examples: Range<Int>
    ) {
        for r in 0..<examples.count {
            metrics.record(truth: Int(targets.integers[r]), predicted: Evaluator.argmax(logits + r * k, count: k))
        }
    }

    var partialSums: [Double] { metrics.counts.map(Double.init) }

    func report(sums: [Double], lossSum: Double) -> EvaluationReport {
        let m = ClassificationMetrics(classes: metrics.classes, counts: [Int](counts: sums), lossSum: lossSum)
        var values: [String: Double] = [
            "eval_loss": m.loss, "eval_accuracy": m.accuracy, "eval_macro_f1": m.macroF1,
            "eval_samples": Double(m.total),
        ]
        var perClass: [[String]] = []
        var lines = [
            String(
                format: "loss %.4f  accuracy %.4f  macro-F1 %.4f  (%d examples)",
                m.loss, m.accuracy, m.macroF1, m.total)
        ]
        for (c, name) in labels.names.enumerated() {
            values["eval_precision_\(name)"] = m.precision(c)
            values["eval_recall_\(name)"] = m.recall(c)
            values["eval_f1_\(name)"] = m.f1(c)
            lines.append(
                String(
                    format: "  %@: precision %.4f  recall %.4f  F1 %.4f",
                    name, m.precision(c), m.recall(c), m.f1(c)))
            let support = (0..<m.classes).reduce(0) { $0 + m.counts[c * m.classes + $1] }
            perClass.append([name] + [m.precision(c), m.recall(c), m.f1(c)].map(HTMLReport.number) + ["\(support)"])
        }
        return EvaluationReport(
            values: values, lines: lines,
            sections: [
                .confusionMatrix(title: "Confusion matrix", labels: labels.names, counts: m.counts),
                .table(
                    title: "Per class", columns: ["class", "precision", "recall", "F1", "examples"], rows: perClass),
            ])
    }
}
