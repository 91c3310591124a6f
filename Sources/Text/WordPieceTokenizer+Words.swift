extension WordPieceTokenizer {
    /// Encodes a sentence already split into words, as transformers'
    /// `tokenizer(words, is_split_into_words=True, truncation=True, max_length=maxLength)`.
    ///
    /// Each word is tokenized on its own (added tokens, normalization, pre-tokenization,
    /// WordPiece: `ids(_:)`), so no piece spans two words; a word the normalizer empties gives
    /// no token. The pieces are cut to `maxLength − 2` (nothing is cut when `maxLength` is below
    /// the two special tokens, as in the reference), then framed as `[CLS] … [SEP]`.
    ///
    /// - Parameter maxLength: the most tokens of the result, special tokens included; `nil`
    ///   does not truncate.
    public func encode(words: [String], maxLength: Int? = nil) -> WordAlignment {
        template.encode(words: words, maxLength: maxLength) { ids($0) }
    }
}
