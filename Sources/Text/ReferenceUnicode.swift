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
    /// True when `age` is `version` or earlier.
    @inline(__always)
    private static func isAge(_ age: Unicode.Version, atMost version: (major: Int, minor: Int)) -> Bool {
        age.major < version.major || (age.major == version.major && age.minor <= version.minor)
    }

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
        return isAge(age, atMost: version)
    }

    /// The reference's classes of one scalar, as bits.
    struct Classes: OptionSet, Sendable {
        let rawValue: UInt8
        /// `clean_text` drops it.
        static let droppedByClean = Classes(rawValue: 1 << 0)
        /// White space (Rust's `char::is_whitespace`).
        static let whitespace = Classes(rawValue: 1 << 1)
        /// BERT punctuation.
        static let punctuation = Classes(rawValue: 1 << 2)
        /// A nonspacing mark of Unicode 8.0.
        static let nonspacingMark = Classes(rawValue: 1 << 3)
        /// In the CJK ideograph ranges of `handle_chinese_chars`.
        static let chineseIdeograph = Classes(rawValue: 1 << 4)
        /// At or above U+0300 and not assigned by Unicode 9.0: the reference's NFD neither
        /// decomposes nor reorders it, where current Unicode might.
        static let newerThanNormalization = Classes(rawValue: 1 << 5)
        /// Cased (upper, title or lower case): only these have a lower-case mapping of their own.
        static let cased = Classes(rawValue: 1 << 6)

        /// Whether a class of `member` (one class, as used here) is set. A plain bit test: the
        /// generic `SetAlgebra.contains` is slow in debug builds, where the all-code-point test runs.
        @inline(__always)
        func contains(_ member: Classes) -> Bool { rawValue & member.rawValue != 0 }
    }

    /// The classes of `scalar`, from the basic multilingual plane table or computed.
    @inline(__always)
    static func classes(_ scalar: Unicode.Scalar) -> Classes {
        let v = scalar.value
        return v < 0x10000 ? Classes(rawValue: basicPlane[Int(v)]) : computeClasses(scalar)
    }

    /// `classes` of every scalar below U+10000 (surrogates: none), computed once on first use
    /// (~65k property lookups) so that the per-scalar work of non-ASCII text is one load.
    private static let basicPlane: [UInt8] = (0..<0x10000).map { value in
        Unicode.Scalar(UInt32(value)).map { computeClasses($0).rawValue } ?? 0
    }

    private static func computeClasses(_ scalar: Unicode.Scalar) -> Classes {
        var classes: Classes = []
        let v = scalar.value
        switch v {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
            0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            classes.insert(.chineseIdeograph)
        default:
            break
        }
        let properties = scalar.properties
        // Unassigned even today (most of the supplementary planes): nothing else applies.
        guard let age = properties.age else {
            if v >= 0x300 { classes.insert(.newerThanNormalization) }
            return classes
        }
        // The general category as of Unicode 8.0; nil when the scalar came later.
        let category = category8Overrides[v] ?? (isAge(age, atMost: categoryVersion) ? properties.generalCategory : nil)
        switch v {
        case 0x09, 0x0A, 0x0D: break
        case 0x00, 0xFFFD: classes.insert(.droppedByClean)
        default:
            switch category {
            case .control?, .format?, .privateUse?, .surrogate?: classes.insert(.droppedByClean)
            default: break
            }
        }
        if properties.isWhitespace { classes.insert(.whitespace) }
        let asciiPunctuation =
            (0x21...0x2F).contains(v) || (0x3A...0x40).contains(v) || (0x5B...0x60).contains(v)
            || (0x7B...0x7E).contains(v)
        switch category {
        case _ where asciiPunctuation:
            classes.insert(.punctuation)
        case .connectorPunctuation?, .dashPunctuation?, .openPunctuation?, .closePunctuation?,
            .initialPunctuation?, .finalPunctuation?, .otherPunctuation?:
            classes.insert(.punctuation)
        case .nonspacingMark?:
            classes.insert(.nonspacingMark)
        default:
            break
        }
        if v >= 0x300 && !isAge(age, atMost: normalizationVersion) { classes.insert(.newerThanNormalization) }
        if properties.isCased { classes.insert(.cased) }
        return classes
    }

    /// White space as Rust's `char::is_whitespace` (the Unicode White_Space property).
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value) }
        return classes(scalar).contains(.whitespace)
    }

    /// BERT punctuation: every ASCII punctuation character (`!"#$%&'()*+,-./:;<=>?@[\]^_\`{|}~`,
    /// symbols included), and the Unicode 8.0 punctuation categories Pc Pd Ps Pe Pi Pf Po.
    @inline(__always)
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        classes(scalar).contains(.punctuation)
    }

    /// Nonspacing marks (Mn) of Unicode 8.0: what `strip_accents` drops after NFD.
    @inline(__always)
    static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        classes(scalar).contains(.nonspacingMark)
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
        // Decompositions and combining classes of assigned characters never change (Unicode
        // stability policy), so when every scalar is known to Unicode 9.0, Foundation's NFD
        // (current Unicode) of the whole text is the reference's.
        if !scalars.contains(where: { classes($0).contains(.newerThanNormalization) }) {
            if !scalars.contains(where: { $0.value >= 0xC0 }) { return scalars }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: scalars)
            return Array(String(text).decomposedStringWithCanonicalMapping.unicodeScalars)
        }
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
        guard classes(scalar).contains(.cased) else {
            out.append(scalar)
            return
        }
        out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
    }
}
