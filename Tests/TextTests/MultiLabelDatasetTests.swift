import Foundation
import JSON
import Testing
@testable import Text

@Suite struct MultiLabelDatasetTests {
    static func parse(_ field: String) throws -> Set<String> {
        try MultiLabelField.parse(field, path: "train.tsv", line: 7)
    }

    static func error(_ body: () throws -> Any) -> String {
        do {
            _ = try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func delimitedAndJSONArrayFields() throws {
        #expect(try Self.parse("sports,politics") == ["sports", "politics"])
        #expect(try Self.parse(" sports , politics ,sports") == ["sports", "politics"])
        #expect(try Self.parse("") == [])
        #expect(try Self.parse("  ") == [])
        #expect(try Self.parse("solo") == ["solo"])
        #expect(try Self.parse(#"["sports", "politics, world"]"#) == ["sports", "politics, world"])
        #expect(try Self.parse("[0, 3]") == ["0", "3"])
        #expect(try Self.parse("[]") == [])
        #expect(try MultiLabelField.parse("a|b", separator: "|", path: "x", line: 1) == ["a", "b"])
    }

    @Test func jsonValues() throws {
        func parse(_ json: String) throws -> Set<String> {
            let value = try JSONParser.parse(json)
            return try MultiLabelField.parse(jsonValue: value, path: "train.jsonl", line: 2)
        }
        #expect(try parse(#"["joy", "anger"]"#) == ["joy", "anger"])
        #expect(try parse("[1, 27]") == ["1", "27"])
        #expect(try parse(#""joy,anger""#) == ["joy", "anger"])
        #expect(try parse("4") == ["4"])
        #expect(try parse("null") == [])
        #expect(
            Self.error { try parse("true") }
                == "train.jsonl:2: labels must be an array of strings or integers, a string or null; found true")
        #expect(
            Self.error { try parse("[1.5]") }
                == "train.jsonl:2: label 1.5 in a label array is not a string or an integer")
        #expect(Self.error { try parse(#"["a", ""]"#) } == "train.jsonl:2: empty label name in a label array")
    }

    @Test func malformedFields() {
        #expect(
            Self.error { try Self.parse("sports,,politics") }
                == #"train.tsv:7: empty label name in "sports,,politics" (labels separated by ",")"#)
        #expect(
            Self.error { try Self.parse("sports,") }
                == #"train.tsv:7: empty label name in "sports," (labels separated by ",")"#)
        #expect(
            Self.error { try Self.parse("[sports") }
                == #"train.tsv:7: labels [sports start with "[" but are not a JSON array"#)
        #expect(
            Self.error { try Self.parse(#"[{"a": 1}]"#) }
                == "train.tsv:7: label an object in a label array is not a string or an integer")
    }

    @Test func multiHotTargets() throws {
        let names = ["anger", "joy", "sadness"]
        #expect(try MultiLabelField.targets(["joy", "sadness"], names: names, path: "t", line: 1) == [0, 1, 1])
        #expect(try MultiLabelField.targets([], names: names, path: "t", line: 1) == [0, 0, 0])
        #expect(
            Self.error { try MultiLabelField.targets(["fear"], names: names, path: "dev.tsv", line: 4) }
                == #"dev.tsv:4: label "fear" is not one of [anger, joy, sadness]"#)
    }

    static func file(_ name: String, _ content: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ddp-train-multilabel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try content.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func readsTSVCSVAndJSONLines() throws {
        let tsv = try Self.file(
            "train.tsv", "text\tlabels\ngood game\tsports\nvote now\tpolitics,world\nnothing here\t\n")
        #expect(
            try MultiLabelDatasetReader.read(tsv) == [
                MultiLabelText(text: "good game", labels: ["sports"], line: 2),
                MultiLabelText(text: "vote now", labels: ["politics", "world"], line: 3),
                MultiLabelText(text: "nothing here", labels: [], line: 4),
            ])
        let csv = try Self.file("train.csv", "text,labels\n\"a, b\",\"[\"\"x\"\", \"\"y\"\"]\"\nc,z\n")
        #expect(
            try MultiLabelDatasetReader.read(csv) == [
                MultiLabelText(text: "a, b", labels: ["x", "y"], line: 2),
                MultiLabelText(text: "c", labels: ["z"], line: 3),
            ])
        let jsonl = try Self.file(
            "train.jsonl",
            #"{"text": "so happy", "labels": ["joy", "love"]}"# + "\n\n"
                + #"{"text": "meh", "labels": []}"# + "\n" + #"{"text": "hm", "labels": [3]}"# + "\n")
        #expect(
            try MultiLabelDatasetReader.read(jsonl) == [
                MultiLabelText(text: "so happy", labels: ["joy", "love"], line: 1),
                MultiLabelText(text: "meh", labels: [], line: 3),
                MultiLabelText(text: "hm", labels: ["3"], line: 4),
            ])
    }

    @Test func missingLabelsAreErrorsUnlessForPrediction() throws {
        let jsonl = try Self.file("dev.jsonl", #"{"text": "a", "labels": ["x"]}"# + "\n" + #"{"text": "b"}"# + "\n")
        #expect(Self.error { try MultiLabelDatasetReader.read(jsonl) } == "\(jsonl):2: no labels (key \"labels\")")
        let rows = try MultiLabelDatasetReader.read(jsonl, columns: ColumnSelection(requireLabel: false))
        #expect(rows.map(\.labels) == [["x"], nil])
        let tsv = try Self.file("dev.tsv", "text\tlabels\na\tx\nb\n")
        #expect(
            Self.error { try MultiLabelDatasetReader.read(tsv) }
                == "\(tsv):3: row has 1 field, no label column (column 2 \"labels\")")
        let bad = try Self.file("bad.tsv", "text\tlabels\na\tx,,y\n")
        #expect(
            Self.error { try MultiLabelDatasetReader.read(bad) }
                == "\(bad):2: empty label name in \"x,,y\" (labels separated by \",\")")
    }
}
