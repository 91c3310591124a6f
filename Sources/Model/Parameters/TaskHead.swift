/// The output head put on top of the encoder — its shape, not the task it serves — and the
/// Hugging Face class that saves it (the same class serves several tasks, told apart by
/// `problem_type`).
public enum TaskHead: Equatable, Sendable {
    /// The bare encoder with its pooler (`BertModel`); keys carry no `bert.` prefix.
    case none
    /// One output row per sequence (`…ForSequenceClassification`): pooler (tanh) → dropout →
    /// `classifier` `[outputs, C]`.
    case sequence(outputs: Int)
    /// One output row per token (`…ForTokenClassification`): no pooler; dropout →
    /// `classifier` on every token.
    case token(outputs: Int)

    /// Outputs of the classifier (0 for the bare encoder).
    public var labelCount: Int {
        switch self {
        case .none: 0
        case .sequence(let n), .token(let n): n
        }
    }

    /// Whether the head has a row per token (else one per sequence).
    public var isPerToken: Bool {
        if case .token = self { return true }
        return false
    }

    /// Whether the encoder's pooler is part of the model.
    public var hasPooler: Bool { !isPerToken }

    /// What follows the family's name in the `architectures` entry of `config.json`.
    public var architectureSuffix: String {
        switch self {
        case .none: "Model"
        case .sequence: "ForSequenceClassification"
        case .token: "ForTokenClassification"
        }
    }

    /// The `architectures` entry of `config.json`.
    public var architecture: String { "Bert" + architectureSuffix }

    /// Prefix of the encoder's keys in a checkpoint of this class.
    public var encoderPrefix: String { self == .none ? "" : "bert." }

    /// Whether `config`'s architectures hold a head of this shape (any family, any outputs).
    public func isSaved(in architectures: [String]) -> Bool {
        self == .none ? true : architectures.contains { $0.hasSuffix(architectureSuffix) }
    }
}
