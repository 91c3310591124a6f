import Foundation
import JSON

extension WordPieceTokenizer {
    /// Reads the tokenizer of a model directory: its `tokenizer.json` when there is one, else
    /// its `vocab.txt` with the settings of `tokenizer_config.json` (BERT's defaults where that
    /// file or a key is missing: lower-casing, accents follow lower-casing, CJK split).
    ///
    /// - Throws: `TokenizerError.missingFile` when the directory has neither file, or any error
    ///   of the loader it picks.
    public static func load(directory: URL) throws(TokenizerError) -> WordPieceTokenizer {
        let tokenizerJSON = directory.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: tokenizerJSON.path) {
            return try WordPieceTokenizer(tokenizerJSON: tokenizerJSON)
        }
        let vocabTxt = directory.appendingPathComponent("vocab.txt")
        guard FileManager.default.fileExists(atPath: vocabTxt.path) else {
            throw .missingFile(
                path: tokenizerJSON.path,
                hint:
                    "a model directory needs tokenizer.json, or vocab.txt (with tokenizer_config.json); neither is "
                    + "in \(directory.path)"
            )
        }
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        guard FileManager.default.fileExists(atPath: configURL.path) else {
            return try WordPieceTokenizer(
                vocabTxt: vocabTxt, lowercase: true, stripAccents: nil, handleChineseChars: true,
                provenance: "no tokenizer_config.json: BERT defaults")
        }
        let json = TokenizerJSONFile.reader(path: configURL.path)
        let config = try json.object(try TokenizerJSONFile.parse(configURL), key: "(top level)")
        func tokenName(_ key: String, default fallback: String) throws(TokenizerError) -> String {
            // A token is a string, or an AddedToken object {"content": ...} in older files.
            switch config[key] {
            case nil, .null?: return fallback
            case .string(let s)?: return s
            case .object(let o)?: return try json.string(o["content"], key: key + ".content")
            case let other?: throw json.mismatch(other, key: key, expected: "a string or {\"content\": string}")
            }
        }
        let names = SpecialTokenNames(
            pad: try tokenName("pad_token", default: "[PAD]"), unknown: try tokenName("unk_token", default: "[UNK]"),
            cls: try tokenName("cls_token", default: "[CLS]"), sep: try tokenName("sep_token", default: "[SEP]"),
            mask: try tokenName("mask_token", default: "[MASK]"))
        return try WordPieceTokenizer(
            vocabTxt: vocabTxt,
            lowercase: try json.bool(config["do_lower_case"], key: "do_lower_case", default: true),
            stripAccents: try json.optionalBool(config["strip_accents"], key: "strip_accents"),
            handleChineseChars: try json.bool(
                config["tokenize_chinese_chars"], key: "tokenize_chinese_chars", default: true),
            specialTokens: names, provenance: "settings from \(configURL.path)")
    }

    /// Reads a `vocab.txt`: one token per line, the id of a token is its line number from 0.
    /// Lines end with "\n" (a "\r" before it is dropped); a final newline does not start a token.
    /// The special tokens are matched in the raw text, the template is BERT's.
    ///
    /// - Parameters:
    ///   - lowercase: `do_lower_case` of tokenizer_config.json.
    ///   - stripAccents: `strip_accents`; nil follows `lowercase`.
    ///   - handleChineseChars: `tokenize_chinese_chars`.
    /// - Throws: `TokenizerError` for a missing or non-UTF-8 file, a repeated token (naming both
    ///   lines), or a missing unknown, cls, sep or pad token.
    public init(
        vocabTxt url: URL, lowercase: Bool, stripAccents: Bool?, handleChineseChars: Bool,
        specialTokens: SpecialTokenNames = SpecialTokenNames()
    ) throws(TokenizerError) {
        try self.init(
            vocabTxt: url, lowercase: lowercase, stripAccents: stripAccents, handleChineseChars: handleChineseChars,
            specialTokens: specialTokens, provenance: "")
    }

    private init(
        vocabTxt url: URL, lowercase: Bool, stripAccents: Bool?, handleChineseChars: Bool,
        specialTokens: SpecialTokenNames = SpecialTokenNames(), provenance: String
    ) throws(TokenizerError) {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw .missingFile(path: path, hint: "expected a BERT vocab.txt (one token per line)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(path: path, reason: error.localizedDescription)
        }
        guard String(validating: data, as: UTF8.self) != nil else {
            throw .unreadableFile(path: path, reason: "not UTF-8")
        }
        // Split the bytes at "\n": a Character split would take "\r\n" as one character.
        var vocabulary: [String: Int32] = [:]
        var vocabularyError: TokenizerError?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lineStart = 0
            var lineIndex = 0
            var duplicate: TokenizerError?
            while lineStart < bytes.count && duplicate == nil {
                var lineEnd = lineStart
                while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
                var tokenEnd = lineEnd
                if tokenEnd > lineStart && bytes[tokenEnd - 1] == 0x0D { tokenEnd -= 1 }
                let token = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<tokenEnd]), as: UTF8.self)
                if let first = vocabulary[token] {
                    duplicate = .duplicateToken(
                        path: path, line: lineIndex + 1, token: token, firstLine: Int(first) + 1)
                }
                vocabulary[token] = Int32(lineIndex)
                lineIndex += 1
                lineStart = lineEnd + 1
            }
            vocabularyError = duplicate
        }
        if let vocabularyError { throw vocabularyError }
        try self.init(
            vocabulary: vocabulary,
            normalizer: BertNormalizer(
                cleanText: true, handleChineseChars: handleChineseChars, stripAccents: stripAccents,
                lowercase: lowercase),
            specialTokens: specialTokens, continuingSubwordPrefix: "##", maxInputCharsPerWord: 100,
            sourcePath: path, source: url, provenance: provenance)
    }
}
