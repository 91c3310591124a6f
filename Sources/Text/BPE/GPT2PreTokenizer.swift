/// GPT-2's pre-tokenizer split, as a scanner over the UTF-8 of the text:
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// The alternatives are tried in order at each position (leftmost, first alternative wins,
/// each run greedy), which comes down to:
/// - an apostrophe followed by `s t m d` or `re ve ll` (lower case only) is a token;
/// - otherwise a run of letters (`L*`), of numbers (`N*`) or of other non-space characters
///   (punctuation, symbols, marks, controls, emoji), with one optional leading space (U+0020
///   only, not a tab or newline);
/// - a run of white space (Unicode `White_Space`, as Oniguruma's `\s`) that reaches the end of
///   the text is one token; one followed by a non-space character gives its last character
///   back (`\s+(?!\S)` backtracks by one), which then starts the next token as its optional
///   space — so `"a   b"` is `a`, `"  "`, `" b"`; a run of one character stays one token.
///
/// Shapes: the tokens are byte ranges that cover the text in order, each non-empty.
public enum GPT2PreTokenizer {
    private enum Kind: UInt8 {
        case letter, number, space, other
    }

    /// `[128]`: the kind of each ASCII byte.
    private static let asciiKinds: [Kind] = (0..<128).map { byte in
        let scalar = Unicode.Scalar(UInt8(byte))
        if (0x09...0x0D).contains(byte) || byte == 0x20 { return .space }
        if scalar.properties.isAlphabetic { return .letter }
        if (0x30...0x39).contains(byte) { return .number }
        return .other
    }

    @inline(__always)
    private static func kind(_ scalar: Unicode.Scalar) -> Kind {
        if scalar.value < 0x80 { return asciiKinds[Int(scalar.value)] }
        let properties = scalar.properties
        if properties.isWhitespace { return .space }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    /// Appends the byte ranges of the tokens of `text` (valid UTF-8) to `tokens`.
    public static func split(utf8 text: UnsafeBufferPointer<UInt8>, into tokens: inout [Range<Int>]) {
        var start = 0
        while start < text.count {
            let end = tokenEnd(text, from: start)
            tokens.append(start..<end)
            start = end
        }
    }

    /// The end of the token that starts at `start` (< `text.count`).
    private static func tokenEnd(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let count = text.count
        let first = text[start]
        if first == UInt8(ascii: "'") && start + 1 < count {
            switch text[start + 1] {
            case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
                return start + 2
            case UInt8(ascii: "r"), UInt8(ascii: "v"):
                if start + 2 < count && text[start + 2] == UInt8(ascii: "e") { return start + 3 }
            case UInt8(ascii: "l"):
                if start + 2 < count && text[start + 2] == UInt8(ascii: "l") { return start + 3 }
            default:
                break
            }
        }
        let (scalar, length) = UTF8Bytes.decode(text, at: start)
        var runKind = kind(scalar)
        var runStart = start
        if first == 0x20 && start + 1 < count {
            // ` ?X+`: a space takes the run of letters, numbers or others that follows it.
            let next = kind(UTF8Bytes.decode(text, at: start + 1).scalar)
            if next != .space {
                runKind = next
                runStart = start + 1
            }
        }
        if runKind != .space { return runEnd(text, from: runStart, kind: runKind) }
        // `\s+(?!\S)|\s+`
        var end = start + length
        var lastStart = start
        while end < count {
            let (next, nextLength) = UTF8Bytes.decode(text, at: end)
            guard kind(next) == .space else { break }
            lastStart = end
            end += nextLength
        }
        if end == count || lastStart == start { return end }
        return lastStart
    }

    /// The end of the run of `kind` characters that starts at `start`.
    @inline(__always)
    private static func runEnd(_ text: UnsafeBufferPointer<UInt8>, from start: Int, kind runKind: Kind) -> Int {
        var end = start
        while end < text.count {
            let (scalar, length) = UTF8Bytes.decode(text, at: end)
            guard kind(scalar) == runKind else { break }
            end += length
        }
        return end
    }
}
