import Foundation
import JSON

extension ByteLevelBPETokenizer {
    /// Reads a Hugging Face `tokenizer.json` with a byte-level BPE model.
    ///
    /// Read: `model` (`type` "BPE", `vocab`, `merges` as `"a b"` strings or `["a", "b"]`
    /// pairs, `unk_token`, `fuse_unk`, `continuing_subword_prefix`, `end_of_word_suffix`,
    /// `ignore_merges`), `pre_tokenizer` (`ByteLevel`, alone or as the one member of a
    /// `Sequence`: `add_prefix_space`, `use_regex`), `decoder` (`ByteLevel`), `post_processor`
    /// (null, `ByteLevel`, `TemplateProcessing`, `RobertaProcessing`, `BertProcessing`, or a
    /// `Sequence` of them), `added_tokens`, and `padding.pad_token`. The special tokens' names
    /// come from `specialTokensFrom` (a directory's tokenizer_config.json and
    /// special_tokens_map.json, see `Tokenizers.load(directory:)`); without them `bos` and
    /// `eos` are `<|endoftext|>` when the vocabulary has it (GPT-2's convention).
    /// Ignored: `truncation` and `padding` settings (callers choose per call), offsets
    /// settings (`trim_offsets`).
    ///
    /// - Throws: `TokenizerError` naming the file and key: missing or unreadable file, malformed
    ///   JSON, a model other than BPE, a malformed vocabulary or merge (`model.merges[i]`), a
    ///   normalizer, a pre-tokenizer or decoder other than `ByteLevel`, `dropout` or
    ///   `byte_fallback` (not implemented).
    public init(tokenizerJSON url: URL, specialTokensFrom directory: URL? = nil) throws(TokenizerError) {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw .missingFile(path: path, hint: "expected a Hugging Face tokenizer.json")
        }
        let json = TokenizerJSONFile.reader(path: path)
        let root = try json.object(try TokenizerJSONFile.parse(url), key: "(top level)")

        let modelObject = try json.object(root["model"], key: "model")
        let type = try json.string(modelObject["type"], key: "model.type")
        guard type == "BPE" else {
            throw .unsupported(path: path, key: "model.type", found: "\"\(type)\"", supported: "\"BPE\"")
        }
        let vocabulary = try BPEVocabularyReader.vocabulary(modelObject["vocab"], key: "model.vocab", json: json)
        let merges = try Self.readMerges(modelObject["merges"], json: json)
        let model = try Self.readModel(modelObject, vocabulary: vocabulary, merges: merges, json: json)

        if let normalizer = root["normalizer"], normalizer != .null {
            let found = (try? json.string(try json.object(normalizer, key: "normalizer")["type"], key: "")) ?? "?"
            throw .unsupported(
                path: path, key: "normalizer", found: "\"\(found)\"", supported: "null (byte-level BPE reads raw text)")
        }
        let (addPrefixSpace, useRegex) = try Self.readPreTokenizer(root["pre_tokenizer"], json: json)
        try Self.checkDecoder(root["decoder"], json: json)

        let addedTokens = try TokenizerJSONParts.addedTokens(root["added_tokens"], json: json)
        var known = vocabulary
        for token in addedTokens { known[token.content] = token.id }
        var template: PostProcessingTemplate?
        if let value = root["post_processor"], value != .null {
            template = try TokenizerJSONParts.template(
                value, key: "post_processor", json: json, vocabulary: known,
                allowed: ["ByteLevel", "TemplateProcessing", "RobertaProcessing", "BertProcessing", "Sequence"])
        }

