import Testing
import Text

/// The steps of `BertNormalizer` and `BertPreTokenizer`, one at a time.
@Suite("Normalizer and pre-tokenizer")
struct NormalizerTests {
    static let clean = BertNormalizer(cleanText: true, handleChineseChars: false, stripAccents: false, lowercase: false)
    static let chinese = BertNormalizer(
        cleanText: false, handleChineseChars: true, stripAccents: false, lowercase: false)
    static let strip = BertNormalizer(cleanText: false, handleChineseChars: false, stripAccents: true, lowercase: false)
    static let lower = BertNormalizer(cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: true)

    @Test("clean text drops NUL, U+FFFD, controls and format characters; white space becomes ' '")
    func cleanText() {
        #expect(Self.clean.normalize("a\u{0}b\u{FFFD}c\u{1}d\u{7F}e\u{85}f") == "abcdef")
        #expect(Self.clean.normalize("zero\u{200B}width\u{200D}joiner\u{FEFF}\u{AD}") == "zerowidthjoiner")
        #expect(Self.clean.normalize("t\tn\nr\rv\u{0B}f\u{0C}") == "t n r vf")
        #expect(Self.clean.normalize("a\u{A0}b\u{3000}c\u{2028}d\u{202F}e") == "a b c d e")
        // Private use is dropped; unassigned code points are kept (the reference does not count
        // Cn as "other"), and so are format characters assigned after Unicode 8.0.
        #expect(Self.clean.normalize("p\u{E000}q\u{F0000}r") == "pqr")
        #expect(Self.clean.normalize("u\u{378}v\u{890}w") == "u\u{378}v\u{890}w")
        // U+180E was white space until Unicode 6.3, a format character since: dropped.
        #expect(Self.clean.normalize("m\u{180E}n") == "mn")
        #expect(Self.clean.normalize("") == "")
    }

    @Test("CJK ideographs are spaced, with the reference's ranges")
    func chineseCharacters() {
        #expect(Self.chinese.normalize("北京abc") == " 北  京 abc")
        #expect(Self.chinese.normalize("\u{F900}\u{2F800}") == " \u{F900}  \u{2F800} ")
        // Kana and Hangul are not ideographs; U+2B820–U+2B91F is outside the reference's ranges.
        #expect(Self.chinese.normalize("カ한\u{2B820}\u{2B91F}") == "カ한\u{2B820}\u{2B91F}")
        #expect(Self.chinese.normalize("\u{2B81F}\u{2B920}") == " \u{2B81F}  \u{2B920} ")
    }

    @Test("strip accents: NFD, then nonspacing marks (Unicode 8.0) are dropped")
    func stripAccents() {
        #expect(Self.strip.normalize("Café naïve Ångström \u{212B}") == "Cafe naive Angstrom A")
        #expect(Self.strip.normalize("e\u{301}\u{316}") == "e")
        // Hangul syllables decompose into conjoining jamo, which are letters.
        #expect(Self.strip.normalize("한") == "\u{1112}\u{1161}\u{11AB}")
        // Decomposes only with Unicode 13 data: the reference keeps it whole.
        #expect(Self.strip.normalize("\u{11938}") == "\u{11938}")
        // U+1734 was a nonspacing mark in Unicode 8.0 (Mc today): dropped. U+1AC0 (Unicode 14)
        // was not assigned then: kept.
        #expect(Self.strip.normalize("a\u{1734}b\u{1AC0}") == "ab\u{1AC0}")
        // Spacing marks stay.
        #expect(Self.strip.normalize("a\u{1D165}") == "a\u{1D165}")
        // Greek varia decomposes to a grave accent (U+0060), which is punctuation afterwards.
        #expect(BertPreTokenizer.split(Self.strip.normalize("a\u{1FEF}b")) == ["a", "`", "b"])
    }

    @Test("canonical reordering uses the reference's Unicode 9.0 combining classes")
    func reordering() {
        let keepMarks = BertNormalizer(
            cleanText: false, handleChineseChars: false, stripAccents: true, lowercase: false)
        // U+1D165 (class 216) and U+1D16D (class 226) are spacing marks: kept, and reordered.
        #expect(keepMarks.normalize("a\u{1D16D}\u{1D165}") == "a\u{1D165}\u{1D16D}")
        // U+1AC0 has class 220 today but did not exist in 9.0: it does not move.
        #expect(keepMarks.normalize("a\u{1AC0}\u{1D165}") == "a\u{1AC0}\u{1D165}")
    }

    @Test("strip accents follows lower-casing when unset")
    func stripAccentsFollowsLowercase() {
        #expect(BertNormalizer(stripAccents: nil, lowercase: true).stripsAccents)
        #expect(!BertNormalizer(stripAccents: nil, lowercase: false).stripsAccents)
        #expect(BertNormalizer(stripAccents: true, lowercase: false).stripsAccents)
        #expect(BertNormalizer(stripAccents: nil, lowercase: false).normalize("Café") == "Café")
        #expect(BertNormalizer(stripAccents: nil, lowercase: true).normalize("Café") == "cafe")
        #expect(BertNormalizer(stripAccents: false, lowercase: true).normalize("Café") == "café")
    }

    @Test("lower-casing is per scalar and without context")
    func lowercase() {
        // Final sigma stays σ; İ becomes i + U+0307 when accents are kept.
        #expect(Self.lower.normalize("ΣΊΣΥΦΟΣ") == "σίσυφοσ")
        #expect(Self.lower.normalize("İ") == "i\u{307}")
        #expect(BertNormalizer().normalize("İSTANBUL") == "istanbul")
        #expect(Self.lower.normalize("ẞ ǅ Ω ＡＢ") == "ß ǆ ω ａｂ")
        #expect(Self.lower.normalize("ABC xyz 123") == "abc xyz 123")
    }

    @Test("pre-tokenizer: white space separates, punctuation stands alone")
    func preTokenizer() {
        #expect(BertPreTokenizer.split("hello, world!") == ["hello", ",", "world", "!"])
        #expect(BertPreTokenizer.split("  a\t\nb  ") == ["a", "b"])
        #expect(BertPreTokenizer.split("$5+x=y^2|~`") == ["$", "5", "+", "x", "=", "y", "^", "2", "|", "~", "`"])
        #expect(BertPreTokenizer.split("«a»—b…") == ["«", "a", "»", "—", "b", "…"])
        // Symbols and emoji are not punctuation.
        #expect(BertPreTokenizer.split("a€b 😀x ∑y") == ["a€b", "😀x", "∑y"])
        // Punctuation by Unicode 8.0: U+166D was Po then (So now); U+2E43 came in Unicode 9.0.
        #expect(BertPreTokenizer.split("a\u{166D}b") == ["a", "\u{166D}", "b"])
        #expect(BertPreTokenizer.split("a\u{2E43}b") == ["a\u{2E43}b"])
        #expect(BertPreTokenizer.split("a\u{A0}b\u{85}c") == ["a", "b", "c"])
        #expect(BertPreTokenizer.split("") == [])
    }
}
