import Foundation

/// The record values and summary lines of each task's metrics.
extension Evaluator {
    static func report(_ m: ClassificationMetrics, labels: LabelSet) -> EvaluationReport {
        var values: [String: Double] = ["eval_loss": m.loss, "eval_accuracy": m.accuracy, "eval_macro_f1": m.macroF1,
                                        "eval_samples": Double(m.total)]
        var lines = [String(format: "loss %.4f  accuracy %.4f  macro-F1 %.4f  (%d examples)", m.loss, m.accuracy, m.macroF1, m.total)]
        for (c, name) in labels.names.enumerated() {
            values["eval_precision_\(name)"] = m.precision(c)
            values["eval_recall_\(name)"] = m.recall(c)
            values["eval_f1_\(name)"] = m.f1(c)
            lines.append(String(format: "  %@: precision %.4f  recall %.4f  F1 %.4f", name, m.precision(c), m.recall(c), m.f1(c)))
        }
        return EvaluationReport(values: values, lines: lines)
    }

    static func report(_ m: MultiLabelMetrics, labels: LabelSet) -> EvaluationReport {
        var values: [String: Double] = [
            "eval_loss": m.loss, "eval_micro_f1": m.microF1, "eval_macro_f1": m.macroF1,
            "eval_micro_precision": m.microPrecision, "eval_micro_recall": m.microRecall,
            "eval_subset_accuracy": m.subsetAccuracy, "eval_hamming_loss": m.hammingLoss, "eval_samples": Double(m.examples),
        ]
        var lines = [String(format: "loss %.4f  micro-F1 %.4f  macro-F1 %.4f  subset accuracy %.4f  (%d examples)",
                            m.loss, m.microF1, m.macroF1, m.subsetAccuracy, m.examples)]
        for (j, name) in labels.names.enumerated() {
            values["eval_f1_\(name)"] = m.f1(j)
            lines.append(String(format: "  %@: precision %.4f  recall %.4f  F1 %.4f", name, m.precision(j), m.recall(j), m.f1(j)))
        }
        return EvaluationReport(values: values, lines: lines)
    }

    static func report(_ m: EntityMetrics) -> EvaluationReport {
        var values = ["eval_loss": m.loss, "eval_samples": Double(m.words)]
        for (key, value) in m.values { values["eval_" + key] = value }
        var lines = [String(format: "loss %.4f  entity F1 %.4f  precision %.4f  recall %.4f  word accuracy %.4f  (%d words)",
                            m.loss, m.microF1, m.microPrecision, m.microRecall, m.accuracy, m.words)]
        for t in m.occurringTypes {
            lines.append(String(format: "  %@: precision %.4f  recall %.4f  F1 %.4f  (%d)", m.types[t], m.precision(t), m.recall(t), m.f1(t), m.gold(t)))
        }
        return EvaluationReport(values: values, lines: lines)
    }

    static func report(_ m: RegressionMetrics) -> EvaluationReport {
        EvaluationReport(
            values: ["eval_loss": m.meanSquaredError, "eval_mse": m.meanSquaredError, "eval_pearson": m.pearson,
                     "eval_spearman": m.spearman, "eval_samples": Double(m.count)],
            lines: [String(format: "MSE %.4f  Pearson %.4f  Spearman %.4f  (%d examples)", m.meanSquaredError, m.pearson, m.spearman, m.count)])
    }
}
