import Foundation

/// Character classes as Hugging Face tokenizers (0.23) computes them. They follow three different
/// versions of Unicode, which are not the version Swift uses:
///
/// - General categories (control, format and private-use characters; punctuation; nonspacing
///   marks) come from the `unicode_categories` crate, whose tables are Unicode 8.0. A character
///   assigned later is unassigned there: never dropped as a control character, never punctuation,
///   never a mark. Seven characters changed category since 8.0; `category8Overrides` keeps their
///   8.0 category. Unassigned characters (Cn) are *not* dropped by `clean_text`, although the
///   crate's name for the test, `is_other`, suggests it.
/// - Canonical decomposition and combining classes come from `unicode-normalization-alignments`,
///   which is Unicode 9.0: a later character neither decomposes (U+11938, Unicode 13, stays
///   whole) nor takes part in canonical reordering (its class counts as 0).
/// - White space and lower-case mappings come from Rust's standard library: current Unicode,
///   the same as Swift's.
///
/// Swift's `Unicode.Scalar.Properties` give the current data and each scalar's `age` (the
/// version that assigned it); these functions cut the data back to the versions above. The test
/// suite checks the result against the reference for every code point.
enum ReferenceUnicode {
    /// Version of the general-category tables of the reference.
    static let categoryVersion = (major: 8, minor: 0)
    /// Version of the normalization (decomposition, combining class) tables of the reference.
    static let normalizationVersion = (major: 9, minor: 0)

    /// Characters whose general category changed after Unicode 8.0, with the 8.0 category.
    /// Only membership in control/format/private-use, punctuation and nonspacing marks matters.
    static let category8Overrides: [UInt32: Unicode.GeneralCategory] = [
        0x1734: .nonspacingMark,  // HANUNOO SIGN PAMUDPOD, Mc today
        0x1171E: .nonspacingMark,  // AHOM CONSONANT SIGN MEDIAL RA, Mc today
        0x166D: .otherPunctuation,  // CANADIAN SYLLABICS CHI SIGN, So today
        0x111C9: .otherPunctuation,  // SHARADA SANDHI MARK, Mn today
        0x1885: .otherLetter,  // MONGOLIAN LETTER ALI GALI BALUDA, Mn today
        0x1886: .otherLetter,  // MONGOLIAN LETTER ALI GALI THREE BALUDA, Mn today
        0xA9BD: .spacingMark,  // JAVANESE CONSONANT SIGN KERET, Mn today
    ]

