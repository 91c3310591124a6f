import Foundation
import JSON
import Model

/// The maximum length a model was fine-tuned with, kept as `model_max_length` in its
/// `tokenizer_config.json` (where transformers' tokenizers read their default truncation
/// length), so that `evaluate` and `predict` default to it.
public enum TrainedLength {
    static let file = "tokenizer_config.json"
    static let key = "model_max_length"

    /// The default `--max-length` for `directory`: its saved `model_max_length`, bounded by
    /// its position embeddings (a pretrained tokenizer may say more than the model holds, or a
    /// huge sentinel when unset).
    public static func defaultMaxLength(of directory: ModelDirectory) -> Int {
        defaultMaxLength(saved: saved(in: directory.path), positions: directory.config.maxPositions)
    }

    /// The rule: the saved length when there is one, never more than the positions.
    static func defaultMaxLength(saved: Int?, positions: Int) -> Int { min(saved ?? positions, positions) }

    /// `model_max_length` from `path/tokenizer_config.json`, when present and a positive integer.
    static func saved(in path: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: path + "/" + file),
            case .object(let members)? = try? JSONParser.parse([UInt8](data)),
            let value = members.first(where: { $0.key == key })?.value.integerValue, value > 0
        else { return nil }
        return value
    }

    /// `tokenizer_config.json`'s text with `model_max_length` set to `length` (the other keys
    /// kept in their order; a new object when `existing` is nil or not an object).
    static func text(setting length: Int, in existing: Data?) -> String {
        var members: [JSONMember] = []
        if let existing, case .object(let old)? = try? JSONParser.parse([UInt8](existing)) {
            members = old.filter { $0.key != key }
        }
        members.append(JSONMember(key: key, value: .number(String(length))))
        return JSONWriter.pretty(.object(members)) + "\n"
    }
}
