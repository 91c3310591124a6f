import Model
import Text

/// Where the trainer's examples come from: the label of example i, and its tokens appended
/// to a packed batch — the same for every rank, whatever the split.
public protocol ExampleSource {
    var count: Int { get }
    /// Class id of example `i`.
    func label(_ i: Int) -> Int32
    /// Appends example `i`, as seen in `epoch`, to `batch` (sample id `i`, which keys its
    /// dropout masks).
    func append(_ i: Int, epoch: Int, to batch: PackedBatch)
}

extension EncodedDataset: ExampleSource {
    public func label(_ i: Int) -> Int32 { labels[i] }
    public func append(_ i: Int, epoch: Int, to batch: PackedBatch) { append(i, to: batch, sample: UInt64(i)) }
}

/// Training examples augmented afresh in every epoch: example i of epoch e is the text
/// `TextAugmenter` makes from (seed, e, i), tokenised when its batch is assembled — so any
/// rank builds the same augmented example, and a run at 1 rank sees what a run at 4 sees.
///
/// Tokenising on the fly allocates in the step (a few µs per example); without
/// augmentation the trainer uses the pre-tokenised `EncodedDataset` instead.
public struct AugmentedExamples: ExampleSource {
    let rows: [LabelledText]
    let labels: [Int32]
    let tokenizer: WordPieceTokenizer
    let augmenter: TextAugmenter
    let seed: UInt64
    let maxLength: Int

    /// `encoded` supplies the label ids (already checked against the label set).
    public init(rows: [LabelledText], encoded: EncodedDataset, tokenizer: WordPieceTokenizer, augmenter: TextAugmenter,
                seed: UInt64, maxLength: Int) {
        precondition(rows.count == encoded.count, "AugmentedExamples: \(rows.count) rows, \(encoded.count) encoded")
        self.rows = rows
        labels = encoded.labels
        self.tokenizer = tokenizer
        self.augmenter = augmenter
        self.seed = seed
        self.maxLength = maxLength
    }

    public var count: Int { rows.count }
    public func label(_ i: Int) -> Int32 { labels[i] }

    /// The augmented text (and pair) of example `i` in `epoch`.
    public func augmented(_ i: Int, epoch: Int) -> LabelledText {
        augmenter.augment(rows[i], seed: seed, epoch: epoch, example: i)
    }

    public func append(_ i: Int, epoch: Int, to batch: PackedBatch) {
        let example = augmented(i, epoch: epoch)
        let encoding = tokenizer.encode(example.text, pair: example.pair, maxLength: maxLength)
        batch.append(ids: encoding.ids, typeIds: encoding.typeIds, sample: UInt64(i))
    }
}
