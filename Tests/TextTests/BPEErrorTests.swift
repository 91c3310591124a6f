import Foundation
import TestSupport
import Testing
import Text

/// Malformed BPE files give a `TokenizerError` whose message names the file and the entry or
/// line, never a trap; unsupported tokenizer.json features are refused by key.
@Suite("Byte-level BPE errors")
struct BPEErrorTests {
    /// A directory holding a copy of the `gpt2-files` fixture with `edit` applied to a file.
    static func editedFiles(
        _ file: String, _ label: String, edit: (String) -> String
    ) throws -> (directory: URL, file: URL) {
        let directory = try Fixtures.temporaryDirectory("bpe-errors-\(label)")
        let source = try BPETestSupport.directory("gpt2-files")
        for name in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(
                at: source.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        let url = directory.appendingPathComponent(file)
        try edit(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
        return (directory, url)
    }

    /// The message of the error loading `directory` throws, or a failure when it loads.
    static func message(loading directory: URL) throws -> String {
        do {
            _ = try Tokenizers.load(directory: directory)
        } catch {
            return error.description
        }
        Issue.record("\(directory.path) loaded without an error")
        return ""
    }

    /// merges.txt with `line` (1-based, the `#version` line is 1) replaced by `text`.
    static func replacingMergeLine(_ line: Int, with text: String) -> (String) -> String {
        { contents in
            var lines = contents.components(separatedBy: "\n")
            lines[line - 1] = text
            return lines.joined(separator: "\n")
        }
    }

    @Test(
        "a merges.txt line that is not two tokens names the line",
        arguments: [("Ġ t h", 3), ("Ġt", 4), ("", 5), ("a  b", 6)])
    func malformedMergeLine(text: String, line: Int) throws {
        let (directory, file) = try Self.editedFiles("merges.txt", "line") {
            Self.replacingMergeLine(line, with: text)($0)
        }
        let message = try Self.message(loading: directory)
        #expect(message.hasPrefix("\(file.path):\(line): expected two tokens separated by one space"), "\(message)")
    }

    @Test("a merge outside the vocabulary names the line and the token")
    func mergeOutsideVocabulary() throws {
        let (directory, file) = try Self.editedFiles(
            "merges.txt", "oov", edit: Self.replacingMergeLine(3, with: "Ġ zzzq"))
        let message = try Self.message(loading: directory)
        #expect(message.hasPrefix("\(file.path):3:") && message.contains("\"zzzq\" is not in it"), "\(message)")
    }

    @Test("a merge whose result is not in the vocabulary names the line and the result")
    func mergeResultOutsideVocabulary() throws {
        // "q" and "z" are both byte tokens; "qz" is not a token of a vocabulary trained on SST-2.
        let (directory, file) = try Self.editedFiles(
            "merges.txt", "result", edit: Self.replacingMergeLine(2, with: "q z"))
        let message = try Self.message(loading: directory)
        #expect(message.hasPrefix("\(file.path):2:") && message.contains("result \"qz\""), "\(message)")
    }

    @Test("vocab.json: not an object, a non-integer id, a negative id, an id given twice")
    func malformedVocabulary() throws {
        let cases: [(String, (String) -> String, [String])] = [
            ("array", { _ in "[\"a\", \"b\"]" }, ["(top level)", "an object"]),
            (
                "string-id", { $0.replacingOccurrences(of: "\"!\": 1,", with: "\"!\": \"one\",") },
                ["key \"!\"", "whole number"]
            ),
            ("fraction", { $0.replacingOccurrences(of: "\"!\": 1,", with: "\"!\": 1.5,") }, ["key \"!\""]),
            ("negative", { $0.replacingOccurrences(of: "\"!\": 1,", with: "\"!\": -1,") }, ["key \"!\"", "-1"]),
            ("duplicate", { $0.replacingOccurrences(of: "\"!\": 1,", with: "\"!\": 2,") }, ["id 2", "\"!\""]),
            ("not-json", { _ in "{\"a\": " }, ["not valid JSON"]),
        ]
        for (label, edit, mentions) in cases {
            let (directory, file) = try Self.editedFiles("vocab.json", label, edit: edit)
            let message = try Self.message(loading: directory)
            #expect(message.hasPrefix(file.path + ":"), "\(label): \(message)")
            for mention in mentions { #expect(message.contains(mention), "\(label): \(message)") }
        }
    }

    @Test("a missing merges.txt or vocab.json is named")
    func missingFiles() throws {
        for missing in ["merges.txt", "vocab.json"] {
            let (directory, _) = try Self.editedFiles("vocab.json", "missing") { $0 }
            try FileManager.default.removeItem(at: directory.appendingPathComponent(missing))
            let message = try Self.message(loading: directory)
            #expect(message.hasPrefix(directory.appendingPathComponent(missing).path + ": no such file"), "\(message)")
        }
    }

    /// The gpt2 tokenizer.json, edited as a Foundation JSON object, written to a new directory.
    static func editedTokenizerJSON(_ label: String, edit: (inout [String: Any]) -> Void) throws -> URL {
        let data = try Data(contentsOf: try BPETestSupport.directory("gpt2").appendingPathComponent("tokenizer.json"))
        var root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        edit(&root)
        let directory = try Fixtures.temporaryDirectory("bpe-json-\(label)")
        try JSONSerialization.data(withJSONObject: root).write(to: directory.appendingPathComponent("tokenizer.json"))
        return directory
    }

    @Test("tokenizer.json: malformed merges, unsupported features, other models")
    func tokenizerJSONErrors() throws {
        func model(_ edit: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
            { root in
                var model = root["model"] as! [String: Any]
                edit(&model)
                root["model"] = model
            }
        }
        func setMerge(_ index: Int, _ value: Any) -> (inout [String: Any]) -> Void {
            model { model in
                var merges = model["merges"] as! [Any]
                merges[index] = value
                model["merges"] = merges
            }
        }
        let cases: [(String, (inout [String: Any]) -> Void, [String])] = [
            ("one-part", setMerge(5, "Ġt"), ["model.merges[5]", "two tokens"]),
            ("three-part", setMerge(6, ["a", "b", "c"]), ["model.merges[6]", "pair"]),
            ("number", setMerge(7, 3), ["model.merges[7]"]),
            ("oov", setMerge(8, "Ġ zzzq"), ["model.merges[8]", "\"zzzq\""]),
            ("dropout", model { $0["dropout"] = 0.1 }, ["model.dropout", "0.1", "not supported"]),
            ("byte-fallback", model { $0["byte_fallback"] = true }, ["model.byte_fallback"]),
            ("unigram", model { $0["type"] = "Unigram" }, ["model.type", "\"Unigram\"", "\"WordPiece\" or \"BPE\""]),
            ("vocab-id", model { $0["vocab"] = ["a": "x"] }, ["model.vocab.a", "whole number"]),
            ("normalizer", { $0["normalizer"] = ["type": "NFC"] }, ["normalizer", "\"NFC\""]),
            (
                "metaspace", { $0["pre_tokenizer"] = ["type": "Metaspace"] },
                ["pre_tokenizer.type", "\"Metaspace\"", "\"ByteLevel\""]
            ),
            (
                "sequence",
                { $0["pre_tokenizer"] = ["type": "Sequence", "pretokenizers": [["type": "Digits"]]] },
                ["pre_tokenizer.pretokenizers[0].type", "\"Digits\""]
            ),
            ("decoder", { $0["decoder"] = ["type": "WordPiece"] }, ["decoder.type", "\"WordPiece\""]),
            (
                "post-processor", { $0["post_processor"] = ["type": "Unknown"] },
                ["post_processor.type", "\"Unknown\""]
            ),
        ]
        for (label, edit, mentions) in cases {
            let directory = try Self.editedTokenizerJSON(label, edit: edit)
            let message = try Self.message(loading: directory)
            #expect(message.hasPrefix(directory.appendingPathComponent("tokenizer.json").path + ":"), "\(message)")
            for mention in mentions { #expect(message.contains(mention), "\(label): \(message)") }
        }
    }
}
