/// A multi-label example; `labels` is the set of its label names.
public typealias MultiLabelText = LabelledExample<Set<String>>

extension LabelledExample where Label == Set<String> {
    public init(text: String, pair: String? = nil, labels: Set<String>?, line: Int) {
        self.init(text: text, pair: pair, label: labels, line: line)
    }

    /// The label names (possibly none), or `nil` for unlabelled input (prediction).
    public var labels: Set<String>? {
        get { label }
        set { label = newValue }
    }
}

/// Reads multi-label text data from TSV, CSV or JSON Lines files — the layouts and column
/// selection of `TextDatasetReader` — with the label column parsed by `MultiLabelField`:
/// `sports,politics` or `["sports","politics"]` in a delimited file, a JSON array in JSON
/// Lines. An empty label field is an example with no labels (not an error, unlike
/// single-label data); a missing label column or key is an error when labels are required.
public enum MultiLabelDatasetReader {
    /// Every example of `path`.
    ///
    /// - Parameter separator: between label names in a text field.
    /// - Throws: `DataError` naming the file and line, as `TextDatasetReader.read`, and for
    ///   label fields `MultiLabelField` rejects.
    public static func read(
        _ path: String, columns: ColumnSelection = ColumnSelection(), separator: Character = ","
    ) throws -> [MultiLabelText] {
        try TextDatasetReader.read(path, columns: columns, labels: LabelListParser(separator: separator))
    }
}
