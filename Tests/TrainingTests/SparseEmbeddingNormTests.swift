import Testing
@testable import Model
@testable import Parallel
@testable import Training

/// The global norm skips the word-embedding rows no batch touched (they are zero) and is the
/// same bits as the norm over every element: a table of 300 rows of 40 (blocks of the norm
/// cross row boundaries and the table's edges) between other parameters, two rows touched.
@Suite(.serialized) struct SparseEmbeddingNormTests {
    static let table = 1_000..<(1_000 + 300 * 40)
    static let runs = [
        UpdateRun(range: 0..<20_000, decays: true, learningRateScale: 1, group: .embeddings),
        UpdateRun(range: 20_000..<90_000, decays: true, learningRateScale: 1, group: .layer(0)),
    ]

    /// The rows reduced after one step whose batch used `tokens`, and gradients that are zero
    /// in the table outside those rows.
    static func reduced(
        _ communicator: Communicator, tokens: [Int32], penalized: Bool
    ) throws -> (rows: SparseEmbeddingGradient, gradients: FloatSlab) {
        let rows = SparseEmbeddingGradient(range: table, width: 40, expectedRows: 8)
        rows.configure(penalized: penalized)
        let gradients = FloatSlab(count: 90_000)
        var state: UInt64 = 3
        for i in 0..<gradients.count {
            state = CounterRNG.mix64(state)
            gradients.base[i] = Float(Int(state >> 40) - (1 << 23)) / Float(1 << 23)
        }
        rows.zero(gradients.base)  // the first zeroing is dense
        let batch = PackedBatch(sequenceCapacity: 1, tokenCapacity: tokens.count)
        batch.append(ids: tokens, sample: 0)
        rows.mark(batch)
        for token in tokens {
            for j in 0..<40 { gradients.base[table.lowerBound + Int(token) * 40 + j] = Float(j + 1) * 1e-3 }
        }
        try rows.reduce(gradients.base, communicator: communicator)
        return (rows, gradients)
    }

    @Test func untouchedRowsAreSkippedAndTheNormKeepsItsBits() throws {
        try MPITestThread.run { communicator in
            let (rows, gradients) = try Self.reduced(communicator, tokens: [3, 299, 3], penalized: false)
            var skipped = 0
            let sparse = GradientClipping.norm(gradients, runs: Self.runs, pool: .serial) { block in
                let zero = rows.holdsOnlyZeros(block)
                if zero { skipped += block.count }
                return zero
            }
            let dense = GradientClipping.norm(gradients, runs: Self.runs, pool: .serial)
            #expect(sparse.bitPattern == dense.bitPattern, "\(sparse) vs \(dense)")
            // Blocks of 4096 from the run's start: [4096, 8192) and [8192, 12288) lie in rows 77–282.
            #expect(skipped == 8_192, "\(skipped) elements skipped")
            let row = { (r: Int) in (Self.table.lowerBound + r * 40)..<(Self.table.lowerBound + (r + 1) * 40) }
            #expect(rows.holdsOnlyZeros(row(4)))
            #expect(!rows.holdsOnlyZeros(row(3)))
            #expect(!rows.holdsOnlyZeros(row(2).lowerBound..<row(3).upperBound), "a block reaching a touched row")
            #expect(!rows.holdsOnlyZeros((Self.table.lowerBound - 1)..<row(1).upperBound), "a block outside the table")
            #expect(!rows.holdsOnlyZeros(row(299).lowerBound..<(Self.table.upperBound + 1)))
        }
    }

    /// A penalty writes every row after the reduction: nothing is known to be zero.
    @Test func penalisedRowsAreNeverSkipped() throws {
        try MPITestThread.run { communicator in
            let (rows, _) = try Self.reduced(communicator, tokens: [3], penalized: true)
            #expect(!rows.holdsOnlyZeros((Self.table.lowerBound + 400)..<(Self.table.lowerBound + 800)))
        }
    }
}
