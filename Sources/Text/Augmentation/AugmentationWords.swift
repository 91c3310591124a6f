/// One word of a text being augmented: a byte range of the original UTF-8, or the word-dropout
/// token. Operations move these 16-byte values around instead of strings; the text is written
/// once, at the end.
struct AugmentedWord: Equatable {
    /// Byte offsets into the original text; both -1 for the replacement token.
    var start: Int
    var end: Int

    /// The word-dropout token.
    static let replacement = AugmentedWord(start: -1, end: -1)

    var isReplacement: Bool { start < 0 }
}

/// Splitting a text into words and joining them again.
enum AugmentationWords {
    /// The words of `text` (valid UTF-8): maximal runs of scalars without the Unicode
    /// White_Space property, in order. Empty or all-space text has no words.
    static func split(_ text: UnsafeBufferPointer<UInt8>) -> [AugmentedWord] {
        var words: [AugmentedWord] = []
        words.reserveCapacity(text.count / 4 + 1)
        var wordStart = -1  // -1: between words
        var index = 0
        while index < text.count {
            let byte = text[index]
            let isSpace: Bool
            let length: Int
            if byte < 0x80 {
                isSpace = byte == 0x20 || (0x09...0x0D).contains(byte)
                length = 1
            } else {
                let decoded = UTF8Bytes.decode(text, at: index)
                isSpace = decoded.scalar.properties.isWhitespace
                length = decoded.length
            }
            if isSpace {
                if wordStart >= 0 {
                    words.append(AugmentedWord(start: wordStart, end: index))
                    wordStart = -1
                }
            } else if wordStart < 0 {
                wordStart = index
            }
            index += length
        }
        if wordStart >= 0 { words.append(AugmentedWord(start: wordStart, end: text.count)) }
        return words
    }

    /// `words` written out with one space (U+0020) between them; `text` is the UTF-8 the
    /// ranges point into and `replacement` the UTF-8 of the word-dropout token.
    static func join(
        _ words: [AugmentedWord], text: UnsafeBufferPointer<UInt8>, replacement: [UInt8]
    ) -> String {
        guard !words.isEmpty else { return "" }
        var byteCount = words.count - 1
        for word in words { byteCount += word.isReplacement ? replacement.count : word.end - word.start }
        return String(unsafeUninitializedCapacity: byteCount) { output in
            var position = 0
            for (n, word) in words.enumerated() {
                if n > 0 {
                    output[position] = 0x20
                    position += 1
                }
                if word.isReplacement {
                    for byte in replacement {
                        output[position] = byte
                        position += 1
                    }
                } else {
                    for offset in word.start..<word.end {
                        output[position] = text[offset]
                        position += 1
                    }
                }
            }
            return position
        }
    }
}
