import Foundation
import JSON

extension WordPieceTokenizer {
    /// Reads a Hugging Face `tokenizer.json` with a WordPiece model.
    ///
    /// Read: `model` (`type` "WordPiece", `vocab`, `unk_token`, `continuing_subword_prefix`,
    /// `max_input_chars_per_word`), `normalizer` (`BertNormalizer` or null), `pre_tokenizer`
    /// (`BertPreTokenizer`), `post_processor` (`TemplateProcessing` or `BertProcessing`),
    /// `added_tokens`, and `padding.pad_token` for the pad token ("[PAD]" without it).
    /// Ignored: `truncation` and `padding` settings (callers choose per call, as transformers'
    /// arguments override the file), `decoder`.
    ///
    /// - Throws: `TokenizerError` naming the file and key: missing or unreadable file, malformed
    ///   JSON, a model other than WordPiece, an unsupported normalizer, pre-tokenizer or
    ///   post-processor, or a vocabulary without the unknown, cls, sep or pad token.
    public init(tokenizerJSON url: URL) throws(TokenizerError) {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw .missingFile(path: path, hint: "expected a Hugging Face tokenizer.json")
        }
        let json = TokenizerJSONFile.reader(path: path)
        let root = try json.object(try TokenizerJSONFile.parse(url), key: "(top level)")

        // model
        let model = try json.object(root["model"], key: "model")
        let type = try json.string(model["type"], key: "model.type")
        guard type == "WordPiece" else {
            throw .unsupported(path: path, key: "model.type", found: "\"\(type)\"", supported: "\"WordPiece\"")
        }
        let vocabObject = try json.object(model["vocab"], key: "model.vocab")
        var vocabulary: [String: Int32] = [:]
        vocabulary.reserveCapacity(vocabObject.count)
        var tokenOfId: [Int32: String] = [:]
        for member in vocabObject {
            let token = member.key
            let id = Int32(try json.int(member.value, key: "model.vocab.\(token)"))
            if let other = tokenOfId[id] {
                throw .duplicateId(path: path, key: "model.vocab", id: Int(id), tokens: [other, token].sorted())
            }
            tokenOfId[id] = token
            vocabulary[token] = id
        }
        let unknownToken = try json.string(model["unk_token"], key: "model.unk_token", default: "[UNK]")
        guard vocabulary[unknownToken] != nil else {
            throw .missingToken(path: path, key: "model.unk_token", token: unknownToken)
        }
        let prefix = try json.string(
            model["continuing_subword_prefix"], key: "model.continuing_subword_prefix", default: "##")
        let maxChars = try json.int(
            model["max_input_chars_per_word"], key: "model.max_input_chars_per_word", default: 100)

        let normalizer = try Self.readNormalizer(root["normalizer"], json: json)

        let preTokenizer = try json.object(root["pre_tokenizer"], key: "pre_tokenizer")
        let preTokenizerType = try json.string(preTokenizer["type"], key: "pre_tokenizer.type")
        guard preTokenizerType == "BertPreTokenizer" else {
            throw .unsupported(
                path: path, key: "pre_tokenizer.type", found: "\"\(preTokenizerType)\"",
                supported: "\"BertPreTokenizer\"")
        }

        // added_tokens, before the template: special tokens may live only there.
        let addedTokens = try TokenizerJSONParts.addedTokens(root["added_tokens"], json: json)
        var known = vocabulary
        for token in addedTokens { known[token.content] = token.id }

        let template = try Self.readTemplate(root["post_processor"], json: json, vocabulary: known)

        var padToken = "[PAD]"
        var padKey = "pad token (default \"[PAD]\")"
        if case .object(let padding)? = root["padding"], padding["pad_token"] != nil {
            padToken = try json.string(padding["pad_token"], key: "padding.pad_token")
            padKey = "padding.pad_token"
        }
        try self.init(
            vocabulary: vocabulary, addedTokens: addedTokens, normalizer: normalizer, template: template,
            unknownToken: unknownToken, padToken: padToken, padKey: padKey, maskToken: "[MASK]",
            continuingSubwordPrefix: prefix, maxInputCharsPerWord: maxChars, sourcePath: path, source: url,
            provenance: "")
    }

    private static func readNormalizer(
        _ value: JSONValue?, json: JSONReader<TokenizerError>
    ) throws(TokenizerError) -> BertNormalizer {
        // No normalizer: the text goes to the pre-tokenizer as it is.
        guard let value, value != .null else {
            return BertNormalizer(cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false)
        }
        let object = try json.object(value, key: "normalizer")
        let type = try json.string(object["type"], key: "normalizer.type")
        guard type == "BertNormalizer" else {
            throw .unsupported(
                path: json.file, key: "normalizer.type", found: "\"\(type)\"", supported: "\"BertNormalizer\" or null")
        }
        return BertNormalizer(
            cleanText: try json.bool(object["clean_text"], key: "normalizer.clean_text", default: true),
            handleChineseChars: try json.bool(
                object["handle_chinese_chars"], key: "normalizer.handle_chinese_chars", default: true),
            stripAccents: try json.optionalBool(object["strip_accents"], key: "normalizer.strip_accents"),
            lowercase: try json.bool(object["lowercase"], key: "normalizer.lowercase", default: true))
    }

    /// The template of a `TemplateProcessing` or `BertProcessing` post-processor.
    private static func readTemplate(
        _ value: JSONValue?, json: JSONReader<TokenizerError>, vocabulary: [String: Int32]
    ) throws(TokenizerError) -> PostProcessingTemplate {
        let supported = "\"TemplateProcessing\" or \"BertProcessing\""
        guard let value, value != .null else {
            throw .unsupported(path: json.file, key: "post_processor", found: "null", supported: supported)
        }
        let parsed = try TokenizerJSONParts.template(
            value, key: "post_processor", json: json, vocabulary: vocabulary,
            allowed: ["TemplateProcessing", "BertProcessing"])
        guard let template = parsed else {
            throw .unsupported(path: json.file, key: "post_processor", found: "null", supported: supported)
        }
        // BERT needs a [CLS] first and a [SEP] last in the single template.
        let specials = template.single.compactMap { piece -> [Int32]? in
            if case .special(let ids, _) = piece { return ids }
            return nil
        }
        guard specials.count >= 2, let cls = specials.first?.first, let sep = specials.last?.last else {
            throw .invalidValue(
                path: json.file, key: "post_processor.single", expected: "a [CLS] token first and a [SEP] token last",
                found: "\(specials.count) special tokens")
        }
        let ids = Set(vocabulary.values)
        for (id, name) in [(cls, "[CLS]"), (sep, "[SEP]")] where !ids.contains(id) {
            throw .missingToken(path: json.file, key: "post_processor (id \(id))", token: name)
        }
        return template
    }
}