    /// True when `scalar` was assigned in `version` or earlier.
    @inline(__always)
    static func isAssigned(_ scalar: Unicode.Scalar, by version: (major: Int, minor: Int)) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < version.major || (age.major == version.major && age.minor <= version.minor)
    }

    /// The general category of `scalar` in Unicode 8.0; nil when it was unassigned then.
    static func category(_ scalar: Unicode.Scalar) -> Unicode.GeneralCategory? {
        if let old = category8Overrides[scalar.value] { return old }
        guard isAssigned(scalar, by: categoryVersion) else { return nil }
        return scalar.properties.generalCategory
    }

    /// White space as Rust's `char::is_whitespace` (the Unicode White_Space property).
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value) }
        return scalar.properties.isWhitespace
    }

    /// What `clean_text` drops: U+0000, U+FFFD, and every control, format or private-use
    /// character of Unicode 8.0 except tab, line feed and carriage return.
    static func isDroppedByClean(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x00, 0xFFFD: return true
        case 0x01..<0x20, 0x7F: return true
        case 0x20..<0x7F: return false
        default: break
        }
        switch category(scalar) {
        case .control?, .format?, .privateUse?, .surrogate?: return true
        default: return false
        }
    }

    /// What `clean_text` turns into a space: tab, line feed, carriage return and white space
    /// (asked only of characters that are not dropped).
    @inline(__always)
    static func isSpaceForClean(_ scalar: Unicode.Scalar) -> Bool { isWhitespace(scalar) }

    /// BERT punctuation: every ASCII punctuation character (`!"#$%&'()*+,-./:;<=>?@[\]^_\`{|}~`,
    /// symbols included), and the Unicode 8.0 punctuation categories Pc Pd Ps Pe Pi Pf Po.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 {
            return (0x21...0x2F).contains(v) || (0x3A...0x40).contains(v) || (0x5B...0x60).contains(v)
                || (0x7B...0x7E).contains(v)
        }
        switch category(scalar) {
        case .connectorPunctuation?, .dashPunctuation?, .openPunctuation?, .closePunctuation?,
            .initialPunctuation?, .finalPunctuation?, .otherPunctuation?:
            return true
        default:
            return false
        }
    }

    /// Nonspacing marks (Mn) of Unicode 8.0: what `strip_accents` drops after NFD.
    static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x300 && category(scalar) == .nonspacingMark
    }

    /// The CJK ideograph blocks that `handle_chinese_chars` surrounds with spaces. These are the
    /// reference's ranges, which skip U+2B820–U+2B91F (part of CJK Extension E) where the
    /// original BERT code does not.
    static func isChineseIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
            0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// Canonical combining class as the reference's Unicode 9.0 tables give it.
    @inline(__always)
    static func combiningClass(_ scalar: Unicode.Scalar) -> UInt8 {
        if scalar.value < 0x300 { return 0 }
        let ccc = scalar.properties.canonicalCombiningClass.rawValue
        if ccc == 0 || !isAssigned(scalar, by: normalizationVersion) { return 0 }
        return ccc
    }

    /// NFD of `scalars` as the reference computes it: full canonical decomposition of each
    /// scalar assigned by Unicode 9.0, then canonical reordering by `combiningClass`.
    static func canonicalDecomposition(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count + scalars.count / 2)
        for scalar in scalars {
            appendDecomposition(of: scalar, to: &out)
        }
        reorderCanonically(&out)
        return out
    }

    /// Hangul syllables decompose by arithmetic (Unicode §3.12); nothing else below U+00C0
    /// decomposes; the rest asks Foundation (current Unicode, which for a scalar assigned by
    /// 9.0 gives the 9.0 decomposition: decompositions never change once published).
    private static func appendDecomposition(of scalar: Unicode.Scalar, to out: inout [Unicode.Scalar]) {
        let v = scalar.value
        if v < 0xC0 {
            out.append(scalar)
            return
        }
        let hangulFirst: UInt32 = 0xAC00
        let hangulCount: UInt32 = 11172
        if v >= hangulFirst && v < hangulFirst + hangulCount {
            let index = v - hangulFirst
            let lead = 0x1100 + index / 588
            let vowel = 0x1161 + (index % 588) / 28
            let trail = index % 28
            out.append(Unicode.Scalar(lead)!)
            out.append(Unicode.Scalar(vowel)!)
            if trail != 0 { out.append(Unicode.Scalar(0x11A7 + trail)!) }
            return
        }
        guard isAssigned(scalar, by: normalizationVersion) else {
            out.append(scalar)
            return
        }
        let decomposed = String(Character(scalar)).decomposedStringWithCanonicalMapping
        out.append(contentsOf: decomposed.unicodeScalars)
    }

    /// Stable sort of every run of non-starters by combining class.
    private static func reorderCanonically(_ scalars: inout [Unicode.Scalar]) {
        var i = 0
        while i < scalars.count {
            if combiningClass(scalars[i]) == 0 {
                i += 1
                continue
            }
            var end = i + 1
            while end < scalars.count && combiningClass(scalars[end]) != 0 { end += 1 }
            if end - i > 1 {
                // Insertion sort: runs are a few marks long, and it is stable.
                for j in (i + 1)..<end {
                    let moving = scalars[j]
                    let ccc = combiningClass(moving)
                    var k = j
                    while k > i && combiningClass(scalars[k - 1]) > ccc {
                        scalars[k] = scalars[k - 1]
                        k -= 1
                    }
                    scalars[k] = moving
                }
            }
            i = end
        }
    }

    /// Appends the full lower-case mapping of `scalar` (Rust's `char::to_lowercase`: no context,
    /// so Σ is always σ, and İ becomes i followed by U+0307).
    @inline(__always)
    static func appendLowercase(of scalar: Unicode.Scalar, to out: inout [Unicode.Scalar]) {
        let v = scalar.value
        if v < 0x80 {
            out.append((0x41...0x5A).contains(v) ? Unicode.Scalar(v + 0x20)! : scalar)
            return
        }
        let properties = scalar.properties
        // Only cased characters (upper, title or lower case) have a lower-case mapping of their own.
        guard properties.isCased else {
            out.append(scalar)
            return
        }
        out.append(contentsOf: properties.lowercaseMapping.unicodeScalars)
    }
}
