import Foundation

/// Names of BERT's special tokens.
public struct SpecialTokenNames: Sendable, Equatable {
    public var pad: String
    public var unknown: String
    public var cls: String
    public var sep: String
    public var mask: String

    public init(
        pad: String = "[PAD]", unknown: String = "[UNK]", cls: String = "[CLS]", sep: String = "[SEP]",
        mask: String = "[MASK]"
    ) {
        self.pad = pad
        self.unknown = unknown
        self.cls = cls
        self.sep = sep
        self.mask = mask
    }
}

/// A BERT WordPiece tokenizer that gives the same ids as the Hugging Face tokenizer
/// (`AutoTokenizer.from_pretrained(dir)(text, pair, truncation=True, max_length=L)`).
///
/// Pipeline, for each of the one or two texts:
/// 1. added tokens (BERT's special tokens, e.g. "[MASK]" written in the text) are cut out of
///    the raw text (`AddedToken`);
/// 2. each remaining piece is normalized (`BertNormalizer`): control characters dropped, CJK
///    ideographs spaced, accents stripped, lower-cased, as configured;
/// 3. split into words at white space and punctuation (`BertPreTokenizer`);
/// 4. each word split into vocabulary pieces (`WordPiece`).
///
/// Then the texts are truncated (`Truncation.longestFirst`) and framed by the special tokens
/// (`PostProcessingTemplate`). Load one with `load(directory:)`, `init(tokenizerJSON:)` or
/// `init(vocabTxt:lowercase:stripAccents:handleChineseChars:)`.
///
/// Immutable and `Sendable`: one instance can serve every thread.
public struct WordPieceTokenizer: Sendable {
    /// The text normalizer.
    public let normalizer: BertNormalizer
    /// The WordPiece model.
    public let model: WordPiece
    /// Tokens matched in the text before normalization or WordPiece.
    public let addedTokens: [AddedToken]
    /// Placement of the special tokens and type ids.
    public let template: PostProcessingTemplate
    /// Number of ids: one more than the largest id of the vocabulary and the added tokens.
    public let vocabSize: Int
    /// Id of the padding token.
    public let padId: Int32
    /// Id of the unknown token, for words WordPiece cannot split.
    public let unknownId: Int32
    /// Id of the classification token that starts every encoding.
    public let clsId: Int32
    /// Id of the separator token that ends each sequence.
    public let sepId: Int32
    /// Id of the mask token, if the vocabulary has one.
    public let maskId: Int32?
    /// The file the tokenizer was read from, if any.
    public let source: URL?
    /// Settings that came from another file than `source`, or from defaults, for `summary`.
    let provenance: String

    private let idToToken: [String?]
    private let tokenToId: [String: Int32]
    private let rawMatcher: AddedTokenMatcher
    private let normalizedMatcher: AddedTokenMatcher

    /// A tokenizer over an in-memory vocabulary, with BERT's template and special tokens as
    /// non-normalized added tokens (what transformers builds from a vocab.txt).
    ///
    /// - Throws: `TokenizerError.missingToken` when the unknown, cls, sep or pad token is not in
    ///   `vocabulary`, `invalidValue` for a negative id; `sourcePath` names the vocabulary in
    ///   the message.
    public init(
        vocabulary: [String: Int32], normalizer: BertNormalizer = BertNormalizer(),
        specialTokens: SpecialTokenNames = SpecialTokenNames(), continuingSubwordPrefix: String = "##",
        maxInputCharsPerWord: Int = 100, sourcePath: String = "<vocabulary>", source: URL? = nil
    ) throws(TokenizerError) {
        try self.init(
            vocabulary: vocabulary, normalizer: normalizer, specialTokens: specialTokens,
            continuingSubwordPrefix: continuingSubwordPrefix, maxInputCharsPerWord: maxInputCharsPerWord,
            sourcePath: sourcePath, source: source, provenance: "")
    }

