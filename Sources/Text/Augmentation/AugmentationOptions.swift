/// How training text is augmented: the operations of EDA (Wei and Zou, "EDA: Easy Data
/// Augmentation Techniques for Boosting Performance on Text Classification Tasks", EMNLP 2019)
/// except synonym replacement, which needs a thesaurus, plus word dropout.
///
/// Every rate is in [0, 1] and 0 turns its operation off; the defaults turn all of them off.
/// `TextAugmenter` applies the operations in the order of the fields below. Decoding accepts
/// any subset of the keys, the others keeping their defaults.
public struct AugmentationOptions: Codable, Equatable, Sendable {
    /// Random deletion (EDA's p_rd): each word is deleted with this probability. A text never
    /// loses all its words.
    public var deletionProbability: Double
    /// Random swap (EDA's α_rs): max(1, round(rate · words)) swaps of two distinct random
    /// positions, `words` being the number of words of the original text.
    public var swapRate: Double
    /// Random insertion (EDA's α_ri): round(rate · words) copies of random words of the text,
    /// each put at a random position.
    public var insertionRate: Double
    /// Word dropout: each word is replaced by `wordDropoutToken` with this probability.
    public var wordDropoutProbability: Double
    /// What word dropout puts in place of a word: a special token of the tokenizer such as
    /// "[UNK]" or "[MASK]", which the tokenizer matches in the raw text and maps to its id.
    /// Must be non-empty and contain no white space (it stands for one word).
    public var wordDropoutToken: String

    public init(
        deletionProbability: Double = 0, swapRate: Double = 0, insertionRate: Double = 0,
        wordDropoutProbability: Double = 0, wordDropoutToken: String = "[UNK]"
    ) {
        self.deletionProbability = deletionProbability
        self.swapRate = swapRate
        self.insertionRate = insertionRate
        self.wordDropoutProbability = wordDropoutProbability
        self.wordDropoutToken = wordDropoutToken
    }

    /// Whether any operation is on; when not, augmentation returns every text unchanged.
    public var isEnabled: Bool {
        deletionProbability > 0 || swapRate > 0 || insertionRate > 0 || wordDropoutProbability > 0
    }

    /// Checks every field; the error names the first bad one.
    public func validate() throws(AugmentationOptionsError) {
        let rates: [(CodingKeys, Double)] = [
            (.deletionProbability, deletionProbability), (.swapRate, swapRate),
            (.insertionRate, insertionRate), (.wordDropoutProbability, wordDropoutProbability),
        ]
        for (key, value) in rates where !(0...1).contains(value) {  // NaN is in no range
            throw .rateOutOfRange(option: key.stringValue, value: value)
        }
        if wordDropoutToken.isEmpty {
            throw .invalidToken(
                option: CodingKeys.wordDropoutToken.stringValue, token: wordDropoutToken, reason: "must not be empty")
        }
        if wordDropoutToken.unicodeScalars.contains(where: \.properties.isWhitespace) {
            throw .invalidToken(
                option: CodingKeys.wordDropoutToken.stringValue, token: wordDropoutToken,
                reason: "must not contain white space (it replaces one word)")
        }
    }

    enum CodingKeys: String, CodingKey {
        case deletionProbability, swapRate, insertionRate, wordDropoutProbability, wordDropoutToken
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = AugmentationOptions()
        deletionProbability =
            try container.decodeIfPresent(Double.self, forKey: .deletionProbability) ?? defaults.deletionProbability
        swapRate = try container.decodeIfPresent(Double.self, forKey: .swapRate) ?? defaults.swapRate
        insertionRate = try container.decodeIfPresent(Double.self, forKey: .insertionRate) ?? defaults.insertionRate
        wordDropoutProbability =
            try container.decodeIfPresent(Double.self, forKey: .wordDropoutProbability)
            ?? defaults.wordDropoutProbability
        wordDropoutToken =
            try container.decodeIfPresent(String.self, forKey: .wordDropoutToken) ?? defaults.wordDropoutToken
    }
}
