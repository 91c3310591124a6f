import Model
import Text

/// Where the trainer's examples come from: each example's tokens and targets appended to a
/// batch — the same for every rank, whatever the split.
public protocol ExampleSource {
    var count: Int { get }
    /// The units example `i` adds to the denominator of the mean loss (see
    /// `EncodedDataset.lossUnits`).
    func lossUnits(_ i: Int) -> Int
    /// Appends example `i`, as seen in `epoch`, to `batch` (sample id `i`, which keys its
    /// dropout masks) and its targets to `targets`.
    func append(_ i: Int, epoch: Int, to batch: PackedBatch, targets: TargetBuffer)
    /// Sequences each example appends (1, or the texts of an embedding example).
    var textsPerExample: Int { get }
}

extension EncodedDataset: ExampleSource {
    public func append(_ i: Int, epoch: Int, to batch: PackedBatch, targets buffer: TargetBuffer) {
        append(i, to: batch, sample: UInt64(i))
        buffer.append(targets, example: i, tokens: offsets[i]..<offsets[i + 1])
    }
}

/// Training examples augmented afresh in every epoch: example i of epoch e is the text
/// `TextAugmenter` makes from (seed, e, i), tokenised when its batch is assembled — so any
/// rank builds the same augmented example, and a run at 1 rank sees what a run at 4 sees.
/// For text-level tasks (classification, regression, multi-label); word-tagged data is not
/// augmented.
///
/// Tokenising on the fly allocates in the step (a few µs per example); without
/// augmentation the trainer uses the pre-tokenised `EncodedDataset` instead.
public struct AugmentedExamples: ExampleSource {
    let texts: [(text: String, pair: String?)]
    let encoded: EncodedDataset
    let tokenizer: any TextTokenizer
    let augmenter: TextAugmenter
    let seed: UInt64
    let maxLength: Int

    /// `encoded` supplies the targets (already checked); `texts` the raw text of each of its
    /// examples.
    public init(
        texts: [(text: String, pair: String?)], encoded: EncodedDataset, tokenizer: any TextTokenizer,
        augmenter: TextAugmenter, seed: UInt64, maxLength: Int
    ) {
        precondition(texts.count == encoded.count, "AugmentedExamples: \(texts.count) texts, \(encoded.count) examples")
        if case .tokens = encoded.targets {
            preconditionFailure("AugmentedExamples: word-tagged data is not augmented")
        }
        self.texts = texts
        self.encoded = encoded
        self.tokenizer = tokenizer
        self.augmenter = augmenter
        self.seed = seed
        self.maxLength = maxLength
    }

    public var count: Int { encoded.count }
    public var textsPerExample: Int { 1 }
    public func lossUnits(_ i: Int) -> Int { encoded.lossUnits(i) }

    /// The augmented text and pair of example `i` in `epoch` (sides 0 and 1 draw from
    /// separate streams).
    public func augmented(_ i: Int, epoch: Int) -> (text: String, pair: String?) {
        (
            augmenter.augment(texts[i].text, seed: seed, epoch: epoch, example: i, side: 0),
            texts[i].pair.map { augmenter.augment($0, seed: seed, epoch: epoch, example: i, side: 1) }
        )
    }

    public func append(_ i: Int, epoch: Int, to batch: PackedBatch, targets buffer: TargetBuffer) {
        let example = augmented(i, epoch: epoch)
        let encoding = tokenizer.encode(example.text, pair: example.pair, maxLength: maxLength)
        batch.append(ids: encoding.ids, typeIds: encoding.typeIds, sample: UInt64(i))
        buffer.append(encoded.targets, example: i, tokens: 0..<0)
    }
}
