import Model
import Parallel

/// The trained gradients when every rank updates every trained parameter (the flat and the
/// bucketed reductions): the ranges reduced densely, and the word-embedding table, reduced
/// by the rows the global batch touched (`SparseEmbeddingGradient`) whenever it trains.
///
/// A penalty writes every row after the reduction; the rows still need summing only where
/// the batch touched them (the penalty is added identically on every rank after the sum),
/// but then the next step must zero the whole table. That is decided here, in `configure`,
/// from `TrainedSet.penalized`.
final class ReplicatedGradients {
    let gradients: FloatSlab
    private let expectedEmbeddingRows: Int
    /// One range per trained parameter reduced densely (all but a row-reduced word-embedding
    /// table), in slab order.
    private(set) var denseRanges: [Range<Int>] = []
    /// The trained ranges zeroed densely before each step (merged; less the row-reduced
    /// table, which zeroes its own rows).
    private var zeroedRanges: [Range<Int>] = []
    private(set) var rows: SparseEmbeddingGradient?
    private(set) var runs: [UpdateRun] = []

    /// - expectedEmbeddingRows: the most word-embedding rows a step is expected to touch
    ///   (tokens per rank × ranks), to size the packing buffer.
    init(gradients: FloatSlab, expectedEmbeddingRows: Int) {
        self.gradients = gradients
        self.expectedEmbeddingRows = expectedEmbeddingRows
    }

    func configure(_ trained: TrainedSet) {
        runs = trained.runs
        var ranges = trained.parameterRanges
        if let word = trained.wordEmbeddings {
            if rows?.range != word {
                rows = SparseEmbeddingGradient(
                    range: word, width: trained.embeddingWidth,
                    expectedRows: expectedEmbeddingRows)
            }
            rows!.configure(penalized: trained.penalized)
            ranges.removeAll { $0 == word }
        } else {
            rows = nil
        }
        denseRanges = ranges
        zeroedRanges = trained.mergedRanges.subtracting(rows?.range ?? 0..<0)
    }

    func zero() {
        let g = gradients.base
        for range in zeroedRanges { (g + range.lowerBound).update(repeating: 0, count: range.count) }
        rows?.zero(g)
    }

    func mark(_ batch: PackedBatch) { rows?.mark(batch) }

    /// Sums the touched word-embedding rows (after the dense ranges are summed).
    func reduceRows(communicator: Communicator) throws {
        try rows?.reduce(gradients.base, communicator: communicator)
    }

    /// The word-embedding rows the last step reduced (ascending), when the table is reduced by rows.
    var touchedRows: [Int]? { rows?.touched }

    func globalNorm(pool: ThreadPool) -> Double {
        // The word-embedding rows nobody touched are zero: not read.
        GradientClipping.norm(gradients, runs: runs, pool: pool, knownZero: rows.map { rows in rows.holdsOnlyZeros })
    }

    /// Elements that train less the untouched word-embedding rows of the last step.
    var reducedElementCount: Int {
        let all = runs.reduce(0) { $0 + $1.range.count }
        guard let rows else { return all }
        return all - rows.range.count + rows.lastRowCount * rows.width
    }
}
