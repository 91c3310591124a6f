import Foundation
import Testing
@testable import Text

@Suite struct DatasetReaderTests {
    /// Writes `content` to a fresh temporary file named `name` and returns its path.
    static func file(_ name: String, _ content: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ddp-train-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try content.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static func error(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func glueStyleTSVWithTrailingSpaces() throws {
        let path = try Self.file(
            "train.tsv", "sentence\tlabel\nit 's a charming journey . \t1\nbleak and desperate \t0\n")
        let rows = try TextDatasetReader.read(path)
        #expect(
            rows == [
                LabelledText(text: "it 's a charming journey .", label: "1", line: 2),
                LabelledText(text: "bleak and desperate", label: "0", line: 3),
            ])
    }

    @Test func headerlessTSVIsTextThenLabel() throws {
        let path = try Self.file("d.tsv", "good film\tpositive\nbad film\tnegative\n")
        let rows = try TextDatasetReader.read(path)
        #expect(rows.map(\.text) == ["good film", "bad film"])
        #expect(rows.map(\.label) == ["positive", "negative"])
    }

    @Test func csvWithQuotesCommasAndNewlines() throws {
        let csv = "id,review,sentiment\n1,\"Great, really \"\"great\"\"\",pos\n2,\"two\nlines\",neg\n"
        let path = try Self.file("d.csv", csv)
        let rows = try TextDatasetReader.read(path, columns: ColumnSelection(text: "review", label: "sentiment"))
        #expect(
            rows == [
                LabelledText(text: "Great, really \"great\"", label: "pos", line: 2),
                LabelledText(text: "two\nlines", label: "neg", line: 3),
            ])
    }

    @Test func jsonLinesWithPairsAndNumericLabels() throws {
        let path = try Self.file(
            "d.jsonl",
            "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"label\": 1}\n\n{\"sentence1\": \"c\", \"sentence2\": "
                + "\"d\", \"label\": \"0\"}\n"
        )
        let rows = try TextDatasetReader.read(path)
        #expect(
            rows == [
                LabelledText(text: "a", pair: "b", label: "1", line: 1),
                LabelledText(text: "c", pair: "d", label: "0", line: 3),
            ])
    }

    @Test func columnsByIndex() throws {
        let path = try Self.file("d.tsv", "0\tfirst text\n1\tsecond text\n")
        let rows = try TextDatasetReader.read(path, columns: ColumnSelection(text: "1", label: "0"))
        #expect(rows.map(\.text) == ["first text", "second text"])
        #expect(rows.map(\.label) == ["0", "1"])
    }

    @Test func badInputsNameTheFileAndLine() throws {
        let missingLabel = try Self.file("train.tsv", "sentence\tlabel\ngood\t1\nno label here\n")
        #expect(
            Self.error { _ = try TextDatasetReader.read(missingLabel) }
                == "\(missingLabel):3: row has 1 field, no label column (column 2 \"label\")")
        let empty = try Self.file("empty.tsv", "sentence\tlabel\n")
        #expect(Self.error { _ = try TextDatasetReader.read(empty) } == "\(empty): contains no examples")
        #expect(
            Self.error { _ = try TextDatasetReader.read("/nonexistent/x.tsv") } == "/nonexistent/x.tsv: no such file")
        #expect(Self.error { _ = try TextDatasetReader.read("/tmp/x.parquet") }.contains("unknown data format"))
        let badJSON = try Self.file("d.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": oops}\n")
        #expect(Self.error { _ = try TextDatasetReader.read(badJSON) }.hasPrefix("\(badJSON):2: not valid JSON"))
        let unclosed = try Self.file("d.csv", "text,label\n\"never closed,1\n")
        #expect(
            Self.error { _ = try TextDatasetReader.read(unclosed) } == "\(unclosed):2: quoted field is never closed")
        let wrongColumn = try Self.file("d.tsv", "sentence\tlabel\na\t1\n")
        #expect(
            Self.error { _ = try TextDatasetReader.read(wrongColumn, columns: ColumnSelection(label: "gold")) }
                == "\(wrongColumn):1: header [\"sentence\", \"label\"] has none of the columns [\"gold\"]")
        #expect(
            Self.error {
                _ = try TextDatasetReader.read(wrongColumn, columns: ColumnSelection(text: "sentence", label: "gold"))
            }
                == "\(wrongColumn):1: no label column \"gold\" in header [\"sentence\", \"label\"]")
    }

    @Test func predictionInputNeedsNoLabel() throws {
        let path = try Self.file("in.tsv", "sentence\nfirst\nsecond\n")
        let rows = try TextDatasetReader.read(path, columns: ColumnSelection(requireLabel: false))
        #expect(rows.map(\.text) == ["first", "second"])
        #expect(rows.allSatisfy { $0.label == nil })
    }
}

extension DatasetReaderTests {
    @Test func windowsLineEndsInEveryFormat() throws {
        let tsv = try Self.file("w.tsv", "sentence\tlabel\r\ngood film\t1\r\nbad film\t0\r\n")
        #expect(try TextDatasetReader.read(tsv).map(\.label) == ["1", "0"])
        let csv = try Self.file("w.csv", "text,label\r\n\"a, b\",x\r\nc,y\r\n")
        #expect(try TextDatasetReader.read(csv).map(\.text) == ["a, b", "c"])
        let jsonl = try Self.file("w.jsonl", "{\"text\": \"a\", \"label\": 1}\r\n{\"text\": \"b\", \"label\": 0}\r\n")
        #expect(try TextDatasetReader.read(jsonl).map(\.line) == [1, 2])
    }
}
