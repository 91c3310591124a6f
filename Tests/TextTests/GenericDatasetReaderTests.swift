import Foundation
import JSON
import Testing
@testable import Text

/// `TextDatasetReader.read(_:columns:labels:)` with each label parser, over every format.
@Suite struct GenericDatasetReaderTests {
    static func file(_ name: String, _ content: String) throws -> String {
        try DatasetReaderTests.file(name, content)
    }

    static func error(_ body: () throws -> Void) -> String { DatasetReaderTests.error(body) }

    @Test func singleLabelParserInEveryFormat() throws {
        let parser = SingleLabelParser()
        let tsv = try Self.file("s.tsv", "sentence\tlabel\ngood\tpos\nbad\t\"neg\"\n")
        #expect(try TextDatasetReader.read(tsv, labels: parser).map(\.label) == ["pos", "\"neg\""])
        let csv = try Self.file("s.csv", "text,label\n\"x, y\",1\n")
        #expect(try TextDatasetReader.read(csv, labels: parser) == [LabelledText(text: "x, y", label: "1", line: 2)])
        let jsonl = try Self.file("s.jsonl", #"{"text": 12, "label": 2.0}"# + "\n" + #"{"text": "é", "label": 0.5}"#)
        #expect(
            try TextDatasetReader.read(jsonl, labels: parser) == [
                LabelledText(text: "12", label: "2", line: 1), LabelledText(text: "é", label: "0.5", line: 2),
            ])
        let empty = try Self.file("e.tsv", "sentence\tlabel\ngood\t\n")
        #expect(Self.error { _ = try TextDatasetReader.read(empty, labels: parser) } == "\(empty):2: empty label")
        let null = try Self.file("n.jsonl", #"{"text": "a", "label": null}"# + "\n")
        #expect(Self.error { _ = try TextDatasetReader.read(null) } == "\(null):1: no label (key \"label\")")
        #expect(try TextDatasetReader.read(null, columns: ColumnSelection(requireLabel: false)).map(\.label) == [nil])
        let object = try Self.file("o.jsonl", #"{"text": "a", "label": {"x": 1}}"# + "\n")
        #expect(
            Self.error { _ = try TextDatasetReader.read(object) }
                == "\(object):1: label (key \"label\") must be a string or a number")
    }

    @Test func labelListParserInEveryFormat() throws {
        let parser = LabelListParser(separator: "|")
        let tsv = try Self.file("m.tsv", "text\tlabels\na\tx|y\nb\t\n")
        #expect(
            try TextDatasetReader.read(tsv, labels: parser) == [
                MultiLabelText(text: "a", labels: ["x", "y"], line: 2), MultiLabelText(text: "b", labels: [], line: 3),
            ])
        let csv = try Self.file("m.csv", "text,labels\nc,\"[1, 2.0]\"\n")
        #expect(try TextDatasetReader.read(csv, labels: parser).map(\.labels) == [["1", "2"]])
        let jsonl = try Self.file(
            "m.jsonl",
            #"{"text": "d", "labels": "p|q"}"# + "\n"
                + #"{"text": "e", "labels": null}"#)
        #expect(try TextDatasetReader.read(jsonl, labels: parser).map(\.labels) == [["p", "q"], []])
        let bad = try Self.file("b.jsonl", #"{"text": "d", "labels": [true]}"# + "\n")
        #expect(
            Self.error { _ = try TextDatasetReader.read(bad, labels: parser) }
                == "\(bad):1: label true in a label array is not a string or an integer")
    }

    @Test func byteOrderMarkAndJSONErrorsWithColumns() throws {
        let tsv = try Self.file("bom.tsv", "\u{FEFF}sentence\tlabel\ngood\t1\n")
        #expect(try TextDatasetReader.read(tsv) == [LabelledText(text: "good", label: "1", line: 2)])
        let jsonl = try Self.file("bom.jsonl", "\u{FEFF}{\"text\": \"a\", \"label\": 1}\n")
        #expect(try MultiLabelDatasetReader.read(jsonl).map(\.labels) == [["1"]])
        let broken = try Self.file("x.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\" \"b\"}\n[1]\n")
        #expect(
            Self.error { _ = try TextDatasetReader.read(broken) }
                == "\(broken):2: not valid JSON (column 9: unexpected '\"', expected ':' after key \"text\")")
        let array = try Self.file("y.jsonl", "[1]\n")
        #expect(Self.error { _ = try TextDatasetReader.read(array) } == "\(array):1: expected a JSON object")
    }
}
