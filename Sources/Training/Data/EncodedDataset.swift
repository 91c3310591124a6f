import Model
import Text

/// A data set tokenised once, before training: every example's token ids and type ids in
/// two flat arrays (no per-example allocations), its targets, and the file line it came
/// from. Every rank encodes the whole file the same way, so any rank can assemble any
/// sample of any global batch.
///
/// An example is one sequence, or `textsPerExample` sequences encoded separately (the
/// anchor, positive and negatives of an embedding example), stored one after another.
public struct EncodedDataset: Sendable {
    public let file: String
    /// Token ids of every sequence back to back; sequence s is `offsets[s] ..< offsets[s+1]`,
    /// and example i is sequences `i · textsPerExample ..< (i + 1) · textsPerExample`.
    public private(set) var ids: [Int32] = []
    public private(set) var typeIds: [Int32] = []
    public private(set) var offsets: [Int] = [0]
    public private(set) var targets: Targets
    /// 1-based source line of each example.
    public private(set) var lines: [Int] = []
    /// Sequences per example (1 but for embedding examples).
    public let textsPerExample: Int

    public var count: Int { lines.count }

    init(file: String, targets: Targets, textsPerExample: Int = 1) {
        self.file = file
        self.targets = targets
        self.textsPerExample = textsPerExample
    }

    /// A data set of given token sequences (type ids 0) and class labels — for benchmarks
    /// and tests that need no tokenizer.
    public init(file: String, sequences: [[Int32]], labels: [Int32]) {
        precondition(
            sequences.count == labels.count, "EncodedDataset: \(sequences.count) sequences, \(labels.count) labels")
        self.init(file: file, targets: .classes(labels))
        for (i, sequence) in sequences.enumerated() {
            append(Encoding(ids: sequence, typeIds: Array(repeating: 0, count: sequence.count)), line: i + 1)
        }
    }

    /// Blocks of token ids for next-token prediction, as `--task causal-lm` cuts them from
    /// documents: every position but a block's last predicts the next token — for benchmarks
    /// and tests that need no tokenizer.
    public init(file: String, languageModelingBlocks blocks: [[Int32]]) {
        self.init(file: file, targets: .tokens(blocks.flatMap { $0.dropFirst() + [-100] }))
        for (i, block) in blocks.enumerated() {
            append(Encoding(ids: block, typeIds: Array(repeating: 0, count: block.count)), line: i + 1)
        }
    }

    /// Tokens of example `i` (of all its sequences).
    public func length(_ i: Int) -> Int { offsets[(i + 1) * textsPerExample] - offsets[i * textsPerExample] }
    /// Tokens per example, for length grouping.
    public var lengths: [Int] { (0..<count).map(length) }
    /// Tokens of the longest sequence.
    public var longest: Int { zip(offsets.dropFirst(), offsets).map { $0 - $1 }.max() ?? 0 }

    /// The units example `i` contributes to the loss's mean: 1, the label count (the
    /// multi-label loss averages over every output, as BCEWithLogitsLoss), or its scored
    /// tokens (token classification averages over labelled tokens).
    public func lossUnits(_ i: Int) -> Int {
        switch targets {
        case .classes(let ids): ids[i] >= 0 ? 1 : 0
        case .values: 1
        case .multiHot(_, let k): k
        case .tokens(let labels): labels[offsets[i]..<offsets[i + 1]].reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        case .retrieval: 0
        }
    }

    /// This data set with `targets` in place of its own (same examples).
    func withTargets(_ targets: Targets) -> EncodedDataset {
        var copy = self
        copy.targets = targets
        return copy
    }

    mutating func append(_ encoding: Encoding, line: Int) { append([encoding], line: line) }

    /// Appends an example of `textsPerExample` sequences.
    mutating func append(_ encodings: [Encoding], line: Int) {
        precondition(encodings.count == textsPerExample, "EncodedDataset: \(encodings.count) sequences per example")
        for encoding in encodings {
            ids.append(contentsOf: encoding.ids)
            typeIds.append(contentsOf: encoding.typeIds)
            offsets.append(ids.count)
        }
        lines.append(line)
    }

    /// Appends example `i` to `batch` as sample `sample` (its global index, which keys its
    /// dropout masks): its sequences in order, sequence c as sample `sample · textsPerExample + c`.
    public func append(_ i: Int, to batch: PackedBatch, sample: UInt64) {
        ids.withUnsafeBufferPointer { ids in
            typeIds.withUnsafeBufferPointer { types in
                for c in 0..<textsPerExample {
                    let s = i * textsPerExample + c
                    let range = offsets[s]..<offsets[s + 1]
                    batch.append(
                        ids: UnsafeBufferPointer(rebasing: ids[range]),
                        typeIds: UnsafeBufferPointer(rebasing: types[range]),
                        sample: sample * UInt64(textsPerExample) + UInt64(c))
                }
            }
        }
    }
}

// MARK: Encoding

extension EncodedDataset {
    /// `rows` tokenised (with `[CLS]`/`[SEP]`, truncated to `maxLength`), with `targets`
    /// already mapped by the task.
    static func tokenized(
        _ rows: [LabelledText], file: String, tokenizer: any TextTokenizer, maxLength: Int,
        targets: Targets
    ) -> EncodedDataset {
        var dataset = EncodedDataset(file: file, targets: targets)
        dataset.ids.reserveCapacity(rows.count * 16)
        dataset.typeIds.reserveCapacity(rows.count * 16)
        for row in rows {
            dataset.append(tokenizer.encode(row.text, pair: row.pair, maxLength: maxLength), line: row.line)
        }
        return dataset
    }
}
