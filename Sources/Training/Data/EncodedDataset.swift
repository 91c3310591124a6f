import Model
import Text

/// A data set tokenised once, before training: every example's token ids and type ids in
/// two flat arrays (no per-example allocations), its label id, and the file line it came
/// from. Every rank encodes the whole file the same way, so any rank can assemble any
/// sample of any global batch.
public struct EncodedDataset: Sendable {
    public let file: String
    /// Token ids of every example back to back; example i is `offsets[i] ..< offsets[i+1]`.
    public private(set) var ids: [Int32] = []
    public private(set) var typeIds: [Int32] = []
    public private(set) var offsets: [Int] = [0]
    /// Class id of each example (`-1` when unlabelled, e.g. prediction input).
    public private(set) var labels: [Int32] = []
    /// 1-based source line of each example.
    public private(set) var lines: [Int] = []

    public var count: Int { labels.count }

    init(file: String) { self.file = file }

    /// A data set of given token sequences (type ids 0) and class labels — for benchmarks
    /// and tests that need no tokenizer.
    public init(file: String, sequences: [[Int32]], labels: [Int32]) {
        precondition(sequences.count == labels.count, "EncodedDataset: \(sequences.count) sequences, \(labels.count) labels")
        self.file = file
        for sequence in sequences {
            ids.append(contentsOf: sequence)
            typeIds.append(contentsOf: Array(repeating: 0, count: sequence.count))
            offsets.append(ids.count)
            lines.append(lines.count + 1)
        }
        self.labels = labels
    }
    public func length(_ i: Int) -> Int { offsets[i + 1] - offsets[i] }
    /// Tokens per example, for length grouping.
    public var lengths: [Int] { (0..<count).map(length) }
    public var longest: Int { (0..<count).map(length).max() ?? 0 }

    /// Tokenises `rows` (with `[CLS]`/`[SEP]`, truncated to `maxLength`) and maps labels to
    /// ids through `labelSet`. A label outside the set is an error naming the file and line;
    /// `nil` labels are allowed only when `requireLabels` is false.
    public static func encode(
        _ rows: [LabelledText], file: String, tokenizer: WordPieceTokenizer, maxLength: Int,
        labelSet: LabelSet?, requireLabels: Bool = true
    ) throws -> EncodedDataset {
        var dataset = EncodedDataset(file: file)
        dataset.ids.reserveCapacity(rows.count * 16)
        dataset.typeIds.reserveCapacity(rows.count * 16)
        dataset.offsets.reserveCapacity(rows.count + 1)
        dataset.labels.reserveCapacity(rows.count)
        for row in rows {
            var label: Int32 = -1
            if let name = row.label, let labelSet {
                guard let id = labelSet.id(of: name) else {
                    throw DataError(file: file, line: row.line, "label \"\(name)\" is not one of \(labelSet)")
                }
                label = Int32(id)
            } else if requireLabels {
                throw DataError(file: file, line: row.line, "example has no label")
            }
            let encoding = tokenizer.encode(row.text, pair: row.pair, maxLength: maxLength)
            dataset.ids.append(contentsOf: encoding.ids)
            dataset.typeIds.append(contentsOf: encoding.typeIds)
            dataset.offsets.append(dataset.ids.count)
            dataset.labels.append(label)
            dataset.lines.append(row.line)
        }
        return dataset
    }

    /// Appends example `i` to `batch` as sample `sample` (its global index, which keys its
    /// dropout masks).
    public func append(_ i: Int, to batch: PackedBatch, sample: UInt64) {
        ids.withUnsafeBufferPointer { ids in
            typeIds.withUnsafeBufferPointer { types in
                let range = offsets[i]..<offsets[i + 1]
                batch.append(ids: UnsafeBufferPointer(rebasing: ids[range]),
                             typeIds: UnsafeBufferPointer(rebasing: types[range]), sample: sample)
            }
        }
    }
}
