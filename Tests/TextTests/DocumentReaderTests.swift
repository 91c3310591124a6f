import Foundation
import TestSupport
import Testing

@testable import Text

/// `DocumentReader.read`: `.txt` documents split on blank lines, `.jsonl` text or
/// prompt/completion rows, and errors that name the file and line.
@Suite struct DocumentReaderTests {
    /// Writes `bytes` to a new file called `name` in a fresh temporary directory.
    static func file(_ name: String, bytes: Data) throws -> String {
        let url = try Fixtures.temporaryDirectory("document-reader").appendingPathComponent(name)
        try bytes.write(to: url)
        return url.path
    }

    static func file(_ name: String, _ content: String) throws -> String {
        try file(name, bytes: Data(content.utf8))
    }

    static func documents(_ name: String, _ content: String) throws -> [DocumentCorpus.Document] {
        guard case .documents(let documents) = try DocumentReader.read(file(name, content)) else {
            Issue.record("\(name): read as prompt/completion pairs")
            return []
        }
        return documents
    }

    static func pairs(_ content: String) throws -> [DocumentCorpus.PromptCompletion] {
        guard case .pairs(let pairs) = try DocumentReader.read(file("p.jsonl", content)) else {
            Issue.record("read as documents")
            return []
        }
        return pairs
    }

    /// The error `read` throws for `path`, as printed.
    static func error(_ path: String) -> String {
        do {
            let corpus = try DocumentReader.read(path)
            return "no error: \(corpus)"
        } catch {
            return "\(error)"
        }
    }

    static func document(_ text: String, _ line: Int) -> DocumentCorpus.Document {
        DocumentCorpus.Document(text: text, line: line)
    }

    // MARK: .txt