    /// `init(vocabulary:...)`, with a note for `summary` on where the settings came from.
    init(
        vocabulary: [String: Int32], normalizer: BertNormalizer, specialTokens: SpecialTokenNames,
        continuingSubwordPrefix: String, maxInputCharsPerWord: Int, sourcePath: String, source: URL?,
        provenance: String
    ) throws(TokenizerError) {
        for (key, token) in [
            ("unk_token", specialTokens.unknown), ("cls_token", specialTokens.cls),
            ("sep_token", specialTokens.sep), ("pad_token", specialTokens.pad),
        ] where vocabulary[token] == nil {
            throw .missingToken(path: sourcePath, key: key, token: token)
        }
        let special = [
            specialTokens.pad, specialTokens.unknown, specialTokens.cls, specialTokens.sep, specialTokens.mask,
        ]
        var added: [AddedToken] = []
        for token in special where !added.contains(where: { $0.content == token }) {
            if let id = vocabulary[token] { added.append(AddedToken(content: token, id: id)) }
        }
        try self.init(
            vocabulary: vocabulary, addedTokens: added, normalizer: normalizer,
            template: .bert(cls: vocabulary[specialTokens.cls]!, sep: vocabulary[specialTokens.sep]!),
            unknownToken: specialTokens.unknown, padToken: specialTokens.pad, padKey: "pad_token",
            maskToken: specialTokens.mask, continuingSubwordPrefix: continuingSubwordPrefix,
            maxInputCharsPerWord: maxInputCharsPerWord, sourcePath: sourcePath, source: source, provenance: provenance)
    }

    /// The designated initializer, which the loaders call once they have read their files.
    init(
        vocabulary: [String: Int32], addedTokens: [AddedToken], normalizer: BertNormalizer,
        template: PostProcessingTemplate, unknownToken: String, padToken: String, padKey: String,
        maskToken: String, continuingSubwordPrefix: String, maxInputCharsPerWord: Int,
        sourcePath: String, source: URL?, provenance: String
    ) throws(TokenizerError) {
        for (token, id) in vocabulary where id < 0 {
            throw .invalidValue(path: sourcePath, key: token, expected: "an id of 0 or more", found: "\(id)")
        }
        for token in addedTokens where token.id < 0 {
            throw .invalidValue(
                path: sourcePath, key: token.content, expected: "an id of 0 or more", found: "\(token.id)")
        }
        var tokenToId = vocabulary
        // Added tokens take precedence, as in tokenizers' AddedVocabulary::token_to_id.
        for token in addedTokens { tokenToId[token.content] = token.id }
        guard let unknownId = vocabulary[unknownToken] else {
            throw .missingToken(path: sourcePath, key: "unk_token", token: unknownToken)
        }
        guard let padId = tokenToId[padToken] else {
            throw .missingToken(path: sourcePath, key: padKey, token: padToken)
        }
        let maxId = tokenToId.values.max() ?? -1
        var idToToken = [String?](repeating: nil, count: Int(maxId) + 1)
        for (token, id) in vocabulary { idToToken[Int(id)] = token }
        for token in addedTokens { idToToken[Int(token.id)] = token.content }

        self.normalizer = normalizer
        self.model = WordPiece(
            vocabulary: vocabulary, unknownToken: unknownToken, continuingSubwordPrefix: continuingSubwordPrefix,
            maxInputCharsPerWord: maxInputCharsPerWord)
        self.addedTokens = addedTokens
        self.template = template
        self.vocabSize = idToToken.count
        self.padId = padId
        self.unknownId = unknownId
        let specials = template.single.compactMap { piece -> [Int32]? in
            if case .special(let ids, _) = piece { return ids }
            return nil
        }
        self.clsId = specials.first?.first ?? unknownId
        self.sepId = specials.last?.last ?? unknownId
        self.maskId = tokenToId[maskToken]
        self.source = source
        self.provenance = provenance
        self.idToToken = idToToken
        self.tokenToId = tokenToId
        self.rawMatcher = AddedTokenMatcher(tokens: addedTokens.filter { !$0.normalized }) { $0.content }
        self.normalizedMatcher = AddedTokenMatcher(tokens: addedTokens.filter { $0.normalized }) {
            normalizer.normalize($0.content)
        }
    }

    // MARK: Encoding

    /// The model inputs for `text`, or for the pair (`text`, `pair`).
    ///
    /// - Parameters:
    ///   - pair: the second text; an empty string is an empty second sequence (`[SEP] [SEP]` at
    ///     the end, as transformers' batched call and tokenizers do), `nil` is no second text.
    ///   - maxLength: the most tokens of the result, special tokens included; `nil` does not
    ///     truncate. A pair is cut longest-first (`Truncation.longestFirst`). A `maxLength`
    ///     below the number of special tokens (2, or 3 for a pair) cuts nothing, as in the
    ///     reference.
    public func encode(_ text: String, pair: String? = nil, maxLength: Int? = nil) -> Encoding {
        var first = ids(text)
        var second = pair.map { ids($0) }
        if let maxLength {
            let keep = Truncation.longestFirst(
                first: first.count, second: second?.count, maxLength: maxLength,
                specialTokens: template.specialTokenCount(pair: pair != nil))
            first.removeSubrange(keep.first...)
            if let keepSecond = keep.second { second?.removeSubrange(keepSecond...) }
        }
        return template.apply(first: first, second: second)
    }

