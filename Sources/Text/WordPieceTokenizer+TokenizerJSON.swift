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
        var addedTokens: [AddedToken] = []
        if let list = root["added_tokens"], list != .null {
            for (i, entry) in try json.array(list, key: "added_tokens").enumerated() {
                let key = "added_tokens[\(i)]"
                let token = try json.object(entry, key: key)
                addedTokens.append(
                    AddedToken(
                        content: try json.string(token["content"], key: key + ".content"),
                        id: Int32(try json.int(token["id"], key: key + ".id")),
                        singleWord: try json.bool(token["single_word"], key: key + ".single_word", default: false),
                        leftStrip: try json.bool(token["lstrip"], key: key + ".lstrip", default: false),
                        rightStrip: try json.bool(token["rstrip"], key: key + ".rstrip", default: false),
                        normalized: try json.bool(token["normalized"], key: key + ".normalized", default: true),
                        special: try json.bool(token["special"], key: key + ".special", default: false)))
            }
        }
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
        let object = try json.object(value, key: "post_processor")
        let type = try json.string(object["type"], key: "post_processor.type")
        let template: PostProcessingTemplate
        switch type {
        case "BertProcessing":
            // "cls": ["[CLS]", 101], "sep": ["[SEP]", 102]
            func special(_ name: String) throws(TokenizerError) -> Int32 {
                let key = "post_processor.\(name)"
                let pair = try json.array(object[name], key: key)
                guard pair.count == 2 else { throw json.mismatch(object[name], key: key, expected: "[token, id]") }
                let token = try json.string(pair[0], key: key + "[0]")
                guard vocabulary[token] != nil else { throw .missingToken(path: json.file, key: key, token: token) }
                return Int32(try json.int(pair[1], key: key + "[1]"))
            }
            template = .bert(cls: try special("cls"), sep: try special("sep"))
        case "TemplateProcessing":
            var specialIds: [String: [Int32]] = [:]
            let specials = try json.object(object["special_tokens"], key: "post_processor.special_tokens")
            for special in specials {
                let (name, entry) = (special.key, special.value)
                let key = "post_processor.special_tokens.\(name)"
                let ids = try json.array(try json.object(entry, key: key)["ids"], key: key + ".ids")
                var resolved: [Int32] = []
                for (i, id) in ids.enumerated() { resolved.append(Int32(try json.int(id, key: key + ".ids[\(i)]"))) }
                specialIds[name] = resolved
            }
            func pieces(_ name: String) throws(TokenizerError) -> [PostProcessingTemplate.Piece] {
                var result: [PostProcessingTemplate.Piece] = []
                for (i, entry) in try json.array(object[name], key: "post_processor.\(name)").enumerated() {
                    let key = "post_processor.\(name)[\(i)]"
                    let piece = try json.object(entry, key: key)
                    if let special = piece["SpecialToken"] {
                        let body = try json.object(special, key: key + ".SpecialToken")
                        let id = try json.string(body["id"], key: key + ".SpecialToken.id")
                        let typeId = Int32(try json.int(body["type_id"], key: key + ".SpecialToken.type_id"))
                        guard let ids = specialIds[id] else {
                            throw .missingToken(path: json.file, key: "post_processor.special_tokens", token: id)
                        }
                        result.append(.special(ids: ids, typeId: typeId))
                    } else if let sequence = piece["Sequence"] {
                        let body = try json.object(sequence, key: key + ".Sequence")
                        let id = try json.string(body["id"], key: key + ".Sequence.id")
                        let typeId = Int32(try json.int(body["type_id"], key: key + ".Sequence.type_id"))
                        switch id {
                        case "A": result.append(.first(typeId: typeId))
                        case "B": result.append(.second(typeId: typeId))
                        default: throw json.mismatch(body["id"], key: key + ".Sequence.id", expected: "\"A\" or \"B\"")
                        }
                    } else {
                        throw json.mismatch(
                            entry, key: key, expected: "an object with \"SpecialToken\" or \"Sequence\"")
                    }
                }
                return result
            }
            template = PostProcessingTemplate(single: try pieces("single"), pair: try pieces("pair"))
        default:
            throw .unsupported(path: json.file, key: "post_processor.type", found: "\"\(type)\"", supported: supported)
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
