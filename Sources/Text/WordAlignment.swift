/// The encoding of a sentence given as words (token classification), with the word each token
/// came from — what transformers gives for `tokenizer(words, is_split_into_words=True)` and
/// its `word_ids()`. Made by `WordPieceTokenizer.encode(words:maxLength:)`.
///
/// Shapes: every array has one entry per token `T` = `encoding.count` (special tokens included).
public struct WordAlignment: Sendable, Equatable {
    /// The label that the loss ignores (PyTorch's `ignore_index`, Hugging Face's -100).
    public static let ignoredLabel: Int32 = -100

    /// `[CLS] pieces of word 0, pieces of word 1, … [SEP]`, type ids 0, truncated.
    public var encoding: Encoding
    /// `[T]`: the index of the word each token comes from, -1 for special tokens
    /// (`word_ids()` with None as -1). A word split into several pieces, or split further by
    /// the pre-tokenizer (`"U.S."` → `u . s .`), repeats its index.
    public var wordIds: [Int32]
    /// `[T]`: the word index on the first token of each word, -1 on its other pieces and on
    /// special tokens — where the token-classification recipe puts the word's label.
    public var firstTokenWords: [Int32]
    /// Number of words given. Words that give no token (empty, or only characters that the
    /// normalizer drops) and words cut off by truncation have no first token, so they get no
    /// label and no prediction; `isPredicted` tells which.
    public var wordCount: Int

    public init(encoding: Encoding, wordIds: [Int32], wordCount: Int) {
        precondition(
            wordIds.count == encoding.count, "WordAlignment: \(wordIds.count) word ids for \(encoding.count) tokens")
        self.encoding = encoding
        self.wordIds = wordIds
        self.wordCount = wordCount
        var previous: Int32 = -1
        firstTokenWords = wordIds.map { word in
            defer { previous = word }
            return word >= 0 && word != previous ? word : -1
        }
    }

    /// `[T]` token labels from `[wordCount]` word labels: each word's label on its first token,
    /// `ignoredLabel` elsewhere (Hugging Face `run_ner.py` with `label_all_tokens=False`).
    public func tokenLabels(_ wordLabels: [Int32]) -> [Int32] {
        precondition(wordLabels.count == wordCount, "WordAlignment: \(wordLabels.count) labels for \(wordCount) words")
        return firstTokenWords.map { $0 >= 0 ? wordLabels[Int($0)] : Self.ignoredLabel }
    }

    /// `[wordCount]`: whether each word has a first token in the encoding (so a prediction).
    public var isPredicted: [Bool] {
        var predicted = [Bool](repeating: false, count: wordCount)
        for word in firstTokenWords where word >= 0 { predicted[Int(word)] = true }
        return predicted
    }
}
