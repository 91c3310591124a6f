/// The ids of the special tokens a model's tokenizer defines; nil where it has none (GPT-2 has
/// no padding token, BERT no begin- or end-of-sequence token).
public struct SpecialTokenIds: Sendable, Equatable {
    public var pad: Int32?
    public var unknown: Int32?
    public var bos: Int32?
    public var eos: Int32?

    public init(pad: Int32? = nil, unknown: Int32? = nil, bos: Int32? = nil, eos: Int32? = nil) {
        self.pad = pad
        self.unknown = unknown
        self.bos = bos
        self.eos = eos
    }
}

/// What training, evaluation and inference need of a tokenizer, whatever its model
/// (WordPiece for BERT, byte-level BPE for GPT-2). `Tokenizers.load(directory:)` picks the
/// implementation from the model directory's files.
///
/// Implementations are immutable (apart from internal caches behind a lock) and `Sendable`:
/// one instance serves every thread.
public protocol TextTokenizer: Sendable {
    /// The model inputs for `text`, or for the pair (`text`, `pair`), with the special tokens
    /// of the model's post-processor (`[CLS] A [SEP]` for BERT; none for GPT-2, as Hugging Face
    /// adds none), cut longest-first so the result has at most `maxLength` tokens (nil: no cut).
    func encode(_ text: String, pair: String?, maxLength: Int?) -> Encoding
    /// The encoding of a sentence given as words (`is_split_into_words=True`), each word
    /// tokenized on its own, with the word of every token.
    func encode(words: [String], maxLength: Int?) -> WordAlignment
    /// The ids of `text` without special tokens or truncation.
    func ids(_ text: String) -> [Int32]
    /// The text of `ids`, special tokens included (`decode(ids, skip_special_tokens=False)`).
    func decode(_ ids: [Int32]) -> String
    /// The id of `token` (an added token or a vocabulary entry), or nil.
    func id(for token: String) -> Int32?
    /// The token of `id`, or nil when no token has it.
    func token(for id: Int32) -> String?
    /// Number of ids: one more than the largest id of the vocabulary and the added tokens.
    var vocabSize: Int { get }
    /// The pad, unknown, begin- and end-of-sequence ids where the tokenizer defines them.
    var specialIds: SpecialTokenIds { get }
    /// One paragraph for `ddp-train inspect`.
    var summary: String { get }
}

extension PostProcessingTemplate {
    /// The encoding of (`first`, `second`) cut longest-first to `maxLength` tokens, special
    /// tokens included — the encoding step every tokenizer shares once it has the ids.
    func encode(first: [Int32], second: [Int32]?, maxLength: Int?) -> Encoding {
        var first = first
        var second = second
        if let maxLength {
            let keep = Truncation.longestFirst(
                first: first.count, second: second?.count, maxLength: maxLength,
                specialTokens: specialTokenCount(pair: second != nil))
            first.removeSubrange(keep.first...)
            if let keepSecond = keep.second { second?.removeSubrange(keepSecond...) }
        }
        return apply(first: first, second: second)
    }

    /// The encoding of `words`, each tokenized on its own by `ids`, the pieces cut to fit
    /// `maxLength` with the single template's special tokens, and the word of each token (-1
    /// for special tokens).
    func encode(words: [String], maxLength: Int?, ids: (String) -> [Int32]) -> WordAlignment {
        var pieces: [Int32] = []
        var pieceWords: [Int32] = []
        for (index, word) in words.enumerated() {
            let wordIds = ids(word)
            pieces += wordIds
            pieceWords += repeatElement(Int32(index), count: wordIds.count)
        }
        if let maxLength {
            let keep = Truncation.longestFirst(
                first: pieces.count, second: nil, maxLength: maxLength, specialTokens: specialTokenCount(pair: false)
            ).first
            pieces.removeSubrange(keep...)
            pieceWords.removeSubrange(keep...)
        }
        let encoding = apply(first: pieces, second: nil)
        var wordIds: [Int32] = []
        wordIds.reserveCapacity(encoding.count)
        for piece in single {
            switch piece {
            case .special(let ids, _): wordIds += repeatElement(-1, count: ids.count)
            case .first: wordIds += pieceWords
            case .second: break
            }
        }
        return WordAlignment(encoding: encoding, wordIds: wordIds, wordCount: words.count)
    }
}
