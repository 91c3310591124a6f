/// The output head put on top of a family's body — its shape, not the task it serves — and
/// the part of the Hugging Face class name that says it (the same class serves several
/// tasks, told apart by `problem_type`). The family supplies the rest of the class name
/// (`ModelFamily.classPrefix`) and the key prefix of its body.
public enum TaskHead: Equatable, Sendable {
    /// The bare body (`BertModel` with its pooler, `GPT2Model`); keys carry no body prefix.
    case none
    /// One output row per sequence (`…ForSequenceClassification`). BERT: pooler (tanh) →
    /// dropout → `classifier` `[outputs, C]`; GPT-2: `score` `[outputs, C]` without bias on
    /// each sequence's last token.
    case sequence(outputs: Int)
    /// One output row per token (`…ForTokenClassification`): dropout → `classifier` on every
    /// token (BERT without its pooler).
    case token(outputs: Int)
    /// Next-token logits over the vocabulary on every token (`GPT2LMHeadModel`): the final
    /// hidden state times the token-embedding table (tied) or `lm_head.weight`.
    case languageModel
    /// One sentence embedding per sequence: the last hidden state pooled (and normalised) as
    /// `SentencePooling` says — a sentence-transformers model. Saved as the bare body
    /// (`BertModel`, no key prefix, no pooler: sentence-transformers does not use it), with
    /// the pipeline in `modules.json` beside it.
    case embedding(SentencePooling)

    /// Outputs of the classifier (0 for the bare body and the language-model head, whose
    /// outputs are the vocabulary, not labels).
    public var labelCount: Int {
        switch self {
        case .none, .languageModel, .embedding: 0
        case .sequence(let n), .token(let n): n
        }
    }

    /// Whether the head has a row per token (else one per sequence).
    public var isPerToken: Bool {
        switch self {
        case .token, .languageModel: true
        case .none, .sequence, .embedding: false
        }
    }

    /// Whether BERT's pooler is part of the model.
    public var hasPooler: Bool {
        switch self {
        case .none, .sequence: true
        case .token, .languageModel, .embedding: false
        }
    }

    /// Whether the model is saved as the bare body (`BertModel`: keys without the family's
    /// body prefix).
    public var savesBareBody: Bool {
        switch self {
        case .none, .embedding: true
        case .sequence, .token, .languageModel: false
        }
    }

    /// The pooling of an embedding head, nil for the others.
    public var sentencePooling: SentencePooling? {
        if case .embedding(let pooling) = self { return pooling }
        return nil
    }

    /// What follows the family's name in the `architectures` entry of `config.json`.
    public var architectureSuffix: String {
        switch self {
        case .none, .embedding: "Model"
        case .sequence: "ForSequenceClassification"
        case .token: "ForTokenClassification"
        case .languageModel: "LMHeadModel"
        }
    }

    /// PEFT's `task_type` for adapters trained with this head.
    public var peftTaskType: String {
        switch self {
        case .languageModel: "CAUSAL_LM"
        case .token: "TOKEN_CLS"
        case .embedding: "FEATURE_EXTRACTION"
        case .none, .sequence: "SEQ_CLS"
        }
    }

    /// The `architectures` entry of `config.json` for this head on `family`
    /// (`BertForSequenceClassification`, `GPT2LMHeadModel`).
    public func architecture(in family: any ModelFamily) -> String { family.classPrefix + architectureSuffix }

    /// Whether `config`'s architectures hold a head of this shape (any family, any outputs).
    public func isSaved(in architectures: [String]) -> Bool {
        savesBareBody ? true : architectures.contains { $0.hasSuffix(architectureSuffix) }
    }
}
