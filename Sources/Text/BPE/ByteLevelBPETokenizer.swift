import Foundation

/// A byte-level BPE tokenizer (GPT-2, RoBERTa and their descendants) that gives the same ids
/// as Hugging Face tokenizers (`Tokenizer.from_file(...).encode(text).ids`).
///
/// Pipeline, for each of the one or two texts:
/// 1. added tokens (`<|endoftext|>`, …) are cut out of the raw text (`AddedToken`): they
///    become their ids and are never split or byte-mapped;
/// 2. each remaining piece gets a leading space when `addPrefixSpace` is set and it does not
///    start with one (U+0020), then is split with GPT-2's pattern (`GPT2PreTokenizer`; the
///    whole piece is one word when `useRegex` is off);
/// 3. each word's UTF-8 bytes are merged into vocabulary tokens (`BPEModel`).
///
/// Then the texts are truncated (`Truncation.longestFirst`) and framed by the post-processor's
/// special tokens (none for GPT-2's `ByteLevel`). `decode` inverts the byte map, so
/// `decode(ids(x)) == x` for every string. Load one with `init(tokenizerJSON:)`,
/// `init(vocabJSON:mergesTxt:)` or `Tokenizers.load(directory:)`.
///
/// Immutable and `Sendable` (the word cache locks): one instance can serve every thread.
public struct ByteLevelBPETokenizer: Sendable {
    /// The merges and the vocabulary.
    public let model: BPEModel
    /// Tokens matched in the raw text before pre-tokenization.
    public let addedTokens: [AddedToken]
    /// A space is put before each piece of text that does not start with one, so that the
    /// first word is tokenized like the others (`add_prefix_space`).
    public let addPrefixSpace: Bool
    /// Split with GPT-2's pattern; when false each piece between added tokens is one word.
    public let useRegex: Bool
    /// Placement of the special tokens and type ids.
    public let template: PostProcessingTemplate
    /// Number of ids: one more than the largest id of the vocabulary and the added tokens.
    public let vocabSize: Int
    /// The pad, unknown, begin- and end-of-sequence ids where defined.
    public let specialIds: SpecialTokenIds
    /// The file the tokenizer was read from, if any.
    public let source: URL?
    /// Where settings came from besides `source`, for `summary`.
    let provenance: String

    private let idToToken: [String?]
    private let tokenToId: [String: Int32]
    /// `[vocabSize]`: whether the id is an added token, which decodes to its text verbatim.
    private let isAdded: [Bool]
    private let rawMatcher: AddedTokenMatcher
    private let normalizedMatcher: AddedTokenMatcher

    /// The designated initializer, which the loaders call once they have read their files.
    ///
    /// - Throws: `TokenizerError.invalidValue` for a negative id (`sourcePath` names the file).
    init(
        model: BPEModel, addedTokens: [AddedToken], addPrefixSpace: Bool, useRegex: Bool,
        template: PostProcessingTemplate?, specialTokens: SpecialTokenNames, sourcePath: String, source: URL?,
        provenance: String
    ) throws(TokenizerError) {
        for (token, id) in model.vocabulary where id < 0 {
            throw .invalidValue(path: sourcePath, key: token, expected: "an id of 0 or more", found: "\(id)")
        }
        for token in addedTokens where token.id < 0 {
            throw .invalidValue(
                path: sourcePath, key: token.content, expected: "an id of 0 or more", found: "\(token.id)")
        }
        var tokenToId = model.vocabulary
        // Added tokens take precedence, as in tokenizers' AddedVocabulary::token_to_id.
        for token in addedTokens { tokenToId[token.content] = token.id }
        let maxId = tokenToId.values.max() ?? -1
        var idToToken = [String?](repeating: nil, count: Int(maxId) + 1)
        for (token, id) in model.vocabulary { idToToken[Int(id)] = token }
        var isAdded = [Bool](repeating: false, count: idToToken.count)
        for token in addedTokens {
            idToToken[Int(token.id)] = token.content
            isAdded[Int(token.id)] = true
        }
        func specialId(_ name: String?) -> Int32? { name.flatMap { tokenToId[$0] } }

        self.model = model
        self.addedTokens = addedTokens
        self.addPrefixSpace = addPrefixSpace
        self.useRegex = useRegex
        self.template = template ?? .none
        self.vocabSize = idToToken.count
        self.specialIds = SpecialTokenIds(
            pad: specialId(specialTokens.pad), unknown: specialId(specialTokens.unknown ?? model.unknownToken),
            bos: specialId(specialTokens.bos), eos: specialId(specialTokens.eos))
        self.source = source
        self.provenance = provenance
        self.idToToken = idToToken
        self.tokenToId = tokenToId
        self.isAdded = isAdded
        // No normalizer: normalized added tokens are matched in the same raw text, after the
        // others (tokenizers' two passes).
        self.rawMatcher = AddedTokenMatcher(tokens: addedTokens.filter { !$0.normalized }) { $0.content }
        self.normalizedMatcher = AddedTokenMatcher(tokens: addedTokens.filter { $0.normalized }) { $0.content }
    }

