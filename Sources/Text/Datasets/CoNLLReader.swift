import Foundation

/// Reads token-classification data in the CoNLL layout: one word per line with its fields in
/// columns, a blank line between sentences.
///
///     -DOCSTART- -X- -X- O
///
///     EU NNP B-NP B-ORG
///     rejects VBZ B-VP O
///
/// - Columns are split at tabs when the first word line has a tab (fields then keep inner
///   spaces and are trimmed), otherwise at runs of spaces and tabs (`Separator`). Every word
///   line must have as many columns as the first one: with the tag in the last column, a line
///   missing its tag would otherwise silently take another column's value as the tag.
/// - `-DOCSTART-` lines are skipped and end the sentence before them, as the CoNLL-2003
///   loaders do; runs of blank lines give no empty sentences; `\r\n` line ends and a UTF-8
///   byte-order mark are accepted.
/// - Tags are checked against a `TagScheme` (IOB2 by default).
public enum CoNLLReader {
    /// How the columns of a line are separated.
    public enum Separator: Sendable, Equatable {
        /// Tabs when the first word line has one, else white space.
        case automatic
        /// Tabs only: a word may contain spaces.
        case tab
        /// Runs of spaces and tabs.
        case whitespace
    }

    /// Which columns to read and how to check them.
    public struct Options: Sendable, Equatable {
        /// 0-based column of the word.
        public var wordColumn: Int
        /// 0-based column of the tag; `nil` is the last column.
        public var tagColumn: Int?
        /// Whether tags are read (training, evaluation). When false only the word column is
        /// read and `TaggedSentence.tags` is nil (prediction); lines need no tag column.
        public var labelled: Bool
        /// The tagging scheme the tags must follow.
        public var scheme: TagScheme
        public var separator: Separator

        public init(
            wordColumn: Int = 0, tagColumn: Int? = nil, labelled: Bool = true, scheme: TagScheme = .iob2,
            separator: Separator = .automatic
        ) {
            precondition(wordColumn >= 0 && (tagColumn ?? 0) >= 0, "CoNLLReader.Options: negative column")
            self.wordColumn = wordColumn
            self.tagColumn = tagColumn
            self.labelled = labelled
            self.scheme = scheme
            self.separator = separator
        }
    }

    /// The sentences of the file at `path`.
    ///
    /// - Throws: `DataError` naming the file (and line) for a missing or unreadable file,
    ///   invalid UTF-8, a line with too few or inconsistent columns, a tag outside the scheme,
    ///   or a file without sentences.
    public static func read(_ path: String, options: Options = Options()) throws -> [TaggedSentence] {
        try parse(try TextFile.read(path), path: path, options: options)
    }

    /// The sentences of `content`; `path` names the source in errors.
    public static func parse(_ content: String, path: String, options: Options = Options()) throws -> [TaggedSentence] {
        var sentences: [TaggedSentence] = []
        var words: [String] = []
        var tags: [String] = []
        var lines: [Int] = []  // file line of each word of the current sentence
        var layout: (separator: Separator, columns: Int, line: Int)? = nil

        func finishSentence() throws {
            guard !words.isEmpty else { return }
            if options.labelled, let (index, message) = options.scheme.violation(in: tags) {
                throw DataError(file: path, line: lines[index], message)
            }
            sentences.append(TaggedSentence(words: words, tags: options.labelled ? tags : nil, line: lines[0]))
            words.removeAll(keepingCapacity: true)
            tags.removeAll(keepingCapacity: true)
            lines.removeAll(keepingCapacity: true)
        }

        var lineNumber = 0
        for rawLine in content.split(omittingEmptySubsequences: false, whereSeparator: \.isLineEnd) {
            lineNumber += 1
            var line = rawLine
            if line.hasSuffix("\r") { line = line.dropLast() }
            if lineNumber == 1 && line.hasPrefix("\u{FEFF}") { line = line.dropFirst() }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                try finishSentence()
                continue
            }
            let separator: Separator
            if let layout {
                separator = layout.separator
            } else if options.separator == .automatic {
                separator = line.contains("\t") ? .tab : .whitespace
            } else {
                separator = options.separator
            }
            let fields = split(line, separator)
            if fields.first == "-DOCSTART-" {
                try finishSentence()
                continue
            }
            if let layout, fields.count != layout.columns {
                throw DataError(
                    file: path, line: lineNumber,
                    "\(columns(fields.count)), but line \(layout.line) has \(layout.columns): every word line needs "
                        + "the same columns"
                )
            }
            let tagColumn = options.tagColumn ?? fields.count - 1
            let needed = max(options.wordColumn, options.labelled ? tagColumn : 0) + 1
            if fields.count < needed || (options.labelled && tagColumn == options.wordColumn) {
                let what =
                    options.labelled
                    ? "a word in column \(options.wordColumn + 1) and a tag in "
                        + (options.tagColumn.map { "column \($0 + 1)" } ?? "the last column")
                    : "a word in column \(options.wordColumn + 1)"
                throw DataError(file: path, line: lineNumber, "\(columns(fields.count)); expected \(what)")
            }
            if layout == nil { layout = (separator, fields.count, lineNumber) }
            let word = fields[options.wordColumn]
            guard !word.isEmpty else {
                throw DataError(file: path, line: lineNumber, "empty word in column \(options.wordColumn + 1)")
            }
            if options.labelled {
                let tag = fields[tagColumn]
                guard !tag.isEmpty else {
                    throw DataError(file: path, line: lineNumber, "empty tag in column \(tagColumn + 1)")
                }
                tags.append(tag)
            }
            words.append(word)
            lines.append(lineNumber)
        }
        try finishSentence()
        guard !sentences.isEmpty else { throw DataError(file: path, "contains no sentences") }
        return sentences
    }

    /// The fields of one line: tab-separated fields trimmed of spaces, or white-space runs.
    static func split(_ line: Substring, _ separator: Separator) -> [String] {
        switch separator {
        case .tab:
            return line.split(separator: "\t", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
        case .whitespace, .automatic:
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
    }

    private static func columns(_ count: Int) -> String {
        count == 1 ? "line has 1 column" : "line has \(count) columns"
    }
}
