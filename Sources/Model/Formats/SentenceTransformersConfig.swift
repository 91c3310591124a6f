#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import JSON

/// A sentence-transformers model directory's pipeline, read from its files:
///
///     modules.json                         Transformer (path ""), Pooling, optional Normalize
///     1_Pooling/config.json                word_embedding_dimension, pooling_mode_* flags, include_prompt
///     sentence_bert_config.json            max_seq_length, do_lower_case
///     config_sentence_transformers.json    version stamps, prompts, similarity_fn_name
///
/// The Normalize module has no files (its folder may be absent). Anything ddp-train cannot
/// reproduce exactly — another module type (Dense, LayerNorm …), a transformer in a
/// subfolder, weighted-mean or last-token pooling, a default prompt — is an error naming the
/// file and key, never silently different vectors.
public struct SentenceTransformersConfig: Equatable, Sendable {
    /// Pooling modes, normalisation and `include_prompt`.
    public var pooling: SentencePooling
    /// `word_embedding_dimension`: the transformer's width the pooling expects.
    public var wordEmbeddingDimension: Int
    /// `max_seq_length`: sentence-transformers truncates to this many tokens (nil: the
    /// tokenizer's own limit).
    public var maxSeqLength: Int?
    /// `do_lower_case`: sentence-transformers lower-cases the text before tokenising.
    public var doLowerCase: Bool
    /// The other members of `sentence_bert_config.json` and all of
    /// `config_sentence_transformers.json` (nil when that file is absent), kept for writing.
    public var otherBertConfig: [JSONMember]
    public var settings: [JSONMember]?

    public static let modulesFile = "modules.json"
    public static let bertConfigFile = "sentence_bert_config.json"
    public static let settingsFile = "config_sentence_transformers.json"
    public static let poolingDirectory = "1_Pooling"
    public static let normalizeDirectory = "2_Normalize"
    static let typePrefix = "sentence_transformers.models."

    public init(
        pooling: SentencePooling, wordEmbeddingDimension: Int, maxSeqLength: Int?, doLowerCase: Bool = false,
        otherBertConfig: [JSONMember] = [], settings: [JSONMember]? = nil
    ) {
        self.pooling = pooling
        self.wordEmbeddingDimension = wordEmbeddingDimension
        self.maxSeqLength = maxSeqLength
        self.doLowerCase = doLowerCase
        self.otherBertConfig = otherBertConfig
        self.settings = settings
    }

    /// Whether `directory` is a sentence-transformers model (it has `modules.json`).
    public static func exists(in directory: String) -> Bool {
        access(directory + "/" + modulesFile, F_OK) == 0
    }

    /// Reads the pipeline of the sentence-transformers model in `directory`.
    public init(directory: String) throws(HuggingFaceConfigError) {
        let modulesPath = directory + "/" + Self.modulesFile
        let modules = try Self.readJSON(modulesPath)
        let reader = Self.reader(modulesPath)
        let entries = try reader.array(modules, key: "(top level)")
        var types: [String] = []
        var poolingPath = ""
        for (i, entry) in entries.enumerated() {
            let members = try reader.object(entry, key: "[\(i)]")
            let type = try reader.string(members["type"], key: "[\(i)].type")
            let path = try reader.string(members["path"], key: "[\(i)].path", default: "")
            // `sentence_transformers.models.Pooling` before version 6,
            // `sentence_transformers.sentence_transformer.modules.pooling.Pooling` from 6 on.
            guard type.hasPrefix("sentence_transformers."), let name = type.split(separator: ".").last.map(String.init)
            else {
                throw HuggingFaceConfigError(
                    file: modulesPath, key: "[\(i)].type",
                    message: "\"\(type)\" is not a sentence-transformers module ddp-train reads")
            }
            let expected = i == 0 ? ["Transformer"] : i == 1 ? ["Pooling"] : i == 2 ? ["Normalize"] : []
            guard expected.contains(name) else {
                throw HuggingFaceConfigError(
                    file: modulesPath, key: "[\(i)].type",
                    message: "module \"\(name)\" at position \(i) is not supported: ddp-train runs Transformer, "
                        + "Pooling and an optional Normalize, in that order")
            }
            if name == "Transformer", !path.isEmpty {
                throw HuggingFaceConfigError(
                    file: modulesPath, key: "[\(i)].path",
                    message: "the transformer is in \"\(path)\"; ddp-train reads it from the model directory itself "
                        + "(path \"\")")
            }
            if name == "Pooling" { poolingPath = path }
            types.append(name)
        }
        guard types.count >= 2 else {
            throw HuggingFaceConfigError(
                file: modulesPath, message: "expected a Transformer and a Pooling module, found \(types)")
        }
        let normalize = types.count == 3
        (pooling, wordEmbeddingDimension) = try Self.readPooling(
            directory + "/" + poolingPath + "/config.json", normalize: normalize)
        (maxSeqLength, doLowerCase, otherBertConfig) = try Self.readBertConfig(directory + "/" + Self.bertConfigFile)
        settings = try Self.readSettings(directory + "/" + Self.settingsFile)
    }

    /// `sentence_bert_config.json` (absent: no length limit of its own, no lower-casing).
    static func readBertConfig(_ path: String) throws(HuggingFaceConfigError) -> (Int?, Bool, [JSONMember]) {
        guard let root = try readJSONIfPresent(path) else { return (nil, false, []) }
        let reader = Self.reader(path)
        let members = try reader.object(root, key: "(top level)")
        var length: Int?
        if let value = members["max_seq_length"], value != .null {
            length = try reader.int(value, key: "max_seq_length", range: 1...Int(Int32.max))
        }
        let lower = try reader.bool(members["do_lower_case"], key: "do_lower_case", default: false)
        return (length, lower, members.filter { !["max_seq_length", "do_lower_case"].contains($0.key) })
    }

    /// `config_sentence_transformers.json`, checked for a default prompt (which `encode` would
    /// prepend to every text; ddp-train does not).
    static func readSettings(_ path: String) throws(HuggingFaceConfigError) -> [JSONMember]? {
        guard let root = try readJSONIfPresent(path) else { return nil }
        let reader = Self.reader(path)
        let members = try reader.object(root, key: "(top level)")
        if let prompt = members["default_prompt_name"], prompt != .null {
            throw HuggingFaceConfigError(
                file: path, key: "default_prompt_name",
                message: "\(prompt.summary): a default prompt is not supported (ddp-train adds no prompts)")
        }
        return members
    }

    /// Typed reads whose errors name the file and key.
    static func reader(_ path: String) -> JSONReader<HuggingFaceConfigError> {
        JSONReader(file: path) {
            HuggingFaceConfigError(file: $0.file, key: $0.key, message: "expected \($0.expected), found \($0.found)")
        }
    }

    static func readJSON(_ path: String) throws(HuggingFaceConfigError) -> JSONValue {
        guard let value = try readJSONIfPresent(path) else {
            throw HuggingFaceConfigError(file: path, message: "no such file (a sentence-transformers model needs it)")
        }
        return value
    }

    static func readJSONIfPresent(_ path: String) throws(HuggingFaceConfigError) -> JSONValue? {
        guard access(path, F_OK) == 0 else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try FileIO.readAll(path)
        } catch {
            throw HuggingFaceConfigError(file: path, message: "cannot read the file: \(error.message)")
        }
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw HuggingFaceConfigError(file: path, message: "not valid JSON: \(error.description)")
        }
    }
}
