import JSON

extension HuggingFaceConfig {
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
    /// `model_type` picks the family (BERT when absent), whose reader takes its fields (see
    /// `BertConfig(reading:)`, `GPT2Config(reading:)`). Labels come from `id2label` (ids
    /// exactly 0..<n), else from `label2id`, else `num_labels` gives `LABEL_0`…; with none of
    /// them, a `…ForSequenceClassification` or `…ForTokenClassification` architecture gets
    /// transformers' default two labels, and any other config none.
    ///
    /// - Throws: for a `model_type` no family reads, the family's errors (missing required
    ///   keys, wrong JSON types, unsupported or out-of-range values), an unknown
    ///   `problem_type`, and labels that disagree with each other.
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

        var modelType = "bert"
        if let type = try fields.string("model_type") {
            guard ModelFamilies.modelTypes.contains(type) else {
                throw fields.error("model_type", "\"\(type)\" is not supported, expected \(ModelFamilies.expected)")
            }
            modelType = type
        }
        architectures = try fields.stringArray("architectures") ?? []
        family = try FamilyConfig.read(modelType: modelType, &fields)
        problemType = try fields.string("problem_type")
        labels = try HuggingFaceConfig.readLabels(&fields, architectures: architectures)
        try HuggingFaceConfig.validateShared(labels: labels, problemType: problemType, file: file)
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

    /// The `config.json` text: `model_type`, `architectures` (when not empty), the family's
    /// fields under their transformers names, `id2label`/`label2id` (when there are labels),
    /// `problem_type` (when set), and the preserved fields; keys sorted, two-space indent,
    /// final newline — transformers' own layout.
    ///
    /// - Throws: when the config would not read back (the same checks as reading) or a
    ///   float is not finite.
    public func jsonText(file: String = "config.json") throws(HuggingFaceConfigError) -> String {
        try HuggingFaceConfig.validateShared(labels: labels, problemType: problemType, file: file)
        var members = preserved
        func set(_ key: String, _ value: JSONValue) { members.append(JSONMember(key: key, value: value)) }
        set("model_type", .string(modelType))
        if !architectures.isEmpty { set("architectures", .array(architectures.map { .string($0) })) }
        members += try family.members(file: file)
        if !labels.isEmpty {
            set(
                "id2label",
                .object(labels.enumerated().map { JSONMember(key: String($0.offset), value: .string($0.element)) }))
            set(
                "label2id",
                .object(labels.enumerated().map { JSONMember(key: $0.element, value: .number(String($0.offset))) }))
        }
        if let problemType { set("problem_type", .string(problemType)) }
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

    /// The checks of the fields every family shares, for reading and writing.
    static func validateShared(labels: [String], problemType: String?, file: String) throws(HuggingFaceConfigError) {
        if let problemType, !problemTypes.contains(problemType) {
            throw HuggingFaceConfigError(
                file: file, key: "problem_type",
                message: "\"\(problemType)\" is not one of \(problemTypes.map { "\"\($0)\"" }.joined(separator: ", "))"
            )
        }
        var seen: [String: Int] = [:]
        for (id, label) in labels.enumerated() {
            if let earlier = seen[label] {
                throw HuggingFaceConfigError(
                    file: file, key: "id2label",
                    message: "label \"\(label)\" is given to ids \(earlier) and \(id); labels must be distinct")
            }
            seen[label] = id
        }
    }
}

/// Values as `config.json` writes them.
enum ConfigJSON {
    /// A finite float as JSON: Float's description is the shortest text that reads back to
    /// the same Float, and always valid JSON for finite values (0.1, 1e-12, 5e-05).
    static func number(_ value: Float, _ key: String, file: String) throws(HuggingFaceConfigError) -> JSONValue {
        guard value.isFinite else {
            throw HuggingFaceConfigError(file: file, key: key, message: "\(value) cannot be written as JSON")
        }
        return .number(value.description)
    }

    static func int(_ value: Int) -> JSONValue { .number(String(value)) }

    /// A probability in [0, 1), as dropout rates must be.
    static func checkProbability(_ value: Float?, _ key: String, file: String) throws(HuggingFaceConfigError) {
        if let value, !(value >= 0 && value < 1) {
            throw HuggingFaceConfigError(
                file: file, key: key, message: "expected a probability in [0, 1), found \(value)")
        }
    }
}
