import JSON

/// The parts of a tokenizer.json that WordPiece and BPE read alike: `added_tokens` and the
/// `post_processor`. Errors name the file and the dotted key.
enum TokenizerJSONParts {
    /// The `added_tokens` list (absent or null: none).
    static func addedTokens(_ value: JSONValue?, json: JSONReader<TokenizerError>) throws(TokenizerError)
        -> [AddedToken]
    {
        guard let value, value != .null else { return [] }
        var addedTokens: [AddedToken] = []
        for (i, entry) in try json.array(value, key: "added_tokens").enumerated() {
            let key = "added_tokens[\(i)]"
            let token = try json.object(entry, key: key)
            let id = try json.int(token["id"], key: key + ".id")
            // Negative ids are the tokenizers' init's to reject, with the token named.
            guard let id32 = Int32(exactly: id) else {
                throw .invalidValue(path: json.file, key: key + ".id", expected: "a 32-bit id", found: "\(id)")
            }
            addedTokens.append(
                AddedToken(
                    content: try json.string(token["content"], key: key + ".content"),
                    id: id32,
                    singleWord: try json.bool(token["single_word"], key: key + ".single_word", default: false),
                    leftStrip: try json.bool(token["lstrip"], key: key + ".lstrip", default: false),
                    rightStrip: try json.bool(token["rstrip"], key: key + ".rstrip", default: false),
                    normalized: try json.bool(token["normalized"], key: key + ".normalized", default: true),
                    special: try json.bool(token["special"], key: key + ".special", default: false)))
        }
        return addedTokens
    }

    /// The template of a post-processor, nil for one that adds no tokens (`ByteLevel`).
    ///
    /// Read: `TemplateProcessing`, `BertProcessing` (`[CLS] A [SEP]`, `B:1 [SEP]:1`),
    /// `RobertaProcessing` (`<s> A </s>`, `</s> B </s>`, every type id 0, as tokenizers gives),
    /// `ByteLevel`, and a `Sequence` of them of which at most one adds tokens; `allowed` names
    /// the types the caller takes. `vocabulary` (added tokens included) checks the tokens named.
    static func template(
        _ value: JSONValue, key: String, json: JSONReader<TokenizerError>, vocabulary: [String: Int32],
        allowed: [String]
    ) throws(TokenizerError) -> PostProcessingTemplate? {
        let object = try json.object(value, key: key)
        let type = try json.string(object["type"], key: key + ".type")
        guard allowed.contains(type) else {
            throw .unsupported(
                path: json.file, key: key + ".type", found: "\"\(type)\"",
                supported: allowed.map { "\"\($0)\"" }.joined(separator: " or "))
        }
        // "cls": ["[CLS]", 101]
        func special(_ name: String) throws(TokenizerError) -> Int32 {
            let entryKey = "\(key).\(name)"
            let pair = try json.array(object[name], key: entryKey)
            guard pair.count == 2 else { throw json.mismatch(object[name], key: entryKey, expected: "[token, id]") }
            let token = try json.string(pair[0], key: entryKey + "[0]")
            guard vocabulary[token] != nil else { throw .missingToken(path: json.file, key: entryKey, token: token) }
            return Int32(try json.int(pair[1], key: entryKey + "[1]"))
        }
        switch type {
        case "ByteLevel":
            return nil
        case "BertProcessing":
            return .bert(cls: try special("cls"), sep: try special("sep"))
        case "RobertaProcessing":
            let (cls, sep) = (try special("cls"), try special("sep"))
            return PostProcessingTemplate(
                single: [.special(ids: [cls], typeId: 0), .first(typeId: 0), .special(ids: [sep], typeId: 0)],
                pair: [
                    .special(ids: [cls], typeId: 0), .first(typeId: 0), .special(ids: [sep, sep], typeId: 0),
                    .second(typeId: 0), .special(ids: [sep], typeId: 0),
                ])
        case "Sequence":
            var found: PostProcessingTemplate?
            let list = try json.array(object["processors"], key: key + ".processors")
            for (i, entry) in list.enumerated() {
                let inner = try template(
                    entry, key: "\(key).processors[\(i)]", json: json, vocabulary: vocabulary,
                    allowed: allowed.filter { $0 != "Sequence" })
                guard let inner else { continue }
                if found != nil {
                    throw .unsupported(
                        path: json.file, key: "\(key).processors[\(i)]", found: "a second processor that adds tokens",
                        supported: "at most one")
                }
                found = inner
            }
            return found
        default:
            return try templateProcessing(object, key: key, json: json)
        }
    }

    /// A `TemplateProcessing`: `special_tokens` by name, `single` and `pair` lists of
    /// `{"SpecialToken": {id, type_id}}` and `{"Sequence": {id: "A"|"B", type_id}}`.
    private static func templateProcessing(
        _ object: [JSONMember], key: String, json: JSONReader<TokenizerError>
    ) throws(TokenizerError) -> PostProcessingTemplate {
        var specialIds: [String: [Int32]] = [:]
        let specials = try json.object(object["special_tokens"], key: key + ".special_tokens")
        for special in specials {
            let (name, entry) = (special.key, special.value)
            let entryKey = "\(key).special_tokens.\(name)"
            let ids = try json.array(try json.object(entry, key: entryKey)["ids"], key: entryKey + ".ids")
            var resolved: [Int32] = []
            for (i, id) in ids.enumerated() { resolved.append(Int32(try json.int(id, key: entryKey + ".ids[\(i)]"))) }
            specialIds[name] = resolved
        }
        func pieces(_ name: String) throws(TokenizerError) -> [PostProcessingTemplate.Piece] {
            var result: [PostProcessingTemplate.Piece] = []
            for (i, entry) in try json.array(object[name], key: "\(key).\(name)").enumerated() {
                let pieceKey = "\(key).\(name)[\(i)]"
                let piece = try json.object(entry, key: pieceKey)
                if let special = piece["SpecialToken"] {
                    let body = try json.object(special, key: pieceKey + ".SpecialToken")
                    let id = try json.string(body["id"], key: pieceKey + ".SpecialToken.id")
                    let typeId = Int32(try json.int(body["type_id"], key: pieceKey + ".SpecialToken.type_id"))
                    guard let ids = specialIds[id] else {
                        throw .missingToken(path: json.file, key: key + ".special_tokens", token: id)
                    }
                    result.append(.special(ids: ids, typeId: typeId))
                } else if let sequence = piece["Sequence"] {
                    let body = try json.object(sequence, key: pieceKey + ".Sequence")
                    let id = try json.string(body["id"], key: pieceKey + ".Sequence.id")
                    let typeId = Int32(try json.int(body["type_id"], key: pieceKey + ".Sequence.type_id"))
                    switch id {
                    case "A": result.append(.first(typeId: typeId))
                    case "B": result.append(.second(typeId: typeId))
                    default: throw json.mismatch(body["id"], key: pieceKey + ".Sequence.id", expected: "\"A\" or \"B\"")
                    }
                } else {
                    throw json.mismatch(
                        entry, key: pieceKey, expected: "an object with \"SpecialToken\" or \"Sequence\"")
                }
            }
            return result
        }
        return PostProcessingTemplate(single: try pieces("single"), pair: try pieces("pair"))
    }
}
