import Foundation
import TestSupport
import Testing
import Text

/// Bad inputs give a `TokenizerError` whose message names the file and the key or line.
@Suite("Loader errors")
struct TokenizerErrorTests {
    /// A small valid tokenizer.json (shape of the real one), to break one key at a time.
    static func tokenizerJSON(vocab: [String: Int]? = nil) -> [String: Any] {
        let vocab = vocab ?? ["[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4, "hello": 5, "##s": 6]
        let special = { (content: String, id: Int) -> [String: Any] in
            [
                "id": id, "content": content, "single_word": false, "lstrip": false, "rstrip": false,
                "normalized": false, "special": true,
            ]
        }
        return [
            "version": "1.0",
            "truncation": NSNull(),
            "padding": NSNull(),
            "added_tokens": vocab.filter { $0.key.hasPrefix("[") }.sorted { $0.value < $1.value }.map {
                special($0.key, $0.value)
            },
            "normalizer": [
                "type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": NSNull(),
                "lowercase": true,
            ],
            "pre_tokenizer": ["type": "BertPreTokenizer"],
            "post_processor": [
                "type": "TemplateProcessing",
                "single": [
                    ["SpecialToken": ["id": "[CLS]", "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]],
                    ["SpecialToken": ["id": "[SEP]", "type_id": 0]],
                ],
                "pair": [
                    ["SpecialToken": ["id": "[CLS]", "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]],
                    ["SpecialToken": ["id": "[SEP]", "type_id": 0]],
                    ["Sequence": ["id": "B", "type_id": 1]], ["SpecialToken": ["id": "[SEP]", "type_id": 1]],
                ],
                "special_tokens": [
                    "[CLS]": ["id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]],
                    "[SEP]": ["id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]],
                ],
            ],
            "decoder": ["type": "WordPiece", "prefix": "##", "cleanup": true],
            "model": [
                "type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                "max_input_chars_per_word": 100, "vocab": vocab,
            ],
        ]
    }

    /// Writes `json` as tokenizer.json in a new directory and loads it.
    static func load(_ json: [String: Any]) throws -> Result<WordPieceTokenizer, TokenizerError> {
        let directory = try Fixtures.temporaryDirectory("text-tests")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("tokenizer.json")
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        return Result { () throws(TokenizerError) in try WordPieceTokenizer(tokenizerJSON: url) }
    }

    /// The error of loading `json`, checking its message names tokenizer.json and `fragments`.
    static func expectError(
        _ json: [String: Any], mentions fragments: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> TokenizerError? {
        switch try load(json) {
        case .success:
            Issue.record("loading succeeded; expected an error mentioning \(fragments)", sourceLocation: sourceLocation)
            return nil
        case .failure(let error):
            for fragment in ["tokenizer.json"] + fragments {
                #expect(
                    error.description.contains(fragment), "\"\(error.description)\" does not mention \(fragment)",
                    sourceLocation: sourceLocation)
            }
            return error
        }
    }

    @Test("the small tokenizer.json used below is valid")
    func baseline() throws {
        let tokenizer = try Self.load(Self.tokenizerJSON()).get()
        #expect(tokenizer.encode("Hellos [MASK]").ids == [2, 5, 6, 4, 3])
        #expect(tokenizer.vocabSize == 7)
    }

    @Test("missing files")
    func missingFiles() throws {
        let directory = try Fixtures.temporaryDirectory("text-tests")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect {
            try WordPieceTokenizer.load(directory: directory)
        } throws: { error in
            guard case .missingFile(let path, _) = error as? TokenizerError else { return false }
            return path.hasSuffix("tokenizer.json") && "\(error)".contains("vocab.txt")
                && "\(error)".contains(directory.path)
        }
        let missing = directory.appendingPathComponent("nothing.json")
        #expect(throws: TokenizerError.missingFile(path: missing.path, hint: "expected a Hugging Face tokenizer.json"))
        {
            try WordPieceTokenizer(tokenizerJSON: missing)
        }
        let missingVocab = directory.appendingPathComponent("vocab.txt")
        #expect {
            try WordPieceTokenizer(vocabTxt: missingVocab, lowercase: true, stripAccents: nil, handleChineseChars: true)
        } throws: { error in
            "\(error)".contains(missingVocab.path)
        }
    }

    @Test("malformed JSON names the file")
    func malformedJSON() throws {
        let directory = try Fixtures.temporaryDirectory("text-tests")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("tokenizer.json")
        try Data("{\"model\": {\"type\": \"WordPiece\", ".utf8).write(to: url)
        #expect {
            try WordPieceTokenizer(tokenizerJSON: url)
        } throws: { error in
            guard case .malformedJSON(let path, _) = error as? TokenizerError else { return false }
            return path == url.path && "\(error)".hasPrefix(url.path + ": not valid JSON")
        }
    }

    @Test("a model other than WordPiece")
    func notWordPiece() throws {
        var json = Self.tokenizerJSON()
        var model = json["model"] as! [String: Any]
        model["type"] = "BPE"
        json["model"] = model
        let error = try Self.expectError(json, mentions: ["model.type", "\"BPE\"", "WordPiece"])
        #expect(error.map { if case .unsupported = $0 { true } else { false } } == true)
    }

    @Test("keys of the wrong kind name their path")
    func wrongKinds() throws {
        var json = Self.tokenizerJSON()
        json["normalizer"] = ["type": "BertNormalizer", "lowercase": "yes"]
        _ = try Self.expectError(json, mentions: ["normalizer.lowercase", "true or false", "\"yes\""])

        json = Self.tokenizerJSON()
        json["normalizer"] = ["type": "Lowercase"]
        _ = try Self.expectError(json, mentions: ["normalizer.type", "\"Lowercase\"", "BertNormalizer"])

        json = Self.tokenizerJSON()
        json["pre_tokenizer"] = ["type": "Whitespace"]
        _ = try Self.expectError(json, mentions: ["pre_tokenizer.type", "\"Whitespace\""])

        json = Self.tokenizerJSON()
        json["post_processor"] = ["type": "RobertaProcessing"]
        _ = try Self.expectError(json, mentions: ["post_processor.type", "RobertaProcessing"])

        json = Self.tokenizerJSON()
        json.removeValue(forKey: "model")
        _ = try Self.expectError(json, mentions: ["key \"model\"", "no such key"])

        json = Self.tokenizerJSON(vocab: ["[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "bad": -4])
        _ = try Self.expectError(json, mentions: ["model.vocab.bad", "-4"])

        json = Self.tokenizerJSON(vocab: ["[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "a": 4, "b": 4])
        _ = try Self.expectError(json, mentions: ["model.vocab", "id 4", "\"a\", \"b\""])
    }

    @Test("a vocabulary without [UNK], [CLS], [SEP] or [PAD]")
    func missingSpecialTokens() throws {
        let full = ["[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hello": 5]
        var vocab = full
        vocab.removeValue(forKey: "[UNK]")
        _ = try Self.expectError(Self.tokenizerJSON(vocab: vocab), mentions: ["model.unk_token", "\"[UNK]\""])

        vocab = full
        vocab.removeValue(forKey: "[PAD]")
        _ = try Self.expectError(Self.tokenizerJSON(vocab: vocab), mentions: ["[PAD]", "pad token"])

        for name in ["[CLS]", "[SEP]"] {
            vocab = full
            vocab.removeValue(forKey: name)
            _ = try Self.expectError(Self.tokenizerJSON(vocab: vocab), mentions: ["post_processor", "\"\(name)\""])
        }

        // vocab.txt: the same checks name vocab.txt and the tokenizer_config.json key.
        for (name, key) in [
            ("[UNK]", "unk_token"), ("[CLS]", "cls_token"), ("[SEP]", "sep_token"), ("[PAD]", "pad_token"),
        ] {
            let directory = try Fixtures.temporaryDirectory("text-tests")
            defer { try? FileManager.default.removeItem(at: directory) }
            let url = directory.appendingPathComponent("vocab.txt")
            try full.keys.filter { $0 != name }.sorted().map { $0 + "\n" }.joined().write(
                to: url, atomically: true, encoding: .utf8)
            #expect(throws: TokenizerError.missingToken(path: url.path, key: key, token: name)) {
                try WordPieceTokenizer(vocabTxt: url, lowercase: true, stripAccents: nil, handleChineseChars: true)
            }
        }
    }

    @Test("a token repeated in vocab.txt names both lines")
    func duplicateToken() throws {
        let directory = try Fixtures.temporaryDirectory("text-tests")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("vocab.txt")
        try "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nworld\nhello\n".write(to: url, atomically: true, encoding: .utf8)
        let expected = TokenizerError.duplicateToken(path: url.path, line: 7, token: "hello", firstLine: 5)
        #expect(throws: expected) {
            try WordPieceTokenizer(vocabTxt: url, lowercase: true, stripAccents: nil, handleChineseChars: true)
        }
        #expect(expected.description.hasPrefix("\(url.path):7: token \"hello\" already appears on line 5"))
    }

    @Test("vocab.txt that is not UTF-8")
    func notUTF8() throws {
        let directory = try Fixtures.temporaryDirectory("text-tests")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("vocab.txt")
        try Data([0x5B, 0x55, 0x4E, 0x4B, 0x5D, 0x0A, 0xFF, 0xFE, 0x0A]).write(to: url)
        #expect(throws: TokenizerError.unreadableFile(path: url.path, reason: "not UTF-8")) {
            try WordPieceTokenizer(vocabTxt: url, lowercase: true, stripAccents: nil, handleChineseChars: true)
        }
    }

    @Test("tokenizer_config.json with a value of the wrong kind")
    func badConfig() throws {
        let directory = try Fixtures.temporaryDirectory("text-tests")
        defer { try? FileManager.default.removeItem(at: directory) }
        try "[PAD]\n[UNK]\n[CLS]\n[SEP]\n".write(
            to: directory.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("tokenizer_config.json")
        try #"{"do_lower_case": "true"}"#.write(to: config, atomically: true, encoding: .utf8)
        #expect(
            throws: TokenizerError.invalidValue(
                path: config.path, key: "do_lower_case", expected: "true or false", found: "\"true\"")
        ) {
            try WordPieceTokenizer.load(directory: directory)
        }
        try #"{"strip_accents": 1}"#.write(to: config, atomically: true, encoding: .utf8)
        #expect {
            try WordPieceTokenizer.load(directory: directory)
        } throws: { error in
            "\(error)" == "\(config.path): key \"strip_accents\": expected true, false or null, found 1"
        }
    }
}
