/// A data file read for a task, before its label set is fixed: the label (or tag) names it
/// uses, its raw texts (for augmentation), and how to encode it once the label set is known.
/// Made by `FineTuningTask.read`.
public struct TaskData {
    /// Every label name that occurs (multi-label: each label of each set; tokens: each tag).
    public var labelNames: [String]
    /// The text and pair of each example (empty for word-tagged data).
    public var texts: [(text: String, pair: String?)]
    /// The words of each sentence of word-tagged data (empty otherwise).
    public var words: [[String]] = []
    /// Tokenises the file and maps its labels through a label set.
    public var encode: (LabelSet?) throws -> EncodedDataset
}
