/// One example of a text data set: one text, or a pair for sentence-pair tasks, and its
/// label as `Label`: the label field as written for single-label data (`LabelledText`; the
/// label set and its order are decided by the caller), the set of label names for
/// multi-label data (`MultiLabelText`).
public struct LabelledExample<Label> {
    public var text: String
    public var pair: String?
    /// The label, or `nil` for unlabelled input (e.g. to `predict`).
    public var label: Label?
    /// 1-based line in the file where the example starts, for error messages.
    public var line: Int

    public init(text: String, pair: String? = nil, label: Label?, line: Int) {
        self.text = text
        self.pair = pair
        self.label = label
        self.line = line
    }
}

extension LabelledExample: Equatable where Label: Equatable {}
extension LabelledExample: Sendable where Label: Sendable {}

/// A single-label example; `label` is the field as written.
public typealias LabelledText = LabelledExample<String>

/// Which columns hold the text, the optional second text and the label.
///
/// Each is a column name (matched against the header) or a 0-based index written as a
/// number. `nil` means "detect": GLUE-style headers are recognised (`sentence`, `text`,
/// `sentence1`/`sentence2`, `question`, `premise`/`hypothesis`, `label`, …).
public struct ColumnSelection: Equatable, Sendable {
    public var text: String?
    public var pair: String?
    public var label: String?
    /// Whether a label column is required (training, evaluation) or ignored when absent
    /// (prediction).
    public var requireLabel: Bool

    public init(text: String? = nil, pair: String? = nil, label: String? = nil, requireLabel: Bool = true) {
        self.text = text
        self.pair = pair
        self.label = label
        self.requireLabel = requireLabel
    }

    static let textNames = [
        "sentence", "text", "sentence1", "question", "question1", "premise", "content", "review", "document",
    ]
    static let pairNames = ["sentence2", "question2", "hypothesis", "text_pair", "text2"]
    static let labelNames = ["label", "labels", "gold_label", "class", "target", "score"]
}
