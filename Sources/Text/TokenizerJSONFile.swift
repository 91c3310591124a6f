import Foundation
import JSON

/// Reading the tokenizer's JSON files (`tokenizer.json`, `tokenizer_config.json`) with
/// every error a `TokenizerError` naming the file and, for a value, the dotted key path.
enum TokenizerJSONFile {
    /// Parses the file at `url`.
    ///
    /// - Throws: `.unreadableFile`, or `.malformedJSON` with the line and column.
    static func parse(_ url: URL) throws(TokenizerError) -> JSONValue {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        do {
            return try JSONParser.parse([UInt8](data))
        } catch {
            throw .malformedJSON(path: url.path, reason: error.description)
        }
    }

    /// A reader of values from the file at `path`, throwing `.invalidValue`.
    static func reader(path: String) -> JSONReader<TokenizerError> {
        JSONReader(file: path) { .invalidValue(path: $0.file, key: $0.key, expected: $0.expected, found: $0.found) }
    }
}
