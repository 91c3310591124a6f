// Reading and writing a Hugging Face `config.json` for BERT (transformers' `BertConfig`,
// whose defaults and field names are followed here; checked against transformers 5.24).

import JSON

/// A problem with a `config.json`: unreadable, not JSON, a missing or mistyped key, or a
/// value this project does not support. The description names the file and the key:
///
///     config.json: "hidden_size": expected an integer, found string "384"
public struct HuggingFaceConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file as the caller named it.
    public var file: String
    /// The key concerned, if any.
    public var key: String?
    /// What was expected and what was found.
    public var message: String

    public init(file: String, key: String? = nil, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        if let key { return "\(file): \"\(key)\": \(message)" }
        return "\(file): \(message)"
    }
}

/// A BERT `config.json`: the architecture (`bert`), the `architectures` list, and every
/// field this project does not interpret, kept so that rewriting a config loses nothing a
/// transformers user relies on (`_name_or_path`, `transformers_version`,
/// `initializer_range`, …).
public struct HuggingFaceConfig: Equatable, Sendable {
    /// The fields this project interprets.
    public var bert: BertConfig
    /// `architectures`, e.g. `["BertModel"]` or `["BertForSequenceClassification"]`; empty
    /// when the file has none. Written back as given.
    public var architectures: [String]
    /// `model_type`: which `ModelFamily` reads the model (BERT when absent).
    public var modelType: String = "bert"
    /// Uninterpreted fields sorted by key (so equality ignores file order); written back
    /// unchanged.
    var preserved: [JSONMember]

    /// The `problem_type` values transformers knows.
    public static let problemTypes = ["single_label_classification", "multi_label_classification", "regression"]

    /// A config with no preserved fields, e.g. for a model built from scratch.
    public init(bert: BertConfig, architectures: [String]) {
        self.bert = bert
        self.architectures = architectures
        self.preserved = []
    }

