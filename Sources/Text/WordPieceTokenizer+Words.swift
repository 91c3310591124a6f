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
        var pieces: [Int32] = []
        var pieceWords: [Int32] = []
        for (index, word) in words.enumerated() {
            let ids = ids(word)
            pieces += ids
            pieceWords += repeatElement(Int32(index), count: ids.count)
        }
        if let maxLength {
            let keep = Truncation.longestFirst(
                first: pieces.count, second: nil, maxLength: maxLength,
                specialTokens: template.specialTokenCount(pair: false)
            ).first
            pieces.removeSubrange(keep...)
            pieceWords.removeSubrange(keep...)
        }
        let encoding = template.apply(first: pieces, second: nil)
        var wordIds: [Int32] = []
        wordIds.reserveCapacity(encoding.count)
        for piece in template.single {
            switch piece {
            case .special(let ids, _): wordIds += repeatElement(-1, count: ids.count)
            case .first: wordIds += pieceWords
            case .second: break
            }
        }
        return WordAlignment(encoding: encoding, wordIds: wordIds, wordCount: words.count)
    }
}