    /// The ids of `text` without special tokens or truncation.
    public func ids(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count / 3 + 4)
        var normalized: [UInt8] = []
        var words: [Range<Int>] = []
        UTF8Bytes.withBytes(of: text) { raw in
            for piece in rawMatcher.split(raw) {
                if let id = piece.id {
                    ids.append(id)
                    continue
                }
                normalized.removeAll(keepingCapacity: true)
                normalizer.normalize(utf8: UnsafeBufferPointer(rebasing: raw[piece.range]), into: &normalized)
                normalized.withUnsafeBufferPointer { normalized in
                    if normalizedMatcher.isEmpty {
                        appendWordPieces(of: normalized, words: &words, to: &ids)
                        return
                    }
                    for inner in normalizedMatcher.split(normalized) {
                        if let id = inner.id {
                            ids.append(id)
                        } else {
                            appendWordPieces(
                                of: UnsafeBufferPointer(rebasing: normalized[inner.range]), words: &words, to: &ids)
                        }
                    }
                }
            }
        }
        return ids
    }

    /// Pre-tokenizes normalized text and appends the WordPiece ids of each word.
    private func appendWordPieces(of text: UnsafeBufferPointer<UInt8>, words: inout [Range<Int>], to ids: inout [Int32])
    {
        words.removeAll(keepingCapacity: true)
        BertPreTokenizer.split(utf8: text, into: &words)
        for word in words {
            model.appendIds(word: UnsafeBufferPointer(rebasing: text[word]), to: &ids)
        }
    }

    /// The tokens of `text` without special tokens, e.g. `["una", "##ffa", "##ble"]`.
    public func tokenize(_ text: String) -> [String] {
        tokens(for: ids(text))
    }

    // MARK: Padding

    /// `encoding` padded on the right to `length` with `[PAD]`, type id 0 and attention 0;
    /// unchanged when it already has `length` tokens or more.
    public func pad(_ encoding: Encoding, to length: Int) -> Encoding {
        encoding.padded(to: length, padId: padId)
    }

    /// Every encoding of `batch` padded to `length`, or to the longest of the batch when nil.
    public func pad(batch: [Encoding], to length: Int? = nil) -> [Encoding] {
        let target = length ?? batch.map(\.count).max() ?? 0
        return batch.map { pad($0, to: target) }
    }

    // MARK: Vocabulary

    /// The id of `token` (an added token or a vocabulary entry, "##" included), or nil.
    public func id(for token: String) -> Int32? { tokenToId[token] }

    /// The token of `id`, or nil when no token has it.
    public func token(for id: Int32) -> String? {
        guard id >= 0 && Int(id) < idToToken.count else { return nil }
        return idToToken[Int(id)]
    }

    /// The tokens of `ids`; an id without a token shows as the unknown token.
    public func tokens(for ids: [Int32]) -> [String] {
        ids.map { token(for: $0) ?? token(for: unknownId) ?? "[UNK]" }
    }

    /// One paragraph for `ddp-train inspect`: source, vocabulary size, normalization, special
    /// ids and word limits.
    public var summary: String {
        func name(_ id: Int32) -> String { token(for: id) ?? "?" }
        let accents: String
        switch normalizer.stripAccents {
        case nil:
            accents =
                normalizer.stripsAccents
                ? "strips accents (follows lower-casing)" : "keeps accents (follows lower-casing)"
        case true?: accents = "strips accents"
        case false?: accents = "keeps accents"
        }
        var specials = [padId, unknownId, clsId, sepId].map { "\(name($0))=\($0)" }
        if let maskId { specials.append("\(name(maskId))=\(maskId)") }
        var parts = [
            "WordPiece tokenizer from \(source?.path ?? "memory")\(provenance.isEmpty ? "" : " (\(provenance))")",
            "\(vocabSize) ids",
            normalizer.lowercase ? "lower-cases text" : "keeps case",
            accents,
            normalizer.handleChineseChars ? "splits CJK ideographs" : "keeps CJK ideographs in words",
            normalizer.cleanText ? "drops control characters" : "keeps control characters",
            "special ids " + specials.joined(separator: " "),
            "words over \(model.maxInputCharsPerWord) characters become \(name(unknownId))",
            "continuation prefix \"\(model.continuingSubwordPrefix)\"",
        ]
        let extra =
            addedTokens.count
            - Set([padId, unknownId, clsId, sepId, maskId ?? padId]).intersection(addedTokens.map(\.id)).count
        if extra > 0 { parts.append("\(extra) more added tokens") }
        return parts.joined(separator: "; ") + "."
    }
}
