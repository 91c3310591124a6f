/// A token matched in the text itself, before normalization or WordPiece (Hugging Face
/// tokenizers' `AddedToken`, the `added_tokens` of tokenizer.json). BERT's special tokens are
/// added tokens, so "[MASK]" typed in the text becomes the mask id, while "[mask]" is split
/// into "[", "mask", "]".
public struct AddedToken: Sendable, Equatable {
    /// The text that is matched.
    public var content: String
    /// Its id.
    public var id: Int32
    /// Match only where no word character (letter, mark, digit, connector) touches either end.
    public var singleWord: Bool
    /// The match swallows the white space before it.
    public var leftStrip: Bool
    /// The match swallows the white space after it.
    public var rightStrip: Bool
    /// Match the normalized form of `content` in normalized text; otherwise match `content`
    /// exactly in the raw text, before normalization (the case of BERT's special tokens).
    public var normalized: Bool
    /// A special token ([CLS], [SEP], ...); this changes nothing when encoding.
    public var special: Bool

    public init(
        content: String, id: Int32, singleWord: Bool = false, leftStrip: Bool = false, rightStrip: Bool = false,
        normalized: Bool = false, special: Bool = true
    ) {
        self.content = content
        self.id = id
        self.singleWord = singleWord
        self.leftStrip = leftStrip
        self.rightStrip = rightStrip
        self.normalized = normalized
        self.special = special
    }
}

/// Finds added tokens in text the way tokenizers' `AddedVocabulary` does: scanning left to
/// right, the match that starts first wins, and of those the longest (Aho-Corasick
/// leftmost-longest); the scan goes on after the match, also after a match that `singleWord`
/// then rejects.
struct AddedTokenMatcher: Sendable {
    /// One piece of the text: either an added token (`id`) or text to tokenize further.
    struct Piece: Equatable {
        var range: Range<Int>
        var id: Int32?
    }

    private struct Pattern: Sendable {
        var bytes: [UInt8]
        var token: AddedToken
    }

    /// Patterns by first byte, longest first.
    private let byFirstByte: [[Pattern]]
    let isEmpty: Bool

    /// A matcher for `tokens`, each matched as the bytes `pattern(token)`.
    init(tokens: [AddedToken], pattern: (AddedToken) -> String) {
        var table = [[Pattern]](repeating: [], count: 256)
        for token in tokens {
            let bytes = Array(pattern(token).utf8)
            guard let first = bytes.first else { continue }
            table[Int(first)].append(Pattern(bytes: bytes, token: token))
        }
        for i in table.indices { table[i].sort { $0.bytes.count > $1.bytes.count } }
        byFirstByte = table
        isEmpty = tokens.isEmpty
    }

    /// Splits `text` (valid UTF-8) into pieces that cover it in order; the text pieces between
    /// matches may be empty only when `text` is.
    func split(_ text: UnsafeBufferPointer<UInt8>) -> [Piece] {
        var pieces: [Piece] = []
        var pieceStart = 0  // end of the last match (tokens.rs: start_offset)
        var index = 0
        while index < text.count {
            guard let pattern = longestMatch(in: text, at: index) else {
                index += 1
                continue
            }
            var start = index
            var stop = index + pattern.bytes.count
            index = stop
            let token = pattern.token
            if token.singleWord {
                let wordBefore = start > 0 && Self.endsWithWordCharacter(text, before: start)
                let wordAfter = stop < text.count && Self.startsWithWordCharacter(text, at: stop)
                if wordBefore || wordAfter { continue }
            }
            if token.leftStrip {
                start = max(Self.startOfTrailingSpace(text, before: start), pieceStart)
            }
            if token.rightStrip {
                stop = Self.endOfLeadingSpace(text, from: stop)
            }
            if pieceStart < start { pieces.append(Piece(range: pieceStart..<start, id: nil)) }
            pieces.append(Piece(range: start..<stop, id: token.id))
            pieceStart = stop
        }
        if pieceStart < text.count || pieces.isEmpty {
            pieces.append(Piece(range: pieceStart..<text.count, id: nil))
        }
        return pieces
    }

    private func longestMatch(in text: UnsafeBufferPointer<UInt8>, at index: Int) -> Pattern? {
        let candidates = byFirstByte[Int(text[index])]
        for pattern in candidates where pattern.bytes.count <= text.count - index {
            var i = 1
            while i < pattern.bytes.count && pattern.bytes[i] == text[index + i] { i += 1 }
            if i == pattern.bytes.count { return pattern }
        }
        return nil
    }

    /// Regex `\w` (Unicode): alphabetic, marks, decimal digits, connector punctuation, joiners.
    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    private static func endsWithWordCharacter(_ text: UnsafeBufferPointer<UInt8>, before end: Int) -> Bool {
        var start = end - 1
        while start > 0 && UTF8Bytes.isContinuation(text[start]) { start -= 1 }
        return isWordCharacter(UTF8Bytes.decode(text, at: start).scalar)
    }

    private static func startsWithWordCharacter(_ text: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        isWordCharacter(UTF8Bytes.decode(text, at: start).scalar)
    }

    /// Start of the run of white space (`\s`) that ends at `end`.
    private static func startOfTrailingSpace(_ text: UnsafeBufferPointer<UInt8>, before end: Int) -> Int {
        var position = end
        while position > 0 {
            var start = position - 1
            while start > 0 && UTF8Bytes.isContinuation(text[start]) { start -= 1 }
            guard ReferenceUnicode.isWhitespace(UTF8Bytes.decode(text, at: start).scalar) else { break }
            position = start
        }
        return position
    }

    /// End of the run of white space (`\s`) that starts at `start`.
    private static func endOfLeadingSpace(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var position = start
        while position < text.count {
            let (scalar, length) = UTF8Bytes.decode(text, at: position)
            guard ReferenceUnicode.isWhitespace(scalar) else { break }
            position += length
        }
        return position
    }
}
