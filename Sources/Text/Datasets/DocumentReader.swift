import Foundation
import JSON

/// Text for language modelling, as a file holds it: whole documents, or prompts with the
/// completions a model should learn to write.
public enum DocumentCorpus: Equatable, Sendable {
    /// Documents in file order, each with the 1-based line it starts on.
    case documents([Document])
    /// One prompt and completion per row.
    case pairs([PromptCompletion])

    public struct Document: Equatable, Sendable {
        public var text: String
        public var line: Int
    }

    public struct PromptCompletion: Equatable, Sendable {
        public var prompt: String
        public var completion: String
        public var line: Int
    }

    public var count: Int {
        switch self {
        case .documents(let documents): documents.count
        case .pairs(let pairs): pairs.count
        }
    }
}

/// Reads a `DocumentCorpus` from
/// - `.txt`: documents separated by blank lines (lines holding only spaces or tabs count as
///   blank); a document's text is its lines joined by `\n`, without a trailing newline;
/// - `.jsonl` (`.json`, `.ndjson`): one object per non-blank line with a string `text`
///   (a document each), or with string `prompt` and `completion` (a pair each) — which of
///   the two is decided by the first object.
/// A UTF-8 byte order mark is skipped and `\r\n` line ends read as `\n`.
public enum DocumentReader {
    public static func read(_ path: String) throws -> DocumentCorpus {
        let ext = (path as NSString).pathExtension.lowercased()
        guard ["txt", "text", "jsonl", "json", "ndjson"].contains(ext) else {
            throw DataError(file: path, "unknown text format: expected a .txt file or a .jsonl file")
        }
        let content = try TextFile.read(path)
        let corpus = ext == "txt" || ext == "text" ? plainText(content) : try jsonLines(content, path: path)
        guard corpus.count > 0 else { throw DataError(file: path, "contains no text") }
        return corpus
    }

    /// The lines of `content`, `\r\n` and `\n` both ending one (a lone `\r` or a form feed
    /// is text).
    private static func lines(_ content: String) -> [Substring] {
        content.split(omittingEmptySubsequences: false, whereSeparator: \.isLineEnd)
    }

    static func plainText(_ content: String) -> DocumentCorpus {
        var documents: [DocumentCorpus.Document] = []
        var current: [Substring] = []
        var start = 0
        for (index, line) in lines(content).enumerated() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                if !current.isEmpty { documents.append(.init(text: current.joined(separator: "\n"), line: start)) }
                current.removeAll()
            } else {
                if current.isEmpty { start = index + 1 }
                current.append(line)
            }
        }
        if !current.isEmpty { documents.append(.init(text: current.joined(separator: "\n"), line: start)) }
        return .documents(documents)
    }

    static func jsonLines(_ content: String, path: String) throws -> DocumentCorpus {
        var documents: [DocumentCorpus.Document] = []
        var pairs: [DocumentCorpus.PromptCompletion] = []
        var isPairs: Bool?
        for (index, line) in lines(content).enumerated() {
            let number = index + 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let members: [JSONMember]
            do {
                guard case .object(let object) = try JSONParser.parse(trimmed) else {
                    throw DataError(file: path, line: number, "expected a JSON object")
                }
                members = object
            } catch let error as JSONParseError {
                throw DataError(file: path, line: number, "not valid JSON (column \(error.column): \(error.message))")
            }
            func string(_ key: String) throws -> String {
                guard let value = members[key] else {
                    let keys = members.map { "\"\($0.key)\"" }.joined(separator: ", ")
                    let found = keys.isEmpty ? "no keys" : keys
                    let expected = isPairs == true ? "\"prompt\" and \"completion\"" : "\"text\""
                    throw DataError(
                        file: path, line: number, "no \"\(key)\" key (expected \(expected); found \(found))")
                }
                guard case .string(let text) = value else {
                    throw DataError(
                        file: path, line: number,
                        "\"\(key)\" must be a string, found \(value.typeName) \(value.excerpt())")
                }
                return text
            }
            if isPairs == nil { isPairs = members["prompt"] != nil && members["completion"] != nil }
            if isPairs! {
                pairs.append(.init(prompt: try string("prompt"), completion: try string("completion"), line: number))
            } else {
                documents.append(.init(text: try string("text"), line: number))
            }
        }
        return isPairs == true ? .pairs(pairs) : .documents(documents)
    }
}
