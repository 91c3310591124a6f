import Model

/// The fine-tuning task: what the head predicts, the loss, the metrics, and the Hugging Face
/// class and `problem_type` the model is saved as.
public enum TaskKind: String, CaseIterable, Sendable, Codable {
    /// One label per text (or pair): softmax cross-entropy; accuracy, macro-F1.
    case classification
    /// One number per text (or pair): mean squared error; MSE, Pearson, Spearman.
    case regression
    /// Any set of labels per text: sigmoid + binary cross-entropy; micro/macro F1.
    case multiLabel = "multi-label"
    /// One tag per word (BIO): cross-entropy on each word's first piece; entity-level F1.
    case tokenClassification = "token-classification"

    /// The head on the encoder for `labels` outputs.
    public func head(labels: Int) -> TaskHead {
        self == .tokenClassification ? .tokenClassification(labels: labels) : .sequenceClassification(labels: labels)
    }

    /// `problem_type` in config.json (`nil`: not set, as transformers' token classifiers).
    public var problemType: String? {
        switch self {
        case .classification: "single_label_classification"
        case .regression: "regression"
        case .multiLabel: "multi_label_classification"
        case .tokenClassification: nil
        }
    }
}
