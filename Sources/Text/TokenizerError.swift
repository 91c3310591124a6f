import Foundation

/// Why a tokenizer could not be loaded.
///
/// Every message names the file, then the key (a dotted path into the JSON, such as
/// `model.type`) or the line, then what was expected and what was found, so that
/// `ddp-train` can print it as it is.
public enum TokenizerError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A file the tokenizer needs is not there; `hint` says what would do instead.
    case missingFile(path: String, hint: String)
    /// The file exists but cannot be read, or is not UTF-8.
    case unreadableFile(path: String, reason: String)
    /// The file is not valid JSON.
    case malformedJSON(path: String, reason: String)
    /// A key is missing, or holds a value of the wrong kind or out of range.
    case invalidValue(path: String, key: String, expected: String, found: String)
    /// The value is well formed but names something this tokenizer does not implement.
    case unsupported(path: String, key: String, found: String, supported: String)
    /// A token the tokenizer needs (named by `key`) is not in the vocabulary.
    case missingToken(path: String, key: String, token: String)
    /// A line of vocab.txt repeats the token of an earlier line (lines count from 1).
    case duplicateToken(path: String, line: Int, token: String, firstLine: Int)
    /// Two different tokens of the vocabulary have the same id.
    case duplicateId(path: String, key: String, id: Int, tokens: [String])
    /// A line of a text file (merges.txt; lines count from 1) is not what it must be.
    case malformedLine(path: String, line: Int, expected: String, found: String)

    public var description: String {
        switch self {
        case .missingFile(let path, let hint):
            return "\(path): no such file; \(hint)"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot be read: \(reason)"
        case .malformedJSON(let path, let reason):
            return "\(path): not valid JSON: \(reason)"
        case .invalidValue(let path, let key, let expected, let found):
            return "\(path): key \"\(key)\": expected \(expected), found \(found)"
        case .unsupported(let path, let key, let found, let supported):
            return "\(path): key \"\(key)\": \(found) is not supported; expected \(supported)"
        case .missingToken(let path, let key, let token):
            return "\(path): \(key): token \"\(token)\" is not in the vocabulary"
        case .duplicateToken(let path, let line, let token, let firstLine):
            return "\(path):\(line): token \"\(token)\" already appears on line \(firstLine); "
                + "every line of vocab.txt must hold a different token"
        case .duplicateId(let path, let key, let id, let tokens):
            return "\(path): key \"\(key)\": id \(id) is given to more than one token: "
                + tokens.map { "\"\($0)\"" }.joined(separator: ", ")
        case .malformedLine(let path, let line, let expected, let found):
            return "\(path):\(line): expected \(expected), found \(found)"
        }
    }

    public var errorDescription: String? { description }
}
