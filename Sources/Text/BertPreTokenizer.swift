/// The word splitter of BERT tokenizers (Hugging Face tokenizers' `BertPreTokenizer`), applied
/// to normalized text: white space separates words and is dropped; every punctuation character
/// (see `ReferenceUnicode.isPunctuation`: all ASCII punctuation and symbols, and Unicode 8.0's
/// P* categories) is a word of its own. Everything else, emoji and symbols included, stays in
/// the word it touches.
public enum BertPreTokenizer {
    /// The words of `text`, in order.
    public static func split(_ text: String) -> [String] {
        var words: [Range<Int>] = []
        return UTF8Bytes.withBytes(of: text) { bytes in
            split(utf8: bytes, into: &words)
            return words.map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
        }
    }

    /// ASCII classes: 1 = white space (tab, LF, VT, FF, CR, space), 2 = punctuation.
    private static let asciiClass: [UInt8] = (0..<128).map { value in
        let scalar = Unicode.Scalar(UInt8(value))
        if ReferenceUnicode.isWhitespace(scalar) { return 1 }
        if ReferenceUnicode.isPunctuation(scalar) { return 2 }
        return 0
    }

    /// Appends the byte range of each word of `text` (valid UTF-8) to `words`.
    static func split(utf8 text: UnsafeBufferPointer<UInt8>, into words: inout [Range<Int>]) {
        asciiClass.withUnsafeBufferPointer { asciiClass in
            var wordStart = -1  // start of the word being read, -1 between words
            var index = 0
            while index < text.count {
                let byte = text[index]
                let length: Int
                let isSpace: Bool
                let isPunctuation: Bool
                if byte < 0x80 {
                    length = 1
                    let c = asciiClass[Int(byte)]
                    isSpace = c == 1
                    isPunctuation = c == 2
                } else {
                    let (scalar, n) = UTF8Bytes.decode(text, at: index)
                    length = n
                    let classes = ReferenceUnicode.classes(scalar)
                    isSpace = classes.contains(.whitespace)
                    isPunctuation = !isSpace && classes.contains(.punctuation)
                }
                if isSpace || isPunctuation {
                    if wordStart >= 0 {
                        words.append(wordStart..<index)
                        wordStart = -1
                    }
                    if isPunctuation { words.append(index..<(index + length)) }
                } else if wordStart < 0 {
                    wordStart = index
                }
                index += length
            }
            if wordStart >= 0 { words.append(wordStart..<text.count) }
        }
    }
}
