/// The WordPiece model: splits one pre-tokenized word into vocabulary ids, greedily taking the
/// longest vocabulary entry at each position (Hugging Face tokenizers' `WordPiece`).
///
/// - A word of more than `maxInputCharsPerWord` Unicode scalars is one `[UNK]`.
/// - The first piece is looked up as it is; every later piece with `continuingSubwordPrefix`
///   ("##") in front.
/// - At each position the longest match wins; shorter candidates drop one scalar at a time.
/// - When some position has no match, the whole word is one `[UNK]` (not just that piece).
public struct WordPiece: Sendable {
    /// Id of the unknown token, produced for words that cannot be split.
    public let unknownId: Int32
    /// Prefix of every piece that continues a word ("##").
    public let continuingSubwordPrefix: String
    /// Longest word, in Unicode scalars, that is split at all (100).
    public let maxInputCharsPerWord: Int
    /// Every vocabulary entry, for the first piece of a word.
    let wordStarts: TokenTable
    /// Entries that begin with `continuingSubwordPrefix`, keyed without it, for later pieces.
    let continuations: TokenTable

    /// A model over `vocabulary` (token → id).
    /// - Precondition: `vocabulary` holds `unknownToken`; the loaders check it and throw first.
    public init(
        vocabulary: [String: Int32], unknownToken: String = "[UNK]", continuingSubwordPrefix: String = "##",
        maxInputCharsPerWord: Int = 100
    ) {
        guard let unknownId = vocabulary[unknownToken] else {
            preconditionFailure(
                "WordPiece: the vocabulary (\(vocabulary.count) tokens) has no unknown token \"\(unknownToken)\"")
        }
        self.unknownId = unknownId
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
        // Sorted by id so that the table layout (and nothing else) is reproducible.
        let entries = vocabulary.sorted { $0.value < $1.value }
        wordStarts = TokenTable(entries.map { (Array($0.key.utf8), $0.value) })
        let prefix = Array(continuingSubwordPrefix.utf8)
        continuations = TokenTable(
            entries.compactMap { entry in
                let bytes = Array(entry.key.utf8)
                guard bytes.count >= prefix.count, bytes.starts(with: prefix) else { return nil }
                return (Array(bytes[prefix.count...]), entry.value)
            })
    }

    /// The ids of one word (no white space, no punctuation inside: the pre-tokenizer's output).
    public func tokenize(word: String) -> [Int32] {
        var ids: [Int32] = []
        UTF8Bytes.withBytes(of: word) { appendIds(word: $0, to: &ids) }
        return ids
    }

    /// Appends the ids of `word` (valid UTF-8, not empty) to `ids`.
    func appendIds(word: UnsafeBufferPointer<UInt8>, to ids: inout [Int32]) {
        var scalars = 0
        for byte in word where !UTF8Bytes.isContinuation(byte) { scalars += 1 }
        if scalars > maxInputCharsPerWord {
            ids.append(unknownId)
            return
        }
        let firstPiece = ids.count
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32? = nil
            let table = start == 0 ? wordStarts : continuations
            while start < end {
                if let id = table.value(for: UnsafeBufferPointer(rebasing: word[start..<end])) {
                    found = id
                    break
                }
                // One scalar shorter.
                end -= 1
                while end > start && UTF8Bytes.isContinuation(word[end]) { end -= 1 }
            }
            guard let id = found else {
                ids.removeSubrange(firstPiece...)
                ids.append(unknownId)
                return
            }
            ids.append(id)
            start = end
        }
    }
}