        var names = try SpecialTokenConfig.read(directory: directory)
        var provenance = names.source.map { "special tokens from \($0)" } ?? ""
        if case .object(let padding)? = root["padding"], padding["pad_token"] != nil, names.tokens.pad == nil {
            names.tokens.pad = try json.string(padding["pad_token"], key: "padding.pad_token")
        }
        if names.source == nil && known["<|endoftext|>"] != nil {
            names.tokens.bos = "<|endoftext|>"
            names.tokens.eos = "<|endoftext|>"
            provenance = "<|endoftext|> as bos and eos (GPT-2's convention)"
        }
        try self.init(
            model: model, addedTokens: addedTokens, addPrefixSpace: addPrefixSpace, useRegex: useRegex,
            template: template, specialTokens: names.tokens, sourcePath: path, source: url, provenance: provenance)
    }

    /// `model.merges`: `"a b"` strings (tokenizers before 0.20) or `["a", "b"]` pairs.
    private static func readMerges(
        _ value: JSONValue?, json: JSONReader<TokenizerError>
    ) throws(TokenizerError) -> [(String, String)] {
        let list = try json.array(value, key: "model.merges")
        var merges: [(String, String)] = []
        merges.reserveCapacity(list.count)
        for (i, entry) in list.enumerated() {
            let key = "model.merges[\(i)]"
            switch entry {
            case .string(let text):
                let parts = text.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw json.mismatch(entry, key: key, expected: "two tokens separated by one space")
                }
                merges.append((String(parts[0]), String(parts[1])))
            case .array(let pair):
                guard pair.count == 2 else { throw json.mismatch(entry, key: key, expected: "a pair [left, right]") }
                merges.append((try json.string(pair[0], key: key + "[0]"), try json.string(pair[1], key: key + "[1]")))
            default:
                throw json.mismatch(entry, key: key, expected: "\"left right\" or [left, right]")
            }
        }
        return merges
    }

    /// The BPE model's options; the features not implemented are refused by name.
    private static func readModel(
        _ object: [JSONMember], vocabulary: [String: Int32], merges: [(String, String)],
        json: JSONReader<TokenizerError>
    ) throws(TokenizerError) -> BPEModel {
        func optionalString(_ name: String) throws(TokenizerError) -> String? {
            guard let value = object[name], value != .null else { return nil }
            return try json.string(value, key: "model." + name)
        }
        switch object["dropout"] {
        case nil, .null?: break
        case .number(let text)? where Double(text) == 0: break
        case let other?:
            throw .unsupported(
                path: json.file, key: "model.dropout", found: other.excerpt(), supported: "null (no BPE dropout)")
        }
        if try json.bool(object["byte_fallback"], key: "model.byte_fallback", default: false) {
            throw .unsupported(path: json.file, key: "model.byte_fallback", found: "true", supported: "false")
        }
        return try BPEModel(
            vocabulary: vocabulary, merges: merges, unknownToken: try optionalString("unk_token"),
            fuseUnknown: try json.bool(object["fuse_unk"], key: "model.fuse_unk", default: false),
            continuingSubwordPrefix: try optionalString("continuing_subword_prefix") ?? "",
            endOfWordSuffix: try optionalString("end_of_word_suffix") ?? "",
            ignoreMerges: try json.bool(object["ignore_merges"], key: "model.ignore_merges", default: false),
            sourcePath: json.file
        ) { rank, expected, found in
            .invalidValue(path: json.file, key: "model.merges[\(rank)]", expected: expected, found: found)
        }
    }

    /// `add_prefix_space` and `use_regex` of a `ByteLevel` pre-tokenizer, alone or the one
    /// member of a `Sequence` (tokenizers' defaults: both true).
    private static func readPreTokenizer(
        _ value: JSONValue?, json: JSONReader<TokenizerError>
    ) throws(TokenizerError) -> (addPrefixSpace: Bool, useRegex: Bool) {
        let (object, key) = try byteLevelComponent(
            json.object(value, key: "pre_tokenizer"), key: "pre_tokenizer", members: "pretokenizers",
            what: "pre-tokenizer", json: json)
        return (
            try json.bool(object["add_prefix_space"], key: key + ".add_prefix_space", default: true),
            try json.bool(object["use_regex"], key: key + ".use_regex", default: true)
        )
    }

    /// The decoder must invert the byte map: `ByteLevel`, alone or in a `Sequence`.
    private static func checkDecoder(_ value: JSONValue?, json: JSONReader<TokenizerError>) throws(TokenizerError) {
        guard let value, value != .null else {
            throw .unsupported(path: json.file, key: "decoder", found: "null", supported: "\"ByteLevel\"")
        }
        _ = try byteLevelComponent(
            json.object(value, key: "decoder"), key: "decoder", members: "decoders", what: "decoder", json: json)
    }

    /// The `ByteLevel` object at `key`, alone or the one member of a `Sequence` (whose list is
    /// `members`), with the key it was found at; anything else is unsupported.
    private static func byteLevelComponent(
        _ object: [JSONMember], key: String, members: String, what: String, json: JSONReader<TokenizerError>
    ) throws(TokenizerError) -> ([JSONMember], String) {
        var key = key
        var object = object
        if try json.string(object["type"], key: key + ".type") == "Sequence" {
            let list = try json.array(object[members], key: key + "." + members)
            guard list.count == 1 else {
                throw .unsupported(
                    path: json.file, key: key + "." + members, found: "\(list.count) \(what)s",
                    supported: "one ByteLevel \(what)")
            }
            key += "." + members + "[0]"
            object = try json.object(list[0], key: key)
        }
        let type = try json.string(object["type"], key: key + ".type")
        guard type == "ByteLevel" else {
            throw .unsupported(path: json.file, key: key + ".type", found: "\"\(type)\"", supported: "\"ByteLevel\"")
        }
        return (object, key)
    }
}
