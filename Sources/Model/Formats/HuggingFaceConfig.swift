// Reading and writing a Hugging Face `config.json`: the fields every family shares here,
// the family's own in `<Family>Config+HuggingFace.swift`.

import JSON

/// The architecture fields of the one model family a `config.json` describes.
///
/// An enum rather than one optional per family: a config is exactly one family's, so the
/// type says so (never both, never neither); `Equatable` and `Sendable` come for free; and
/// every family-dependent question (`vocabSize`, `maxPositions`, dropout, writing) is one
/// exhaustive `switch` in this file, so the compiler lists each place a new family must
/// answer. Adding a family is a case here, its `FamilyConfig` reader, and its line in
/// `ModelFamilies.all`.
public enum FamilyConfig: Equatable, Sendable {
    case bert(BertConfig)
    case gpt2(GPT2Config)

    /// `model_type`.
    public var modelType: String {
        switch self {
        case .bert: "bert"
        case .gpt2: "gpt2"
        }
    }

    /// Reads the family named by `modelType` (already checked against `ModelFamilies`).
    static func read(modelType: String, _ fields: inout ConfigFields) throws(HuggingFaceConfigError) -> FamilyConfig {
        switch modelType {
        case "gpt2": .gpt2(try GPT2Config(reading: &fields))
        default: .bert(try BertConfig(reading: &fields))
        }
    }

    /// The family's members of `config.json`, checked as reading checks them.
    func members(file: String) throws(HuggingFaceConfigError) -> [JSONMember] {
        switch self {
        case .bert(let bert): try bert.members(file: file)
        case .gpt2(let gpt2): try gpt2.members(file: file)
        }
    }
}

/// A `config.json`: the family's architecture (`family`), what every family shares (the
/// `architectures` list, labels, `problem_type`), and every field this project does not
/// interpret, kept so that rewriting a config loses nothing a transformers user relies on
/// (`_name_or_path`, `transformers_version`, `initializer_range`, …).
public struct HuggingFaceConfig: Equatable, Sendable {
    /// The family and its fields.
    public var family: FamilyConfig
    /// `architectures`, e.g. `["BertModel"]` or `["GPT2LMHeadModel"]`; empty when the file
    /// has none. Written back as given.
    public var architectures: [String]
    /// `id2label`, in label-id order; empty for a model without a labelled head.
    public var labels: [String]
    /// `problem_type`: `single_label_classification`, `multi_label_classification` or
    /// `regression`; `nil` when the checkpoint does not say.
    public var problemType: String?
    /// Uninterpreted fields sorted by key (so equality ignores file order); written back
    /// unchanged.
    var preserved: [JSONMember]

    /// The `problem_type` values transformers knows.
    public static let problemTypes = ["single_label_classification", "multi_label_classification", "regression"]

    /// A config with no preserved fields, e.g. for a model built from scratch.
    public init(family: FamilyConfig, architectures: [String], labels: [String] = [], problemType: String? = nil) {
        self.family = family
        self.architectures = architectures
        self.labels = labels
        self.problemType = problemType
        self.preserved = []
    }

    /// A BERT config with no preserved fields.
    public init(bert: BertConfig, architectures: [String], labels: [String] = [], problemType: String? = nil) {
        self.init(family: .bert(bert), architectures: architectures, labels: labels, problemType: problemType)
    }

    // MARK: What every family has

    /// `model_type`: which `ModelFamily` reads the model (BERT when the file has none).
    public var modelType: String { family.modelType }

    /// The BERT fields, when this is a BERT config (settable: `config.bert?.layerNormEps = …`).
    public var bert: BertConfig? {
        get { if case .bert(let c) = family { c } else { nil } }
        set { if let newValue { family = .bert(newValue) } }
    }

    /// The GPT-2 fields, when this is a GPT-2 config.
    public var gpt2: GPT2Config? {
        get { if case .gpt2(let c) = family { c } else { nil } }
        set { if let newValue { family = .gpt2(newValue) } }
    }

    /// Rows of the token-embedding table.
    public var vocabSize: Int {
        switch family {
        case .bert(let c): c.vocabSize
        case .gpt2(let c): c.vocabSize
        }
    }

    /// The longest input the model accepts (`max_position_embeddings`, `n_positions`).
    public var maxPositions: Int {
        switch family {
        case .bert(let c): c.maxPositionEmbeddings
        case .gpt2(let c): c.nPositions
        }
    }

    /// The key `maxPositions` is read from, for messages.
    public var maxPositionsKey: String {
        switch family {
        case .bert: "max_position_embeddings"
        case .gpt2: "n_positions"
        }
    }

    /// Transformer layers (blocks).
    public var layerCount: Int {
        switch family {
        case .bert(let c): c.numHiddenLayers
        case .gpt2(let c): c.nLayer
        }
    }

    /// `pad_token_id`, `bos_token_id`, `eos_token_id` (nil where the family has none).
    public var padTokenId: Int? {
        switch family {
        case .bert(let c): c.padTokenId
        case .gpt2(let c): c.padTokenId
        }
    }
    public var bosTokenId: Int? { gpt2?.bosTokenId }
    public var eosTokenId: Int? { gpt2?.eosTokenId }

    /// Sets the dropout probabilities a run asks for; `nil` keeps the config's. `hidden` is
    /// BERT's `hidden_dropout_prob` and GPT-2's `resid_pdrop` and `embd_pdrop`, `attention`
    /// the dropout on attention probabilities, `classifier` the one before a classifier.
    public mutating func setDropout(hidden: Float?, attention: Float?, classifier: Float?) {
        switch family {
        case .bert(var c):
            if let hidden { c.hiddenDropoutProb = hidden }
            if let attention { c.attentionProbsDropoutProb = attention }
            if let classifier { c.classifierDropout = classifier }
            family = .bert(c)
        case .gpt2(var c):
            if let hidden { (c.residPdrop, c.embdPdrop) = (hidden, hidden) }
            if let attention { c.attnPdrop = attention }
            if let classifier { c.classifierDropout = classifier }
            family = .gpt2(c)
        }
    }

    /// The architecture in a few lines, for `inspect`.
    public var summary: [String] {
        switch family {
        case .bert(let c): c.summary
        case .gpt2(let c): c.summary
        }
    }
}
