import Foundation
import Testing
@testable import Text

@Suite struct CoNLLReaderTests {
    static func parse(_ content: String, _ options: CoNLLReader.Options = .init()) throws -> [TaggedSentence] {
        try CoNLLReader.parse(content, path: "train.conll", options: options)
    }

    static func error(_ content: String, _ options: CoNLLReader.Options = .init()) -> String {
        do {
            _ = try parse(content, options)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func conll2003Layout() throws {
        let text = """
            -DOCSTART- -X- -X- O

            EU NNP B-NP B-ORG
            rejects VBZ B-VP O
            German JJ B-NP B-MISC
            call NN I-NP O
            . . O O


            Peter NNP B-NP B-PER
            Blackburn NNP I-NP I-PER
            -DOCSTART- -X- -X- O
            BRUSSELS NNP B-NP B-LOC
            """
        let sentences = try Self.parse(text)
        #expect(
            sentences == [
                TaggedSentence(
                    words: ["EU", "rejects", "German", "call", "."], tags: ["B-ORG", "O", "B-MISC", "O", "O"], line: 3),
                TaggedSentence(words: ["Peter", "Blackburn"], tags: ["B-PER", "I-PER"], line: 10),
                TaggedSentence(words: ["BRUSSELS"], tags: ["B-LOC"], line: 13),
            ])
    }

    @Test func crlfByteOrderMarkAndTrailingBlanks() throws {
        let sentences = try Self.parse("\u{FEFF}Hello O\r\nworld O\r\n \t \r\nBye O\r\n\r\n\r\n")
        #expect(
            sentences == [
                TaggedSentence(words: ["Hello", "world"], tags: ["O", "O"], line: 1),
                TaggedSentence(words: ["Bye"], tags: ["O"], line: 4),
            ])
    }

    @Test func tabSeparatedWordsKeepTheirSpaces() throws {
        let sentences = try Self.parse("New York\tB-LOC\nis\tO\n\n")
        #expect(sentences == [TaggedSentence(words: ["New York", "is"], tags: ["B-LOC", "O"], line: 1)])
        // Forcing white space splits the same line into three columns.
        #expect(
            Self.error("New York\tB-LOC\nis\tO\n", .init(separator: .whitespace))
                == "train.conll:2: line has 2 columns, but line 1 has 3: every word line needs the same columns")
    }

    @Test func chosenColumns() throws {
        let text = "1\tEU\tB-NP\tB-ORG\n2\trejects\tB-VP\tO\n"
        let sentences = try Self.parse(text, .init(wordColumn: 1, tagColumn: 2))
        #expect(sentences == [TaggedSentence(words: ["EU", "rejects"], tags: ["B-NP", "B-VP"], line: 1)])
    }

    @Test func unlabelledInputReadsWordsOnly() throws {
        let sentences = try Self.parse("EU\nrejects\n\nPeter\n", .init(labelled: false))
        #expect(
            sentences == [
                TaggedSentence(words: ["EU", "rejects"], tags: nil, line: 1),
                TaggedSentence(words: ["Peter"], tags: nil, line: 4),
            ])
        // A labelled file can be read for prediction too.
        #expect(
            try Self.parse("EU B-ORG\n", .init(labelled: false)) == [TaggedSentence(words: ["EU"], tags: nil, line: 1)])
    }

    @Test func iob1IsReadWithItsScheme() throws {
        let text = "Peter I-PER\nBlackburn I-PER\nJohn B-PER\nin O\nBonn I-LOC\n"
        #expect(
            Self.error(text) == "train.conll:1: tag \"I-PER\" follows the sentence start: in IOB2 an entity starts "
                + "with B-PER (if the file is IOB1, read it with scheme iob1)")
        let sentences = try Self.parse(text, .init(scheme: .iob1))
        #expect(sentences[0].tags == ["I-PER", "I-PER", "B-PER", "O", "I-LOC"])
        #expect(TagScheme.iob2(fromIOB1: sentences[0].tags!) == ["B-PER", "I-PER", "B-PER", "O", "B-LOC"])
        #expect(TagScheme.iob2.violation(in: TagScheme.iob2(fromIOB1: sentences[0].tags!)) == nil)
    }

    @Test(arguments: [
        // (file, expected error)
        (
            "EU B-ORG\nrejects\n",
            "train.conll:2: line has 1 column, but line 1 has 2: every word line needs the same columns"
        ),
        ("EU\n", "train.conll:1: line has 1 column; expected a word in column 1 and a tag in the last column"),
        (
            "EU NNP B-ORG\nrejects VBZ\n",
            "train.conll:2: line has 2 columns, but line 1 has 3: every word line needs the same columns"
        ),
        ("EU B-ORG\nrejects E-ORG\n", "train.conll:2: tag \"E-ORG\" is not O, B-<type> or I-<type> (IOB2 tags)"),
        ("EU B-\n", "train.conll:1: tag \"B-\" is not O, B-<type> or I-<type> (IOB2 tags)"),
        ("EU PER\n", "train.conll:1: tag \"PER\" is not O, B-<type> or I-<type> (IOB2 tags)"),
        (
            "a O\n\nb B-PER\nc O\nd I-PER\n",
            "train.conll:5: tag \"I-PER\" follows \"O\": in IOB2 an entity starts with B-PER (if the file is IOB1, "
                + "read it with scheme iob1)"
        ),
        (
            "a B-PER\nb I-LOC\n",
            "train.conll:2: tag \"I-LOC\" follows \"B-PER\": in IOB2 an entity starts with B-LOC (if the file is "
                + "IOB1, read it with scheme iob1)"
        ),
        ("EU\tB-ORG\n\t\nrejects\t\n", "train.conll:3: empty tag in column 2"),
        ("-DOCSTART- -X- O\n\n\n", "train.conll: contains no sentences"),
        ("", "train.conll: contains no sentences"),
    ])
    func malformedFiles(_ content: String, _ expected: String) {
        #expect(Self.error(content) == expected)
    }

    @Test func tagColumnBeyondTheLine() {
        #expect(
            Self.error("EU NNP\n", .init(tagColumn: 3))
                == "train.conll:1: line has 2 columns; expected a word in column 1 and a tag in column 4")
    }

    @Test func readsFilesAndNamesMissingOnes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ddp-train-conll-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("dev.conll").path
        try "Bonn B-LOC\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try CoNLLReader.read(path) == [TaggedSentence(words: ["Bonn"], tags: ["B-LOC"], line: 1)])
        #expect(throws: DataError(file: path + ".missing", "no such file")) { try CoNLLReader.read(path + ".missing") }
    }

    @Test func tagParsing() {
        #expect(TagScheme.Tag("O") == .outside)
        #expect(TagScheme.Tag("B-PER") == .begin("PER"))
        #expect(TagScheme.Tag("I-ORG-CORP") == .inside("ORG-CORP"))
        #expect(TagScheme.Tag("B-\u{301}X") == .begin("\u{301}X"))
        for bad in ["", "B", "B-", "O-PER", "S-PER", "b-PER", "BPER"] { #expect(TagScheme.Tag(bad) == nil, "\(bad)") }
    }
}
