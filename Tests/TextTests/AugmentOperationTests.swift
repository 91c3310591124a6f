import Testing

@testable import Text

/// Each operation does what its contract says, at the rate it is given: identity at 0, the
/// expected share of words changed over many examples, never an empty text.
///
/// The statistical checks use texts of distinct words ("w0 w1 …") so that every change is
/// visible, and bound the observed mean by 5 standard errors of its sampling distribution
/// (a false failure about once in 1.7 million runs per check, were the draws truly random;
/// they are fixed by the seeds, so a check that passes once passes always).
@Suite("Augmentation operations")
struct AugmentOperationTests {
    enum Operation: String, CaseIterable, CustomTestStringConvertible {
        case deletion, swap, insertion, wordDropout

        var testDescription: String { rawValue }

        func options(_ rate: Double) -> AugmentationOptions {
            switch self {
            case .deletion: return AugmentationOptions(deletionProbability: rate)
            case .swap: return AugmentationOptions(swapRate: rate)
            case .insertion: return AugmentationOptions(insertionRate: rate)
            case .wordDropout: return AugmentationOptions(wordDropoutProbability: rate, wordDropoutToken: "[MASK]")
            }
        }
    }

    static let oddTexts = [
        "", "   ", "one", "two words", "  leading and trailing  ", "tabs\tand\nnew\r\nlines",
        "non\u{00A0}breaking\u{3000}ideographic space", "naïve café 😀 emoji", AugmentTestSupport.distinctWords(30),
    ]

    @Test("rate 0 is the identity, white space and all", arguments: Operation.allCases)
    func zeroRateIsIdentity(operation: Operation) {
        let options = operation.options(0)
        #expect(!options.isEnabled)
        let augmenter = AugmentTestSupport.augmenter(options)
        for text in Self.oddTexts {
            for example in 0..<50 {
                #expect(augmenter.augment(text, seed: 1, epoch: example % 3, example: example) == text)
            }
        }
    }

    @Test("a text no draw changed comes back exactly as given")
    func unchangedTextIsReturnedAsIs() {
        let augmenter = AugmentTestSupport.augmenter(AugmentationOptions(deletionProbability: 1e-12))
        let text = "  spaced \t out\n text "
        #expect(augmenter.augment(text, seed: 0, epoch: 0, example: 0) == text)
        // Texts without words have nothing to change, whatever the rates.
        let all = AugmentTestSupport.augmenter(
            AugmentationOptions(deletionProbability: 1, swapRate: 1, insertionRate: 1, wordDropoutProbability: 1))
        for blank in ["", " ", "\t\n", "\u{2003}\u{3000}"] {
            #expect(all.augment(blank, seed: 0, epoch: 0, example: 0) == blank)
        }
    }

