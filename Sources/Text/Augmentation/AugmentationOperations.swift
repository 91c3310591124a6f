/// The four word-level operations on the words of one text. Each edits the list in place, does
/// nothing at rate 0, draws only from the stream it is given, and returns whether it changed
/// anything. `originalCount` is the number of words of the text before any operation, the `l`
/// of EDA's n = α·l.
extension [AugmentedWord] {
    /// Random deletion: each word is deleted with probability `probability`, the draws made in
    /// word order. If every word was drawn for deletion, one word, chosen uniformly with a
    /// further draw, is kept: a text with words never comes out empty (as in EDA).
    mutating func deleteRandomly(probability: Double, random: inout AugmentationRandom) -> Bool {
        let wordCount = count
        guard probability > 0, wordCount > 0 else { return false }
        var kept = 0
        for index in 0..<wordCount where !random.chance(probability) {
            self[kept] = self[index]  // kept ≤ index: compaction never overwrites an unread word
            kept += 1
        }
        if kept == 0 {
            // Nothing was overwritten, so the list still holds every word.
            let survivor = self[random.next(below: wordCount)]
            removeAll(keepingCapacity: true)
            append(survivor)
            return wordCount > 1
        }
        removeLast(wordCount - kept)
        return kept < wordCount
    }

    /// Random swap: max(1, round(`rate` · `originalCount`)) times, two distinct positions
    /// drawn uniformly swap their words. Nothing when `rate` is 0 or fewer than two words are
    /// left. Rounding is to nearest, halves away from zero.
    mutating func swapRandomly(rate: Double, originalCount: Int, random: inout AugmentationRandom) -> Bool {
        let wordCount = count
        guard rate > 0, wordCount >= 2 else { return false }
        let swaps = Swift.max(1, Int((rate * Double(originalCount)).rounded()))
        for _ in 0..<swaps {
            let first = random.next(below: wordCount)
            var second = random.next(below: wordCount - 1)  // a position other than `first`, uniformly
            if second >= first { second += 1 }
            swapAt(first, second)
        }
        return true
    }

    /// Random insertion: round(`rate` · `originalCount`) times, a copy of a word drawn
    /// uniformly from the current list is inserted at a position drawn uniformly from the
    /// count + 1 gaps (the ends included). EDA inserts a synonym of the drawn word; without a
    /// thesaurus this inserts the word itself, so the text gains repeated words, not new ones.
    mutating func insertCopies(rate: Double, originalCount: Int, random: inout AugmentationRandom) -> Bool {
        let insertions = Int((rate * Double(originalCount)).rounded())
        guard insertions > 0, !isEmpty else { return false }
        reserveCapacity(count + insertions)
        for _ in 0..<insertions {
            let word = self[random.next(below: count)]
            insert(word, at: random.next(below: count + 1))
        }
        return true
    }

    /// Word dropout: each word is replaced by the replacement token with probability
    /// `probability`, the draws made in word order.
    mutating func dropOut(probability: Double, random: inout AugmentationRandom) -> Bool {
        guard probability > 0 else { return false }
        var changed = false
        for index in indices where random.chance(probability) {
            self[index] = .replacement
            changed = true
        }
        return changed
    }
}
