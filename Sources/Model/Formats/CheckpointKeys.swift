/// How the tensor names of a Hugging Face BERT checkpoint map to this project's canonical
/// parameter names.
///
/// A `BertModel` save names the encoder `embeddings.…`, `encoder.layer.i.…`, `pooler.…`;
/// a `BertFor*` save prefixes the same names with `bert.` and adds its head
/// (`classifier.weight` [num_labels, C], `classifier.bias` for sequence and token
/// classification). Canonical names are the unprefixed ones. TensorFlow-era names
/// `LayerNorm.gamma` / `LayerNorm.beta` are read as `LayerNorm.weight` / `LayerNorm.bias`,
/// as transformers does.
///
/// Classification only: whether a key set is complete, and whether unknown keys are an
/// error, is for the model loader to decide against its parameter table.
public struct CheckpointKeys: Equatable, Sendable {
    /// The prefix of encoder names in `BertFor*` saves.
    public static let encoderPrefix = "bert."
    /// Head parameters this project knows, canonical names.
    public static let headNames: Set<String> = ["classifier.weight", "classifier.bias"]

    /// Canonical encoder name (`encoder.layer.0.output.dense.weight`) → key in the file.
    public var encoder: [String: String]
    /// Head parameter (`classifier.weight`, `classifier.bias`) → key in the file.
    public var head: [String: String]
    /// Non-parameter buffers to skip (`embeddings.position_ids` and the like), file keys,
    /// sorted.
    public var ignoredBuffers: [String]
    /// Keys that are none of the above (e.g. `cls.predictions.bias` of a pre-training
    /// save), sorted; the loader decides whether they are an error.
    public var unknown: [String]
    /// Whether the encoder keys carry the `bert.` prefix.
    public var hasBertPrefix: Bool

    /// Whether both `classifier.weight` and `classifier.bias` are present.
    public var hasClassifier: Bool { head.count == CheckpointKeys.headNames.count }

    /// Classifies the tensor names `fileKeys` of the checkpoint `file` (named in errors).
    ///
    /// - Throws: `SafeTensorsError` when two keys map to the same canonical name (e.g. both
    ///   `bert.pooler.dense.bias` and `pooler.dense.bias`), or when some encoder keys carry
    ///   `bert.` and others do not.
    public init(fileKeys: some Sequence<String>, file: String) throws(SafeTensorsError) {
        encoder = [:]
        head = [:]
        ignoredBuffers = []
        unknown = []
        var prefixedExample: String?
        var unprefixedExample: String?

        for key in fileKeys.sorted() {
            if CheckpointKeys.isBuffer(key) {
                ignoredBuffers.append(key)
                continue
            }
            if CheckpointKeys.headNames.contains(key) {
                head[key] = key
                continue
            }
            let hasPrefix = key.hasPrefix(CheckpointKeys.encoderPrefix)
            let name = CheckpointKeys.legacyRenamed(
                hasPrefix ? String(key.dropFirst(CheckpointKeys.encoderPrefix.count)) : key)
            guard CheckpointKeys.isEncoderName(name) else {
                unknown.append(key)
                continue
            }
            if let earlier = encoder[name] {
                throw SafeTensorsError(
                    file: file, tensor: key, message: "names the same parameter \"\(name)\" as tensor \"\(earlier)\"")
            }
            encoder[name] = key
            if hasPrefix {
                prefixedExample = prefixedExample ?? key
            } else {
                unprefixedExample = unprefixedExample ?? key
            }
        }
        if let prefixedExample, let unprefixedExample {
            throw SafeTensorsError(
                file: file, tensor: unprefixedExample,
                message:
                    "encoder keys mix names with the \"bert.\" prefix (e.g. \"\(prefixedExample)\") and without it; "
                    + "expected one form"
            )
        }
        hasBertPrefix = prefixedExample != nil
    }

    /// The key under which a canonical encoder name is saved: with `bert.` in a `BertFor*`
    /// checkpoint (`withHead`), bare in a `BertModel` one.
    public static func fileKey(forEncoder name: String, withHead: Bool) -> String {
        withHead ? encoderPrefix + name : name
    }

    /// Whether a canonical name belongs to the encoder (`embeddings.`, `encoder.`,
    /// `pooler.`).
    static func isEncoderName(_ name: String) -> Bool {
        name.hasPrefix("embeddings.") || name.hasPrefix("encoder.") || name.hasPrefix("pooler.")
    }

    /// Registered buffers that some saves contain but that are not parameters: the last
    /// name component is `position_ids` or `token_type_ids`.
    static func isBuffer(_ key: String) -> Bool {
        let last = key.split(separator: ".", omittingEmptySubsequences: false).last ?? ""
        return last == "position_ids" || last == "token_type_ids"
    }

    /// `…LayerNorm.gamma` → `…LayerNorm.weight`, `…LayerNorm.beta` → `…LayerNorm.bias`.
    static func legacyRenamed(_ name: String) -> String {
        if name.hasSuffix("LayerNorm.gamma") { return String(name.dropLast("gamma".count)) + "weight" }
        if name.hasSuffix("LayerNorm.beta") { return String(name.dropLast("beta".count)) + "bias" }
        return name
    }
}
