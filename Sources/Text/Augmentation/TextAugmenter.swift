/// Reproducible text augmentation for fine-tuning (EDA without synonyms, plus word dropout).
///
/// The augmented form of example `i` in epoch `e` is a pure function of (seed, e, i, the text,
/// the options, the side): never of the rank, the number of ranks, the thread or the order in
/// which examples are augmented. Each text draws from its own `AugmentationRandom` stream, and
/// each operation from its own substream of it, so a run at 1 rank and at 4 ranks trains on
/// identical data, and a resumed run sees what the uninterrupted run would have.
///
/// A text is split into words at Unicode white space; the operations run in this order, each
/// on the result of the one before:
///
/// 1. random deletion (`deletionProbability`), never leaving a text without words;
/// 2. random swap (`swapRate`);
/// 3. random insertion (`insertionRate`) of copies of the text's own words;
/// 4. word dropout (`wordDropoutProbability`) to `wordDropoutToken`.
///
/// The words are then joined with single spaces. When no operation changed anything (every
/// rate 0, or a text with no words, or no draw fired) the text is returned exactly as given,
/// white space included. Word dropout works on the raw text, before tokenization, so that the
/// tokenizer, which matches special tokens in raw text (`AddedToken`), turns "[MASK]" or
/// "[UNK]" into its id rather than into word pieces.
public struct TextAugmenter: Sendable {
    /// The validated options.
    public let options: AugmentationOptions
    private let replacement: [UInt8]

    /// Substream purposes, one per operation; fixed numbers, since they decide the draws.
    private enum Operation: UInt64 {
        case deletion = 1
        case swap = 2
        case insertion = 3
        case wordDropout = 4
    }

    /// An augmenter for `options`, which it validates first.
    public init(options: AugmentationOptions) throws(AugmentationOptionsError) {
        try options.validate()
        self.options = options
        self.replacement = Array(options.wordDropoutToken.utf8)
    }

    /// The augmented form of `text`, the side `side` of example `example` in epoch `epoch`.
    ///
    /// - Parameters:
    ///   - seed: The run's seed.
    ///   - epoch: The epoch, so that each epoch sees a different augmentation.
    ///   - example: The example's index in the data set (its position in the file, not in the
    ///     shuffled order or a rank's share).
    ///   - side: 0 for a single text or the first text of a pair, 1 for the second, so that the
    ///     two sides of a pair draw from distinct streams.
    public func augment(_ text: String, seed: UInt64, epoch: Int, example: Int, side: Int = 0) -> String {
        guard options.isEnabled else { return text }
        let stream = AugmentationRandom(seed: seed, epoch: epoch, example: example, side: side)
        let augmented = UTF8Bytes.withBytes(of: text) { bytes -> String? in
            var words = AugmentationWords.split(bytes)
            let originalCount = words.count
            var deletionDraws = stream.substream(Operation.deletion.rawValue)
            var swapDraws = stream.substream(Operation.swap.rawValue)
            var insertionDraws = stream.substream(Operation.insertion.rawValue)
            var dropoutDraws = stream.substream(Operation.wordDropout.rawValue)
            let deleted = words.deleteRandomly(probability: options.deletionProbability, random: &deletionDraws)
            let swapped = words.swapRandomly(rate: options.swapRate, originalCount: originalCount, random: &swapDraws)
            let inserted = words.insertCopies(
                rate: options.insertionRate, originalCount: originalCount, random: &insertionDraws)
            let dropped = words.dropOut(probability: options.wordDropoutProbability, random: &dropoutDraws)
            guard deleted || swapped || inserted || dropped else { return nil }
            return AugmentationWords.join(words, text: bytes, replacement: replacement)
        }
        return augmented ?? text
    }

    /// The augmented form of a data-set example: its text as side 0 and its second text, if
    /// any, as side 1; the label and line are kept.
    public func augment(_ labelled: LabelledText, seed: UInt64, epoch: Int, example: Int) -> LabelledText {
        var result = labelled
        result.text = augment(labelled.text, seed: seed, epoch: epoch, example: example, side: 0)
        result.pair = labelled.pair.map { augment($0, seed: seed, epoch: epoch, example: example, side: 1) }
        return result
    }
}
