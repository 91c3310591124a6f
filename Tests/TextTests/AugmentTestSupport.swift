import Testing
import Text

/// Texts and helpers shared by the augmentation tests.
enum AugmentTestSupport {
    /// "w0 w1 … w(n-1)": n distinct words, so that every moved, copied or lost word is visible.
    static func distinctWords(_ count: Int) -> String {
        (0..<count).map { "w\($0)" }.joined(separator: " ")
    }

    /// A varied corpus: example i has 1 + i % 23 distinct words, some with non-ASCII letters,
    /// separated by assorted white space.
    static func corpus(_ count: Int) -> [String] {
        let separators = [" ", "  ", "\t", "\u{00A0}", " \n "]
        return (0..<count).map { i in
            (0..<(1 + i % 23)).map { k in k % 5 == 0 ? "é\(i)_\(k)" : "t\(i)_\(k)" }.enumerated()
                .map { $0.offset == 0 ? $0.element : separators[($0.offset + i) % separators.count] + $0.element }
                .joined()
        }
    }

    /// The words of an augmented text (it is joined with single spaces).
    static func words(_ text: String) -> [String] {
        text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }

    /// An augmenter for options that are valid by construction.
    static func augmenter(_ options: AugmentationOptions) -> TextAugmenter {
        do {
            return try TextAugmenter(options: options)
        } catch {
            preconditionFailure("test options refused: \(error)")
        }
    }

    /// Whether `part` is `whole` with some elements removed (order kept).
    static func isSubsequence(_ part: [String], of whole: [String]) -> Bool {
        var iterator = whole.makeIterator()
        return part.allSatisfy { word in
            while let next = iterator.next() { if next == word { return true } }
            return false
        }
    }

    /// Expects an observed mean within `sigmas` standard errors of the expected one, with a
    /// message that shows all three.
    static func expectNear(
        _ observed: Double, _ expected: Double, standardError: Double, sigmas: Double = 5,
        _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            abs(observed - expected) <= sigmas * standardError,
            "\(what): observed \(observed), expected \(expected) ± \(sigmas)σ (σ = \(standardError))",
            sourceLocation: sourceLocation)
    }
}
