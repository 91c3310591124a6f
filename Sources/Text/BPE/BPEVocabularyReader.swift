import Foundation
import JSON

/// Reading a BPE vocabulary (token → id, the `model.vocab` of tokenizer.json or a whole
/// vocab.json) and a merges.txt, every error naming the file and the entry or line.
enum BPEVocabularyReader {
    /// The vocabulary of a JSON object of token → id.
    ///
    /// - Throws: `.invalidValue` when `value` is not an object or an id is not an integer in
    ///   0...Int32.max (the key names the token), `.duplicateId` naming both tokens of an id.
    static func vocabulary(
        _ value: JSONValue?, key: String, json: JSONReader<TokenizerError>
    ) throws(TokenizerError) -> [String: Int32] {
        let object = try json.object(value, key: key)
        var vocabulary: [String: Int32] = [:]
        vocabulary.reserveCapacity(object.count)
        var tokenOfId: [Int32: String] = [:]
        tokenOfId.reserveCapacity(object.count)
        for member in object {
            let token = member.key
            let entryKey = key == "(top level)" ? token : "\(key).\(token)"
            let number = try json.int(member.value, key: entryKey)
            guard let id = Int32(exactly: number), id >= 0 else {
                throw .invalidValue(
                    path: json.file, key: entryKey, expected: "an id from 0 to \(Int32.max)", found: "\(number)")
            }
            if let other = tokenOfId[id], other != token {
                throw .duplicateId(path: json.file, key: entryKey, id: Int(id), tokens: [other, token])
            }
            tokenOfId[id] = token
            vocabulary[token] = id
        }
        return vocabulary
    }

    /// The merges of a merges.txt, in rank order, with the line (from 1) of each: one
    /// `left right` pair per line, lines starting with `#version` skipped, a final line
    /// break optional, `\r\n` accepted (as tokenizers reads it).
    ///
    /// - Throws: `.unreadableFile`, or `.malformedLine` for a line that is not two tokens
    ///   separated by one space.
    static func merges(_ url: URL) throws(TokenizerError) -> (merges: [(String, String)], lines: [Int]) {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .unreadableFile(path: url.path, reason: "not UTF-8 text (\(error.localizedDescription))")
        }
        var merges: [(String, String)] = []
        var lines: [Int] = []
        var rows = text.split(separator: "\n", omittingEmptySubsequences: false)
        if rows.last == "" { rows.removeLast() }
        for (index, row) in rows.enumerated() {
            let line = row.hasSuffix("\r") ? row.dropLast() : row
            if line.hasPrefix("#version") { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                let shown = line.count <= 40 ? "\"\(line)\"" : "a line of \(line.count) characters"
                throw .malformedLine(
                    path: url.path, line: index + 1, expected: "two tokens separated by one space", found: shown)
            }
            merges.append((String(parts[0]), String(parts[1])))
            lines.append(index + 1)
        }
        return (merges, lines)
    }
}
