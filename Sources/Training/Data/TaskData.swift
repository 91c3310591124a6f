import Foundation
import Text

/// A data file read for a task, before its label set is fixed: the label (or tag) names it
/// uses, its raw texts (for augmentation), and how to encode it once the label set is known.
public struct TaskData {
    /// Every label name that occurs (multi-label: each label of each set; tokens: each tag).
    public var labelNames: [String]
    /// The text and pair of each example (empty for word-tagged data).
    public var texts: [(text: String, pair: String?)]
    /// The words of each sentence of word-tagged data (empty otherwise).
    public var words: [[String]] = []
    /// Tokenises the file and maps its labels through a label set.
    public var encode: (LabelSet?) throws -> EncodedDataset

    /// Reads `path` for `task`. `requireLabels: false` reads prediction input (labels
    /// ignored when absent).
    public static func read(
        _ path: String, task: TaskKind, columns: ColumnSelection, labelSeparator: Character = ",",
        tokenizer: WordPieceTokenizer, maxLength: Int, requireLabels: Bool = true
    ) throws -> TaskData {
        var columns = columns
        columns.requireLabel = requireLabels
        switch task {
        case .classification:
            let rows = try TextDatasetReader.read(path, columns: columns)
            return TaskData(labelNames: rows.compactMap(\.label), texts: rows.map { ($0.text, $0.pair) }) { labels in
                try EncodedDataset.encode(rows, file: path, tokenizer: tokenizer, maxLength: maxLength, labelSet: labels,
                                          requireLabels: requireLabels)
            }
        case .regression:
            let rows = try TextDatasetReader.read(path, columns: columns)
            return TaskData(labelNames: [], texts: rows.map { ($0.text, $0.pair) }) { _ in
                try EncodedDataset.encodeRegression(rows, file: path, tokenizer: tokenizer, maxLength: maxLength,
                                                    requireLabels: requireLabels)
            }
        case .multiLabel:
            let rows = try MultiLabelDatasetReader.read(path, columns: columns, separator: labelSeparator)
            return TaskData(labelNames: rows.flatMap { $0.labels.map(Array.init) ?? [] }, texts: rows.map { ($0.text, $0.pair) }) { labels in
                try EncodedDataset.encodeMultiLabel(rows, file: path, tokenizer: tokenizer, maxLength: maxLength,
                                                    labelSet: labels!, requireLabels: requireLabels)
            }
        case .tokenClassification:
            var reader = CoNLLReader.Options()
            reader.labelled = requireLabels
            let sentences: [TaggedSentence]
            if requireLabels || ["conll", "txt", "iob", "bio"].contains((path as NSString).pathExtension.lowercased()) {
                sentences = try CoNLLReader.read(path, options: reader)
            } else {
                // Plain text to tag: one sentence per row of a TSV/CSV/JSONL file, words split at spaces.
                sentences = try TextDatasetReader.read(path, columns: columns).map {
                    TaggedSentence(words: $0.text.split(whereSeparator: \.isWhitespace).map(String.init), tags: nil, line: $0.line)
                }
            }
            return TaskData(labelNames: sentences.flatMap { $0.tags ?? [] }, texts: [], words: sentences.map(\.words)) { labels in
                try EncodedDataset.encodeTokens(sentences, file: path, tokenizer: tokenizer, maxLength: maxLength, tagSet: labels!)
            }
        }
    }
}

extension LabelSet {
    /// The tag set of word-tagged data: `O` first, then the tags sorted by entity type and
    /// `B` before `I` (so `B-LOC, I-LOC, B-PER, …`).
    public static func tags(_ names: [String]) -> LabelSet {
        let distinct = Set(names)
        let others = distinct.subtracting(["O"]).sorted { a, b in
            let ta = a.dropFirst(2), tb = b.dropFirst(2)
            return ta != tb ? ta < tb : a < b
        }
        return LabelSet(names: (distinct.contains("O") ? ["O"] : []) + others)
    }
}
