import Model
import Parallel

/// The word-embedding gradient is zero outside the rows of the tokens in the global batch —
/// a few hundred of 30,522 rows, while the table is half of all parameters. This reduces
/// only those rows: each rank marks its batch's token ids, one small allreduce (max) of the
/// marks gives every rank the same set, and the marked rows are packed, summed with one
/// allreduce, and unpacked. Rows nobody marked are exactly zero on every rank, so the
/// result equals the dense reduction bit for bit; it moves R·C floats instead of V·C.
/// Zeroing between steps likewise touches only the rows written (every row when a penalty
/// wrote them all).
///
/// The rows reduced are the only ones whose gradient may be nonzero: the optimizer can defer
/// the others' updates (`AdamW.deferUntouchedRows`).
final class SparseEmbeddingGradient {
    /// The word-embedding table's place in the gradient slab, `[V, C]`.
    let range: Range<Int>
    let width: Int
    private var marks: [UInt8]
    /// The rows the last step reduced (marked by some rank), ascending.
    private(set) var touched: [Int]
    /// Packing buffer, grown (rarely) when a step marks more rows than ever before.
    private var packed: FloatSlab
    /// A penalty writes every row after each step's reduction: zero them all before a step.
    private var penalized = false
    /// Every row may hold a value the marks do not record (before the first step, and after
    /// `configure`): the next zeroing is dense.
    private var unknownRows = true

    init(range: Range<Int>, width: Int, expectedRows: Int) {
        self.range = range
        self.width = width
        let rows = range.count / width
        marks = Array(repeating: 0, count: rows)
        touched = []
        touched.reserveCapacity(rows)
        packed = FloatSlab(count: min(expectedRows, rows) * width)
    }

    /// Whether a penalty writes every row (told when what trains or the penalties change).
    func configure(penalized: Bool) {
        self.penalized = penalized
        unknownRows = true
    }

    /// Rows reduced in the last step.
    var lastRowCount: Int { touched.count }

    /// Zeroes the rows the last step wrote (all of them with a penalty).
    func zero(_ gradients: UnsafeMutablePointer<Float>) {
        if penalized || unknownRows {
            (gradients + range.lowerBound).update(repeating: 0, count: range.count)
            unknownRows = false
        } else {
            for row in touched { (gradients + range.lowerBound + row * width).update(repeating: 0, count: width) }
        }
        for i in marks.indices where marks[i] != 0 { marks[i] = 0 }
    }

    /// Marks the rows this rank's batch uses.
    func mark(_ batch: PackedBatch) {
        for t in 0..<batch.tokenCount { marks[Int(batch.tokenIds[t])] = 1 }
    }

    /// Whether every gradient in `elements` is zero after `reduce`: they lie in the table, no
    /// rank marked a row of them, and no penalty writes the rows.
    func holdsOnlyZeros(_ elements: Range<Int>) -> Bool {
        guard !penalized, !elements.isEmpty, elements.lowerBound >= range.lowerBound,
            elements.upperBound <= range.upperBound
        else { return false }
        let first = (elements.lowerBound - range.lowerBound) / width
        let last = (elements.upperBound - 1 - range.lowerBound) / width
        for row in first...last where marks[row] != 0 { return false }
        return true
    }

    /// Sums the marked rows over all ranks.
    func reduce(_ gradients: UnsafeMutablePointer<Float>, communicator: Communicator) throws {
        try marks.withUnsafeMutableBufferPointer { try communicator.allreduce($0, operation: .max) }
        touched.removeAll(keepingCapacity: true)
        for i in marks.indices where marks[i] != 0 { touched.append(i) }
        if touched.count * width > packed.count { packed = FloatSlab(count: touched.count * width * 2) }
        let base = gradients + range.lowerBound
        for (k, row) in touched.enumerated() {
            (packed.base + k * width).update(from: base + row * width, count: width)
        }
        try communicator.allreduceSum(UnsafeMutableBufferPointer(start: packed.base, count: touched.count * width))
        for (k, row) in touched.enumerated() {
            (base + row * width).update(from: packed.base + k * width, count: width)
        }
    }
}

extension Array where Element == Range<Int> {
    /// These ranges with `hole` cut out of them.
    func subtracting(_ hole: Range<Int>) -> [Range<Int>] {
        flatMap { range -> [Range<Int>] in
            guard range.overlaps(hole) else { return [range] }
            return [range.lowerBound..<hole.lowerBound, hole.upperBound..<range.upperBound].filter { !$0.isEmpty }
        }
    }
}
