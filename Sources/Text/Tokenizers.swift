import Foundation
import JSON

/// Loading the tokenizer of a model directory, whatever its model.
public enum Tokenizers {
    /// The tokenizer of a Hugging Face model directory.
    ///
    /// With a `tokenizer.json`, its `model.type` decides: `WordPiece` (`WordPieceTokenizer`)
    /// or `BPE` (`ByteLevelBPETokenizer`, special tokens named by the directory's
    /// tokenizer_config.json / special_tokens_map.json). Without one, the files do: `vocab.txt`
    /// is WordPiece, `vocab.json` with `merges.txt` a byte-level BPE.
    ///
    /// - Throws: `TokenizerError.missingFile` naming the directory and the files looked for,
    ///   `.unsupported` for another `model.type`, or any error of the loader picked.
    public static func load(directory: URL) throws(TokenizerError) -> any TextTokenizer {
        let files = FileManager.default
        let tokenizerJSON = directory.appendingPathComponent("tokenizer.json")
        if files.fileExists(atPath: tokenizerJSON.path) {
            let json = TokenizerJSONFile.reader(path: tokenizerJSON.path)
            let root = try json.object(try TokenizerJSONFile.parse(tokenizerJSON), key: "(top level)")
            let model = try json.object(root["model"], key: "model")
            let type = try json.string(model["type"], key: "model.type")
            switch type {
            case "WordPiece": return try WordPieceTokenizer(tokenizerJSON: tokenizerJSON)
            case "BPE": return try ByteLevelBPETokenizer(tokenizerJSON: tokenizerJSON, specialTokensFrom: directory)
            default:
                throw .unsupported(
                    path: tokenizerJSON.path, key: "model.type", found: "\"\(type)\"",
                    supported: "\"WordPiece\" or \"BPE\"")
            }
        }
        let vocabJSON = directory.appendingPathComponent("vocab.json")
        let mergesTxt = directory.appendingPathComponent("merges.txt")
        if files.fileExists(atPath: vocabJSON.path) || files.fileExists(atPath: mergesTxt.path) {
            return try ByteLevelBPETokenizer(vocabJSON: vocabJSON, mergesTxt: mergesTxt, settingsFrom: directory)
        }
        if files.fileExists(atPath: directory.appendingPathComponent("vocab.txt").path) {
            return try WordPieceTokenizer.load(directory: directory)
        }
        throw .missingFile(
            path: tokenizerJSON.path,
            hint: "a model directory needs tokenizer.json, vocab.txt (WordPiece) or vocab.json with merges.txt "
                + "(byte-level BPE); none is in \(directory.path)")
    }
}
