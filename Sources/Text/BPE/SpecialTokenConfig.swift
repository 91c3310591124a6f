import Foundation
import JSON

/// What transformers reads from a model directory besides the tokenizer model:
/// `tokenizer_config.json` (special tokens, `add_prefix_space`, `add_bos_token`,
/// `added_tokens_decoder`) and `special_tokens_map.json` (special tokens, where the first
/// file lacks them). A token is a string, or an object `{"content": …}` in older files.
struct SpecialTokenConfig {
    var tokens = ByteLevelBPETokenizer.SpecialTokenNames()
    /// `add_prefix_space`, when given.
    var addPrefixSpace: Bool?
    /// `add_bos_token`: GPT-2's slow tokenizer then starts every encoding with bos.
    var addBosToken = false
    /// `added_tokens_decoder` (id → token with its flags), and `added_tokens.json`.
    var addedTokens: [AddedToken] = []
    /// The files read, for `summary`; nil when there were none.
    var source: String?

    /// The settings of `directory` (nil, or a directory without the files: none).
    static func read(directory: URL?) throws(TokenizerError) -> SpecialTokenConfig {
        var config = SpecialTokenConfig()
        guard let directory else { return config }
        var read: [String] = []
        for fileName in ["tokenizer_config.json", "special_tokens_map.json"] {
            let url = directory.appendingPathComponent(fileName)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            read.append(url.path)
            let json = TokenizerJSONFile.reader(path: url.path)
            let root = try json.object(try TokenizerJSONFile.parse(url), key: "(top level)")
            func name(_ key: String) throws(TokenizerError) -> String? {
                switch root[key] {
                case nil, .null?: return nil
                case .string(let s)?: return s
                case .object(let o)?: return try json.string(o["content"], key: key + ".content")
                case let other?: throw json.mismatch(other, key: key, expected: "a string or {\"content\": string}")
                }
            }
            // The first file wins; the second fills what it lacks.
            if config.tokens.pad == nil { config.tokens.pad = try name("pad_token") }
            if config.tokens.unknown == nil { config.tokens.unknown = try name("unk_token") }
            if config.tokens.bos == nil { config.tokens.bos = try name("bos_token") }
            if config.tokens.eos == nil { config.tokens.eos = try name("eos_token") }
            guard fileName == "tokenizer_config.json" else { continue }
            if let value = root["add_prefix_space"], value != .null {
                config.addPrefixSpace = try json.bool(value, key: "add_prefix_space", default: false)
            }
            config.addBosToken = try json.bool(root["add_bos_token"], key: "add_bos_token", default: false)
            config.addedTokens = try addedTokensDecoder(root["added_tokens_decoder"], json: json)
        }
        let legacy = directory.appendingPathComponent("added_tokens.json")
        if FileManager.default.fileExists(atPath: legacy.path) {
            read.append(legacy.path)
            let json = TokenizerJSONFile.reader(path: legacy.path)
            for member in try json.object(try TokenizerJSONFile.parse(legacy), key: "(top level)")
            where !config.addedTokens.contains(where: { $0.content == member.key }) {
                let id = try json.int(member.value, key: member.key)
                guard let id32 = Int32(exactly: id), id32 >= 0 else {
                    throw .invalidValue(
                        path: legacy.path, key: member.key, expected: "an id of 0 or more", found: "\(id)")
                }
                config.addedTokens.append(AddedToken(content: member.key, id: id32, normalized: true, special: false))
            }
        }
        config.source = read.isEmpty ? nil : read.joined(separator: ", ")
        return config
    }

    /// `"added_tokens_decoder": {"50256": {"content": …, "lstrip": …, "special": …}, …}`.
    private static func addedTokensDecoder(
        _ value: JSONValue?, json: JSONReader<TokenizerError>
    ) throws(TokenizerError) -> [AddedToken] {
        guard let value, value != .null else { return [] }
        var tokens: [AddedToken] = []
        for member in try json.object(value, key: "added_tokens_decoder") {
            let key = "added_tokens_decoder.\(member.key)"
            guard let id = Int32(member.key), id >= 0 else {
                throw .invalidValue(path: json.file, key: key, expected: "an id of 0 or more", found: member.key)
            }
            let token = try json.object(member.value, key: key)
            tokens.append(
                AddedToken(
                    content: try json.string(token["content"], key: key + ".content"), id: id,
                    singleWord: try json.bool(token["single_word"], key: key + ".single_word", default: false),
                    leftStrip: try json.bool(token["lstrip"], key: key + ".lstrip", default: false),
                    rightStrip: try json.bool(token["rstrip"], key: key + ".rstrip", default: false),
                    normalized: try json.bool(token["normalized"], key: key + ".normalized", default: false),
                    special: try json.bool(token["special"], key: key + ".special", default: false)))
        }
        return tokens.sorted { $0.id < $1.id }
    }
}