    /// Reads and validates the `config.json` at `path`.
    public init(contentsOf path: String) throws(HuggingFaceConfigError) {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.readAll(path)
        } catch {
            throw HuggingFaceConfigError(file: path, message: "cannot read the file: \(error.message)")
        }
        try self.init(bytes: bytes, file: path)
    }

    /// Parses and validates the UTF-8 JSON `bytes`; `file` names them in errors.
    ///
    /// Required: `vocab_size`, `hidden_size`, `num_hidden_layers`, `num_attention_heads`,
    /// `intermediate_size`. Optional fields take transformers' defaults. Labels come from
    /// `id2label` (ids exactly 0..<n), else from `label2id`, else `num_labels` gives
    /// `LABEL_0`…; with none of them, a `…ForSequenceClassification` or
    /// `…ForTokenClassification` architecture gets transformers' default two labels, and
    /// any other config none. `pad_token_id: null` reads as 0.
    ///
    /// - Throws: for a missing required key, a value of the wrong JSON type, a `model_type`
    ///   other than `bert`, a `hidden_act` other than `"gelu"`, a `position_embedding_type`
    ///   other than `"absolute"`, `is_decoder: true`, `hidden_size` not divisible by
    ///   `num_attention_heads`, out-of-range values, and labels that disagree with each
    ///   other.
    public init(bytes: [UInt8], file: String) throws(HuggingFaceConfigError) {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw HuggingFaceConfigError(file: file, message: "not valid JSON: \(error.description)")
        }
        guard case .object(let members) = root else {
            throw HuggingFaceConfigError(
                file: file, message: "the top level is a JSON \(root.typeName), expected an object")
        }
        var fields = ConfigFields(file: file, members: members)

        if let type = try fields.string("model_type") {
            guard ModelFamilies.modelTypes.contains(type) else {
                throw fields.error("model_type", "\"\(type)\" is not supported, expected \(ModelFamilies.expected)")
            }
            modelType = type
        }
        architectures = try fields.stringArray("architectures") ?? []

        var bert = BertConfig(
            vocabSize: try fields.requiredInt("vocab_size"),
            hiddenSize: try fields.requiredInt("hidden_size"),
            numHiddenLayers: try fields.requiredInt("num_hidden_layers"),
            numAttentionHeads: try fields.requiredInt("num_attention_heads"),
            intermediateSize: try fields.requiredInt("intermediate_size"))
        if let value = try fields.string("hidden_act") { bert.hiddenAct = value }
        if let value = try fields.float("hidden_dropout_prob") { bert.hiddenDropoutProb = value }
        if let value = try fields.float("attention_probs_dropout_prob") { bert.attentionProbsDropoutProb = value }
        bert.classifierDropout = try fields.float("classifier_dropout")
        if let value = try fields.int("max_position_embeddings") { bert.maxPositionEmbeddings = value }
        if let value = try fields.int("type_vocab_size") { bert.typeVocabSize = value }
        if let value = try fields.float("layer_norm_eps") { bert.layerNormEps = value }
        if let value = try fields.int("pad_token_id") { bert.padTokenId = value }
        bert.problemType = try fields.string("problem_type")
        bert.labels = try HuggingFaceConfig.readLabels(&fields, architectures: architectures)

        // Fields kept as they are, but whose value changes the model this project builds.
        if let value = try fields.peekString("position_embedding_type"), value != "absolute" {
            throw fields.error("position_embedding_type", "\"\(value)\" is not supported, expected \"absolute\"")
        }
        if try fields.peekBool("is_decoder") == true {
            throw fields.error("is_decoder", "a decoder (causal attention) is not supported, expected false")
        }

        try HuggingFaceConfig.validate(bert, file: file)
        self.bert = bert
        preserved = fields.unconsumed.sorted { JSONWriter.codePointPrecedes($0.key, $1.key) }
    }

    // MARK: Writing

    /// The names of the preserved (uninterpreted) fields, sorted.
    public var preservedKeys: [String] { preserved.map(\.key).sorted() }

    /// The JSON text of a preserved field, e.g. `"4.8.2"` (with its quotes) for
    /// `transformers_version`; `nil` if the config has no such uninterpreted field.
    public func preservedJSON(_ key: String) -> String? {
        preserved.first { $0.key == key }.map { JSONWriter.compact($0.value) }
    }

    /// The `config.json` text: every `BertConfig` field under its transformers name,
    /// `model_type: "bert"`, `architectures` (when not empty), `id2label`/`label2id`
    /// (when there are labels), `problem_type` (when set), `classifier_dropout` (null when
    /// unset), and the preserved fields; keys sorted, two-space indent, final newline —
    /// transformers' own layout.
    ///
    /// - Throws: when `bert` would not read back (the same checks as reading) or a float
    ///   is not finite.
    public func jsonText(file: String = "config.json") throws(HuggingFaceConfigError) -> String {
        try HuggingFaceConfig.validate(bert, file: file)
        func number(_ value: Float, _ key: String) throws(HuggingFaceConfigError) -> JSONValue {
            guard value.isFinite else {
                throw HuggingFaceConfigError(file: file, key: key, message: "\(value) cannot be written as JSON")
            }
            // Float's description is the shortest text that reads back to the same Float,
            // and always valid JSON for finite values (0.1, 1e-12, 5e-05).
            return .number(value.description)
        }
        var members = preserved
        func set(_ key: String, _ value: JSONValue) { members.append(JSONMember(key: key, value: value)) }
        set("model_type", .string(modelType))
        if !architectures.isEmpty { set("architectures", .array(architectures.map { .string($0) })) }
        set("vocab_size", .number(String(bert.vocabSize)))
        set("hidden_size", .number(String(bert.hiddenSize)))
        set("num_hidden_layers", .number(String(bert.numHiddenLayers)))
        set("num_attention_heads", .number(String(bert.numAttentionHeads)))
        set("intermediate_size", .number(String(bert.intermediateSize)))
        set("hidden_act", .string(bert.hiddenAct))
        set("hidden_dropout_prob", try number(bert.hiddenDropoutProb, "hidden_dropout_prob"))
        set("attention_probs_dropout_prob", try number(bert.attentionProbsDropoutProb, "attention_probs_dropout_prob"))
        set(
            "classifier_dropout",
            try bert.classifierDropout.map { (value) throws(HuggingFaceConfigError) in
                try number(value, "classifier_dropout")
            } ?? .null)
        set("max_position_embeddings", .number(String(bert.maxPositionEmbeddings)))
        set("type_vocab_size", .number(String(bert.typeVocabSize)))
        set("layer_norm_eps", try number(bert.layerNormEps, "layer_norm_eps"))
        set("pad_token_id", .number(String(bert.padTokenId)))
        if !bert.labels.isEmpty {
            set(
                "id2label",
                .object(bert.labels.enumerated().map { JSONMember(key: String($0.offset), value: .string($0.element)) })
            )
            set(
                "label2id",
                .object(bert.labels.enumerated().map { JSONMember(key: $0.element, value: .number(String($0.offset))) })
            )
        }
        if let problemType = bert.problemType { set("problem_type", .string(problemType)) }
        return JSONWriter.pretty(.object(members))
    }

    /// Writes `jsonText()` to `path` (created or truncated) and fsyncs it.
    public func write(to path: String) throws(HuggingFaceConfigError) {
        let text = try jsonText(file: path)
        do {
            try FileIO.writeDurably(text, to: path)
        } catch {
            throw HuggingFaceConfigError(file: path, message: "cannot write the file: \(error.message)")
        }
    }

    // MARK: Rules

    /// The checks shared by reading and writing.
    static func validate(_ bert: BertConfig, file: String) throws(HuggingFaceConfigError) {
        func fail(_ key: String, _ message: String) -> HuggingFaceConfigError {
            HuggingFaceConfigError(file: file, key: key, message: message)
        }
        let positive: [(String, Int)] = [
            ("vocab_size", bert.vocabSize), ("hidden_size", bert.hiddenSize),
            ("num_hidden_layers", bert.numHiddenLayers),
            ("num_attention_heads", bert.numAttentionHeads), ("intermediate_size", bert.intermediateSize),
            ("max_position_embeddings", bert.maxPositionEmbeddings), ("type_vocab_size", bert.typeVocabSize),
        ]
        for (key, value) in positive where value < 1 {
            throw fail(key, "expected a positive integer, found \(value)")
        }
        guard bert.hiddenSize % bert.numAttentionHeads == 0 else {
            throw fail(
                "hidden_size", "\(bert.hiddenSize) is not a multiple of num_attention_heads (\(bert.numAttentionHeads))"
            )
        }
        guard bert.hiddenAct == "gelu" else {
            throw fail("hidden_act", "\"\(bert.hiddenAct)\" is not supported, expected \"gelu\" (the exact erf form)")
        }
        let probabilities: [(String, Float?)] = [
            ("hidden_dropout_prob", bert.hiddenDropoutProb),
            ("attention_probs_dropout_prob", bert.attentionProbsDropoutProb),
            ("classifier_dropout", bert.classifierDropout),
        ]
        for case (let key, let value?) in probabilities where !(value >= 0 && value < 1) {
            throw fail(key, "expected a probability in [0, 1), found \(value)")
        }
        guard bert.layerNormEps > 0, bert.layerNormEps.isFinite else {
            throw fail("layer_norm_eps", "expected a positive number, found \(bert.layerNormEps)")
        }
        guard bert.padTokenId >= 0, bert.padTokenId < bert.vocabSize else {
            throw fail("pad_token_id", "expected an id in 0..<\(bert.vocabSize) (vocab_size), found \(bert.padTokenId)")
        }
        if let problemType = bert.problemType, !problemTypes.contains(problemType) {
            throw fail(
                "problem_type",
                "\"\(problemType)\" is not one of \(problemTypes.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        var seen: [String: Int] = [:]
        for (id, label) in bert.labels.enumerated() {
            if let earlier = seen[label] {
                throw fail(
                    "id2label", "label \"\(label)\" is given to ids \(earlier) and \(id); labels must be distinct")
            }
            seen[label] = id
        }
    }
}

extension BertConfig {
    /// Reads the architecture from the Hugging Face `config.json` at `path`; see
    /// `HuggingFaceConfig` for the rules and for the fields kept on rewrite.
    public init(huggingFaceConfigAt path: String) throws(HuggingFaceConfigError) {
        self = try HuggingFaceConfig(contentsOf: path).bert
    }
}
