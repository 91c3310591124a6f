import Foundation

/// Reads labelled text from TSV, CSV or JSON Lines files, chosen by extension (`.tsv`,
/// `.csv`, `.jsonl`/`.json`), with the label column read by a `LabelParser`.
///
/// Delimited files: the first line is a header when it names the selected columns (or, with
/// detection, when it contains a recognised text column); otherwise columns must be chosen
/// by index. TSV fields are split at tabs with no quoting (as GLUE's files; SST-2's text
/// keeps its quotes) and trimmed of surrounding spaces; CSV follows RFC 4180 (quoted fields
/// may hold commas, quotes and newlines). JSON Lines: one object per line, columns are keys;
/// a text may be a string or a number. Lines may end in `\n` or `\r\n`; a UTF-8 byte order
/// mark at the start of the file is skipped.
public enum TextDatasetReader {
    public enum Format: String, Sendable {
        case tsv, csv, jsonl
    }

    public static func format(of path: String) throws -> Format {
        switch (path as NSString).pathExtension.lowercased() {
        case "tsv", "txt": return .tsv
        case "csv": return .csv
        case "jsonl", "json", "ndjson": return .jsonl
        default:
            throw DataError(file: path, "unknown data format: expected a .tsv, .csv or .jsonl file")
        }
    }

    /// Every example of `path`, one label each, as written (`SingleLabelParser`).
    ///
    /// - Throws: `DataError` naming the file and line for a missing file, a row without the
    ///   text or label column, an empty label, a malformed line, or no rows.
    public static func read(_ path: String, columns: ColumnSelection = ColumnSelection()) throws -> [LabelledText] {
        try read(path, columns: columns, labels: SingleLabelParser())
    }

    /// Every example of `path`, with labels read by `parser`.
    ///
    /// - Throws: `DataError` naming the file and line, as `read(_:columns:)`, and for label
    ///   fields `parser` rejects.
    public static func read<Parser: LabelParser>(
        _ path: String, columns: ColumnSelection = ColumnSelection(), labels parser: Parser
    ) throws -> [LabelledExample<Parser.Label>] {
        let format = try format(of: path)
        let content = try TextFile.read(path)
        let rows = DatasetRows(path: path, columns: columns, parser: parser)
        let examples: [LabelledExample<Parser.Label>]
        switch format {
        case .tsv: examples = try rows.delimited(DelimitedText.tsvRecords(content))
        case .csv: examples = try rows.delimited(try DelimitedText.csvRecords(content, path: path))
        case .jsonl: examples = try rows.jsonLines(content)
        }
        guard !examples.isEmpty else { throw DataError(file: path, "contains no examples") }
        return examples
    }
}
