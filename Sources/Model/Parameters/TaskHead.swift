/// The output head put on top of the encoder, and the Hugging Face class that saves it.
public enum TaskHead: Equatable, Sendable {
    /// The bare encoder with its pooler (`BertModel`); keys carry no `bert.` prefix.
    case none
    /// `BertForSequenceClassification`: pooler (tanh) → dropout → `classifier` `[labels, C]`.
    /// One label means regression (MSE), as in transformers.
    case sequenceClassification(labels: Int)
    /// `BertForTokenClassification`: no pooler; dropout → `classifier` on every token.
    case tokenClassification(labels: Int)

    /// Outputs of the classifier (0 for the bare encoder).
    public var labelCount: Int {
        switch self {
        case .none: 0
        case .sequenceClassification(let n), .tokenClassification(let n): n
        }
    }

    /// Whether the encoder's pooler is part of the model.
    public var hasPooler: Bool {
        if case .tokenClassification = self { return false }
        return true
    }

    /// The `architectures` entry of `config.json`.
    public var architecture: String {
        switch self {
        case .none: "BertModel"
        case .sequenceClassification: "BertForSequenceClassification"
        case .tokenClassification: "BertForTokenClassification"
        }
    }

    /// Prefix of the encoder's keys in a checkpoint of this class.
    public var encoderPrefix: String { self == .none ? "" : "bert." }
}
