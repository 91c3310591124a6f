/// Truncation to a maximum length, as Hugging Face tokenizers does it for
/// `truncation=True` (`longest_first`), cutting tokens from the right.
public enum Truncation {
    /// How many tokens of each sequence to keep so that, with `specialTokens` added, the
    /// encoding has at most `maxLength` tokens.
    ///
    /// - One sequence keeps its first `maxLength - specialTokens` tokens.
    /// - A pair, when too long: let the shorter have `s` tokens and the budget be
    ///   `b = maxLength - specialTokens`. If `s` fits beside `max(s, b - s)`, the shorter stays
    ///   whole and the longer keeps `b - s`; otherwise each keeps half the budget and the longer
    ///   one gets the odd token (the second one when both are as long).
    /// - When `maxLength` is smaller than `specialTokens`, nothing is cut (the reference then
    ///   gives up on truncation rather than fail), so the result is longer than `maxLength`.
    public static func longestFirst(
        first: Int, second: Int?, maxLength: Int, specialTokens: Int
    ) -> (first: Int, second: Int?) {
        precondition(maxLength >= 0 && first >= 0 && (second ?? 0) >= 0, "Truncation: negative length")
        guard maxLength >= specialTokens else { return (first, second) }
        let budget = maxLength - specialTokens
        guard let second else { return (min(first, budget), nil) }
        if first + second <= budget { return (first, second) }
        // tokenizers/src/utils/truncation.rs, LongestFirst: n1 is the shorter length.
        let swapped = first > second
        var n1 = swapped ? second : first
        var n2: Int
        if n1 > budget {
            n2 = n1
        } else {
            n2 = max(n1, budget - n1)
        }
        if n1 + n2 > budget {
            n1 = budget / 2
            n2 = n1 + budget % 2
        }
        let (keepFirst, keepSecond) = swapped ? (n2, n1) : (n1, n2)
        return (min(first, keepFirst), min(second, keepSecond))
    }
}