    /// Names of the special tokens, as the loaders read them (nil: none).
    struct SpecialTokenNames {
        var pad: String?
        var unknown: String?
        var bos: String?
        var eos: String?
    }

    // MARK: Encoding

    /// The model inputs for `text`, or for the pair (`text`, `pair`), with the post-processor's
    /// special tokens, cut longest-first to at most `maxLength` tokens (nil: no cut).
    public func encode(_ text: String, pair: String? = nil, maxLength: Int? = nil) -> Encoding {
        template.encode(first: ids(text), second: pair.map { ids($0) }, maxLength: maxLength)
    }

    /// The encoding of a sentence given as words, each tokenized on its own (with its own
    /// prefix space when `addPrefixSpace` is set, as tokenizers' `is_pretokenized` does).
    public func encode(words: [String], maxLength: Int? = nil) -> WordAlignment {
        template.encode(words: words, maxLength: maxLength) { ids($0) }
    }

    /// The ids of `text` without special tokens or truncation.
    public func ids(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count / 3 + 4)
        var scratch: [UInt8] = []
        var words: [Range<Int>] = []
        UTF8Bytes.withBytes(of: text) { raw in
            for piece in rawMatcher.split(raw) {
                if let id = piece.id {
                    ids.append(id)
                    continue
                }
                let text = UnsafeBufferPointer(rebasing: raw[piece.range])
                if normalizedMatcher.isEmpty {
                    appendWords(of: text, scratch: &scratch, words: &words, to: &ids)
                    continue
                }
                for inner in normalizedMatcher.split(text) {
                    if let id = inner.id {
                        ids.append(id)
                    } else {
                        appendWords(
                            of: UnsafeBufferPointer(rebasing: text[inner.range]), scratch: &scratch, words: &words,
                            to: &ids)
                    }
                }
            }
        }
        return ids
    }

    /// Pre-tokenizes one piece of text between added tokens and appends the ids of its words.
    private func appendWords(
        of text: UnsafeBufferPointer<UInt8>, scratch: inout [UInt8], words: inout [Range<Int>], to ids: inout [Int32]
    ) {
        guard !text.isEmpty else { return }
        guard addPrefixSpace && text[0] != 0x20 else {
            appendWords(of: text, words: &words, to: &ids)
            return
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(0x20)
        scratch.append(contentsOf: text)
        scratch.withUnsafeBufferPointer { appendWords(of: $0, words: &words, to: &ids) }
    }

    private func appendWords(of text: UnsafeBufferPointer<UInt8>, words: inout [Range<Int>], to ids: inout [Int32]) {
        guard useRegex else {
            model.appendIds(word: text, to: &ids)
            return
        }
        words.removeAll(keepingCapacity: true)
        GPT2PreTokenizer.split(utf8: text, into: &words)
        for word in words {
            model.appendIds(word: UnsafeBufferPointer(rebasing: text[word]), to: &ids)
        }
    }

    /// The tokens of `text` without special tokens, e.g. `["Hello", "Ġworld"]`.
    public func tokenize(_ text: String) -> [String] {
        ids(text).map { token(for: $0) ?? "" }
    }

    // MARK: Decoding

    /// The text of `ids`: the bytes of every vocabulary token (the byte map inverted), added
    /// tokens as their text, ids without a token skipped, then read as UTF-8 with each invalid
    /// sequence replaced by U+FFFD — which only happens when `ids` cut a character's bytes
    /// apart; `decode(ids(x)) == x` for every string `x`.
    ///
    /// Differs from tokenizers' `ByteLevel` decoder only for an added token made wholly of
    /// byte-map characters other than printable ASCII (`"é"`), which tokenizers would read
    /// as bytes; here an added token is always its text.
    public func decode(_ ids: [Int32]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids {
            guard let token = token(for: id) else { continue }
            if !isAdded[Int(id)], let tokenBytes = ByteLevelAlphabet.decode(token) {
                bytes += tokenBytes
            } else {
                bytes += token.utf8
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Vocabulary

    /// The id of `token` (an added token or a byte-level vocabulary entry such as `"Ġthe"`).
    public func id(for token: String) -> Int32? { tokenToId[token] }

    /// The token of `id`, or nil when no token has it.
    public func token(for id: Int32) -> String? {
        guard id >= 0 && Int(id) < idToToken.count else { return nil }
        return idToToken[Int(id)]
    }
}

extension PostProcessingTemplate {
    /// No special tokens: the first sequence with type id 0, the second with 1 (tokenizers
    /// without a post-processor, or with `ByteLevel`).
    static let none = PostProcessingTemplate(
        single: [.first(typeId: 0)], pair: [.first(typeId: 0), .second(typeId: 1)])
}