    @Test("words are split at Unicode white space and joined with single spaces")
    func wordSplitting() {
        let text = " a\u{00A0}b\u{3000}c\td\r\n e\u{2028}f\u{0085}g\u{200A}h naïve 😀 x\u{200B}y "
        let words = UTF8Bytes.withBytes(of: text) { bytes in
            AugmentationWords.split(bytes).map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) }
        }
        // U+200B ZERO WIDTH SPACE is not White_Space: it stays inside its word.
        #expect(words == ["a", "b", "c", "d", "e", "f", "g", "h", "naïve", "😀", "x\u{200B}y"])
        let dropout = AugmentTestSupport.augmenter(
            AugmentationOptions(wordDropoutProbability: 1, wordDropoutToken: "[UNK]"))
        #expect(
            dropout.augment(text, seed: 0, epoch: 0, example: 0)
                == Array(repeating: "[UNK]", count: 11).joined(separator: " "))
    }

    @Test("random deletion removes about p of the words, keeping their order", arguments: [0.1, 0.3, 0.5])
    func deletionFraction(probability: Double) {
        let augmenter = AugmentTestSupport.augmenter(AugmentationOptions(deletionProbability: probability))
        let original = AugmentTestSupport.words(AugmentTestSupport.distinctWords(20))
        let examples = 2_000
        var deleted = 0
        for example in 0..<examples {
            let words = AugmentTestSupport.words(
                augmenter.augment(original.joined(separator: " "), seed: 42, epoch: 0, example: example))
            #expect(AugmentTestSupport.isSubsequence(words, of: original))
            deleted += original.count - words.count
        }
        // 40,000 independent Bernoulli(p) deletions: σ of the fraction = sqrt(p(1 − p) / 40,000)
        // (0.0015 at p = 0.1). Keeping a word of an emptied text (p²⁰ ≤ 1e-6 per text) is noise.
        let trials = Double(examples * original.count)
        AugmentTestSupport.expectNear(
            Double(deleted) / trials, probability,
            standardError: (probability * (1 - probability) / trials).squareRoot(), "fraction deleted")
    }

    @Test("random deletion never empties a text", arguments: [0.9, 1.0])
    func deletionKeepsAWord(probability: Double) {
        let augmenter = AugmentTestSupport.augmenter(AugmentationOptions(deletionProbability: probability))
        let length = 5
        let original = AugmentTestSupport.words(AugmentTestSupport.distinctWords(length))
        var keptAt = [Int](repeating: 0, count: length)
        let examples = 3_000
        for example in 0..<examples {
            for count in 1...length {
                let text = original.prefix(count).joined(separator: " ")
                let words = AugmentTestSupport.words(augmenter.augment(text, seed: 9, epoch: 1, example: example))
                #expect(!words.isEmpty)
                #expect(AugmentTestSupport.isSubsequence(words, of: Array(original.prefix(count))))
                if probability == 1 {
                    #expect(words.count == 1)
                    if count == length, let index = original.firstIndex(of: words[0]) { keptAt[index] += 1 }
                }
            }
        }
        guard probability == 1 else { return }
        // The survivor is drawn uniformly: each position Binomial(3000, 1/5), σ = sqrt(3000 · 0.2 · 0.8) ≈ 21.9.
        for (index, count) in keptAt.enumerated() {
            AugmentTestSupport.expectNear(
                Double(count), Double(examples) / Double(length),
                standardError: (Double(examples) * 0.2 * 0.8).squareRoot(), "kept w\(index)")
        }
    }

    @Test("random swap moves the expected share of words and loses none", arguments: [0.05, 0.1, 0.25, 0.5])
    func swapFraction(rate: Double) {
        let augmenter = AugmentTestSupport.augmenter(AugmentationOptions(swapRate: rate))
        let length = 20
        let original = AugmentTestSupport.words(AugmentTestSupport.distinctWords(length))
        let swaps = max(1, Int((rate * Double(length)).rounded()))
        let examples = 4_000
        var displaced = 0
        for example in 0..<examples {
            let words = AugmentTestSupport.words(
                augmenter.augment(original.joined(separator: " "), seed: 3, epoch: 2, example: example))
            #expect(words.sorted() == original.sorted())
            let moved = zip(words, original).filter { $0 != $1 }.count
            #expect(moved <= 2 * swaps)
            if swaps == 1 { #expect(moved == 2) }  // two distinct positions, two distinct words
            displaced += moved
        }
        // A word is in place after k uniform transpositions with probability q_k, where
        // q_{k+1} = q_k (1 − 2/l) + (1 − q_k) · 2/(l(l − 1)) (it leaves with probability 2/l,
        // comes back only by the one transposition of its place and its home), q_0 = 1.
        var inPlace = 1.0
        let l = Double(length)
        for _ in 0..<swaps { inPlace = inPlace * (1 - 2 / l) + (1 - inPlace) * 2 / (l * (l - 1)) }
        // Per text the displaced count lies in [0, 2n], so its variance is at most n²
        // (Popoviciu); σ of the mean displaced fraction ≤ n / (l · sqrt(examples)).
        AugmentTestSupport.expectNear(
            Double(displaced) / (Double(examples) * l), 1 - inPlace,
            standardError: Double(swaps) / (l * Double(examples).squareRoot()), "fraction displaced")
    }

    @Test("random insertion adds round(α·l) copies of the text's own words", arguments: [0.1, 0.25, 0.5, 1.0])
    func insertionCount(rate: Double) {
        let augmenter = AugmentTestSupport.augmenter(AugmentationOptions(insertionRate: rate))
        for length in [1, 2, 3, 4, 10, 21] {
            let original = AugmentTestSupport.words(AugmentTestSupport.distinctWords(length))
            let expected = length + Int((rate * Double(length)).rounded())
            for example in 0..<200 {
                let words = AugmentTestSupport.words(
                    augmenter.augment(original.joined(separator: " "), seed: 5, epoch: 0, example: example))
                #expect(words.count == expected)
                #expect(AugmentTestSupport.isSubsequence(original, of: words))
                #expect(Set(words) == Set(original))  // copies only: no word from outside the text
            }
        }
    }

    @Test("random insertion picks the word and the place uniformly")
    func insertionIsUniform() {
        // l = 10, α = 0.1: exactly one insertion per text, independent between texts.
        let augmenter = AugmentTestSupport.augmenter(AugmentationOptions(insertionRate: 0.1))
        let original = AugmentTestSupport.words(AugmentTestSupport.distinctWords(10))
        let examples = 5_000
        var copies = [String: Int]()
        var newFirst = 0
        var newLast = 0
        for example in 0..<examples {
            var words = AugmentTestSupport.words(
                augmenter.augment(original.joined(separator: " "), seed: 8, epoch: 0, example: example))
            if words.first != "w0" { newFirst += 1 }
            if words.last != "w9" { newLast += 1 }
            for word in original { words.remove(at: words.firstIndex(of: word)!) }
            copies[words[0], default: 0] += 1
        }
        // The copied word: Binomial(5000, 1/10) each, σ = sqrt(5000 · 0.1 · 0.9) ≈ 21.2.
        for word in original {
            AugmentTestSupport.expectNear(
                Double(copies[word, default: 0]), 500, standardError: (5_000 * 0.1 * 0.9).squareRoot(),
                "copies of \(word)")
        }
        // A new first word needs the first of the 11 gaps and a word other than w0:
        // p = (1/11)(9/10); Binomial(5000, p), σ ≈ 19.4. The same holds at the end.
        let p = 9.0 / 110
        let sigma = (5_000 * p * (1 - p)).squareRoot()
        AugmentTestSupport.expectNear(Double(newFirst), 5_000 * p, standardError: sigma, "new first word")
        AugmentTestSupport.expectNear(Double(newLast), 5_000 * p, standardError: sigma, "new last word")
    }

    @Test("word dropout replaces about p of the words by the token, in place", arguments: [0.1, 0.3, 0.5])
    func wordDropoutFraction(probability: Double) {
        let augmenter = AugmentTestSupport.augmenter(
            AugmentationOptions(wordDropoutProbability: probability, wordDropoutToken: "[MASK]"))
        let original = AugmentTestSupport.words(AugmentTestSupport.distinctWords(20))
        let examples = 2_000
        var replaced = 0
        for example in 0..<examples {
            let words = AugmentTestSupport.words(
                augmenter.augment(original.joined(separator: " "), seed: 1, epoch: 4, example: example))
            #expect(words.count == original.count)
            for (word, before) in zip(words, original) {
                if word == "[MASK]" { replaced += 1 } else { #expect(word == before) }
            }
        }
        // 40,000 Bernoulli(p) replacements: σ of the fraction = sqrt(p(1 − p) / 40,000).
        let trials = Double(examples * original.count)
        AugmentTestSupport.expectNear(
            Double(replaced) / trials, probability,
            standardError: (probability * (1 - probability) / trials).squareRoot(), "fraction replaced")
    }

    @Test("operations run in order: deletion, swap, insertion, dropout; counts use the original length")
    func order() {
        // Deletion at 1 leaves one word; a swap needs two, so none happens; insertion adds
        // round(0.5 · 10) = 5 copies of the survivor; dropout at 1 replaces all six.
        let text = AugmentTestSupport.distinctWords(10)
        let noDropout = AugmentTestSupport.augmenter(
            AugmentationOptions(deletionProbability: 1, swapRate: 0.5, insertionRate: 0.5))
        for example in 0..<100 {
            let words = AugmentTestSupport.words(noDropout.augment(text, seed: 2, epoch: 0, example: example))
            #expect(words.count == 6)
            #expect(Set(words).count == 1)
        }
        let all = AugmentTestSupport.augmenter(
            AugmentationOptions(
                deletionProbability: 1, swapRate: 0.5, insertionRate: 0.5, wordDropoutProbability: 1,
                wordDropoutToken: "[UNK]"))
        #expect(all.augment(text, seed: 2, epoch: 0, example: 0) == "[UNK] [UNK] [UNK] [UNK] [UNK] [UNK]")
    }
}
