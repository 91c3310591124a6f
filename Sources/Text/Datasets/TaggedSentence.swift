/// One sentence of a token-classification data set: its words and, when labelled, one tag
/// per word (`B-PER`, `I-PER`, `O`), as read by `CoNLLReader`.
public struct TaggedSentence: Equatable, Sendable {
    /// The words as written in the file (before any tokenization).
    public var words: [String]
    /// One tag per word, or `nil` for unlabelled input (e.g. to `predict`).
    public var tags: [String]?
    /// 1-based line of the first word in the file, for error messages.
    public var line: Int

    public init(words: [String], tags: [String]?, line: Int) {
        precondition(
            tags == nil || tags!.count == words.count,
            "TaggedSentence: \(words.count) words but \(tags!.count) tags")
        self.words = words
        self.tags = tags
        self.line = line
    }
}