    @Test func blankLinesSeparateDocumentsWhoseLinesJoinWithNewlines() throws {
        let text = "first line\nsecond line\n\nthird\n"
        #expect(
            try Self.documents("a.txt", text) == [
                Self.document("first line\nsecond line", 1), Self.document("third", 4),
            ])
        // No final newline: the last line is still read, and nothing trails it.
        #expect(try Self.documents("b.txt", "one\ntwo") == [Self.document("one\ntwo", 1)])
        // The `.text` extension reads the same way, in any case.
        #expect(try Self.documents("c.TEXT", "x\n\ny") == [Self.document("x", 1), Self.document("y", 3)])
    }

    @Test func whitespaceOnlyLinesAreBlankButIndentationIsKept() throws {
        let text = "a\n  \t \nb\n\t\n  indented\n"
        #expect(
            try Self.documents("w.txt", text) == [
                Self.document("a", 1), Self.document("b", 3), Self.document("  indented", 5),
            ])
        // Other characters are text: a lone carriage return, a form feed, a no-break space.
        let others = "a\n \nb\n\u{0C}\nc\n\u{A0}\nd"
        #expect(try Self.documents("o.txt", others).map(\.text) == ["a", "b\n\u{0C}\nc\n\u{A0}\nd"])
        #expect(try Self.documents("r.txt", "a\n\n\r\rb") == [Self.document("a", 1), Self.document("\r\rb", 3)])
    }

    @Test func runsOfBlankLinesAndLeadingOrTrailingOnesMakeNoEmptyDocuments() throws {
        let text = "\n\n  \nfirst\n\n\n\n\nsecond\nmore\n\n\n \n"
        #expect(try Self.documents("r.txt", text) == [Self.document("first", 4), Self.document("second\nmore", 9)])
    }

    @Test func windowsLineEndsAndAByteOrderMark() throws {
        let text = "\u{FEFF}first\r\nline\r\n\r\n \t\r\nsecond\r\n"
        #expect(try Self.documents("crlf.txt", text) == [Self.document("first\nline", 1), Self.document("second", 5)])
        // The mark takes no line: a document after two blank lines starts on line 3.
        #expect(try Self.documents("bom.txt", "\u{FEFF}\n\nthird") == [Self.document("third", 3)])
        // Mixed line ends in one file.
        #expect(
            try Self.documents("mixed.txt", "a\r\nb\nc\r\n\nd") == [Self.document("a\nb\nc", 1), Self.document("d", 5)])
    }

    @Test func unicodeTextIsKeptAsWritten() throws {
        let text = "caf\u{E9} \u{1F600}\n\u{65E5}\u{672C}\n\ne\u{301}"
        #expect(try Self.documents("u.txt", text).map(\.text) == ["caf\u{E9} \u{1F600}\n\u{65E5}\u{672C}", "e\u{301}"])
    }

    // MARK: .jsonl

    @Test func jsonLinesWithTextAreDocumentsOnTheirLines() throws {
        let text = #"{"text": "a\nb", "id": 1}"# + "\n\n  \n" + #"  {"text": "second"}  "# + "\r\n" + #"{"text": ""}"#
        #expect(
            try Self.documents("t.jsonl", text) == [
                Self.document("a\nb", 1), Self.document("second", 4), Self.document("", 5),
            ])
        for ext in ["json", "ndjson", "JSONL"] {
            #expect(try Self.documents("t.\(ext)", "\u{FEFF}" + #"{"text": "x"}"#) == [Self.document("x", 1)])
        }
    }

    @Test func promptAndCompletionMakePairs() throws {
        let text =
            #"{"prompt": "2 + 2 =", "completion": " 4", "text": "ignored"}"# + "\n\n"
            + #"{"completion": "", "prompt": ""}"# + "\n"
        #expect(
            try Self.pairs(text) == [
                .init(prompt: "2 + 2 =", completion: " 4", line: 1), .init(prompt: "", completion: "", line: 3),
            ])
    }

    @Test func theFirstObjectDecidesTheKind() throws {
        let textFirst = try Self.file("t.jsonl", #"{"text": "a"}"# + "\n" + #"{"prompt": "p", "completion": "c"}"#)
        #expect(
            Self.error(textFirst)
                == "\(textFirst):2: no \"text\" key (expected \"text\"; found \"prompt\", \"completion\")")
        let pairFirst = try Self.file("p.jsonl", #"{"prompt": "p", "completion": "c"}"# + "\n\n" + #"{"text": "a"}"#)
        #expect(
            Self.error(pairFirst)
                == "\(pairFirst):3: no \"prompt\" key (expected \"prompt\" and \"completion\"; found \"text\")")
        let noCompletion = try Self.file("c.jsonl", #"{"prompt": "p", "completion": "c"}"# + "\n" + #"{"prompt": "q"}"#)
        #expect(
            Self.error(noCompletion)
                == "\(noCompletion):2: no \"completion\" key (expected \"prompt\" and \"completion\"; found \"prompt\")"
        )
        // A prompt without a completion on the first line is not a pair: "text" is missing.
        let lonePrompt = try Self.file("l.jsonl", #"{"prompt": "p"}"#)
        #expect(Self.error(lonePrompt) == "\(lonePrompt):1: no \"text\" key (expected \"text\"; found \"prompt\")")
        let noKeys = try Self.file("e.jsonl", "{}")
        #expect(Self.error(noKeys) == "\(noKeys):1: no \"text\" key (expected \"text\"; found no keys)")
    }

    @Test func valuesMustBeStrings() throws {
        let number = try Self.file("n.jsonl", #"{"text": "a"}"# + "\n" + #"{"text": 5}"#)
        #expect(Self.error(number) == "\(number):2: \"text\" must be a string, found integer 5")
        let null = try Self.file("z.jsonl", #"{"text": null}"#)
        #expect(Self.error(null).hasPrefix("\(null):1: \"text\" must be a string, found null"))
        let array = try Self.file("a.jsonl", #"{"prompt": "p", "completion": ["c"]}"#)
        #expect(Self.error(array) == "\(array):1: \"completion\" must be a string, found array [\"c\"]")
    }

    @Test func invalidJSONAndNonObjectsNameTheLine() throws {
        let broken = try Self.file("b.jsonl", #"{"text": "a"}"# + "\n\n" + #"{"text": "b""#)
        let message = Self.error(broken)
        #expect(message.hasPrefix("\(broken):3: not valid JSON (column "), "\(message)")
        let array = try Self.file("arr.jsonl", #"{"text": "a"}"# + "\n" + #"["text", "b"]"#)
        #expect(Self.error(array) == "\(array):2: expected a JSON object")
        let string = try Self.file("s.jsonl", #""just text""#)
        #expect(Self.error(string) == "\(string):1: expected a JSON object")
        let trailing = try Self.file("t.jsonl", #"{"text": "a"} x"#)
        #expect(Self.error(trailing).hasPrefix("\(trailing):1: not valid JSON"))
    }

    // MARK: Files

    @Test func unknownMissingEmptyAndUnreadableFiles() throws {
        let csv = try Self.file("data.csv", "text\nhello\n")
        #expect(Self.error(csv) == "\(csv): unknown text format: expected a .txt file or a .jsonl file")
        let none = try Self.file("noextension", "hello")
        #expect(Self.error(none).hasSuffix(": unknown text format: expected a .txt file or a .jsonl file"))
        let missing = try Fixtures.temporaryDirectory("document-reader").appendingPathComponent("absent.txt").path
        #expect(Self.error(missing) == "\(missing): no such file")
        for (name, content) in [("e.txt", ""), ("b.txt", "\n \n\t\n"), ("bom.txt", "\u{FEFF}"), ("e.jsonl", "\n  \n")] {
            let path = try Self.file(name, content)
            #expect(Self.error(path) == "\(path): contains no text", "\(name)")
        }
        let latin1 = try Self.file("l.txt", bytes: Data([0x63, 0x61, 0x66, 0xE9, 0x0A]))
        #expect(Self.error(latin1) == "\(latin1): is not valid UTF-8")
        let truncated = try Self.file("t.jsonl", bytes: Data(#"{"text": "\#u{1F600}"}"#.utf8.dropLast(4)))
        #expect(Self.error(truncated) == "\(truncated): is not valid UTF-8")
    }
}
