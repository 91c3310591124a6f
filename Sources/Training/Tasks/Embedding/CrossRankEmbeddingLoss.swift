import Parallel

/// An embedding loss over the global batch when each rank embeds only its share of it
/// (invariant 3: for contrastive losses the candidates are the whole global batch).
///
/// Rank r's n_r examples are rows `offset_r ..< offset_r + n_r` of the gathered batch (the
/// ranks' shares in rank order: a permutation of the global batch, which every loss here is
/// indifferent to, since each example brings its own columns). When the loss reads the whole batch
/// (in-batch negatives, hard-pair mining) and `gathersAcrossRanks` is on:
///
///     forward   every column is all-gathered (MPI_Allgatherv):  E_global [columns, N, dim]
///               rank r scores its own examples against every candidate
///     backward  ∂L/∂E_global from rank r's terms is non-zero in every rank's rows; the
///               all-gather's backward sums it back to the rank that made each row
///               (MPI_Reduce_scatter, per column)
///
/// so every rank ends with ∂L/∂(its embeddings) of the global loss, and np 1 and np N give
/// the same loss and gradients up to float summation order. Losses whose terms are per
/// example (cosine similarity, contrastive, triplet) need no gathering and run on the share.
/// With `gathersAcrossRanks` off, each rank's examples see only that rank's share as
/// negatives: a different (weaker) objective, kept to show the difference and for
/// comparison with frameworks that do so.
///
/// The loss is normalised over the global batch (`EmbeddingLossReduction.gradScale` of N),
/// and the returned value is the global loss, identical on every rank. Buffers for the
/// gathered batch are kept and reused between calls.
public final class CrossRankEmbeddingLoss {
    public let loss: any EmbeddingLoss
    /// The data-parallel group (a sweep trial's group, or the world).
    public let communicator: Communicator
    /// Whether a loss that reads the whole batch sees every rank's examples (the default) or
    /// only this rank's share.
    public let gathersAcrossRanks: Bool

    private var gathered: [Float] = []
    private var gatheredGradient: [Float] = []
    private var gatheredScores: [Float] = []

    public init(loss: any EmbeddingLoss, communicator: Communicator, gathersAcrossRanks: Bool = true) {
        self.loss = loss
        self.communicator = communicator
        self.gathersAcrossRanks = gathersAcrossRanks
    }

    /// The global batch's loss and its gradient with respect to this rank's embeddings.
    /// Collective: every rank calls it, with the same `columns` and `dim`, also with no rows.
    ///
    /// - Parameters:
    ///   - local: `[columns, n_r, dim]`, this rank's share of the global batch.
    ///   - scores: `[n_r]` when the loss needs scores, else nil.
    ///   - gradient: `[columns, n_r, dim]`, written: ∂(global loss)/∂`local`.
    /// - Returns: the loss of the global batch, as the loss's reduction defines it.
    public func lossAndGradient(
        _ local: EmbeddingColumns, scores: UnsafePointer<Float>?, gradient: EmbeddingColumns
    ) throws -> Double {
        precondition(
            !loss.needsScores || scores != nil || local.rows == 0, "\(loss.name) loss: scores are required")
        let size = communicator.size, rank = communicator.rank
        var rowCounts = [Int64](repeating: 0, count: size)
        try rowCounts.withUnsafeMutableBufferPointer { (buffer) throws(MPIError) in
            try communicator.allgather(Int64(local.rows), into: buffer)
        }
        let rows = rowCounts.map { Int($0) }
        let total = rows.reduce(0, +), offset = rows[..<rank].reduce(0, +)
        let gradScale = loss.reduction.gradScale(examples: total)

        guard total > 0 else { return 0 }
        let gathers = gathersAcrossRanks && loss.readsWholeBatch && size > 1
        if gathers {
            return try gatherScoreScatter(
                local, scores: scores, gradient: gradient, rows: rows, own: offset..<(offset + local.rows),
                gradScale: gradScale)
        }
        let sum = Result {
            local.rows == 0
                ? 0
                : try loss.lossAndGradient(
                    local, scores: scores, scored: 0..<local.rows, gradScale: gradScale, gradient: gradient)
        }
        return try agree(on: sum) * Double(gradScale)
    }

    /// The sum over ranks of each rank's term sum, or — when the loss threw on any rank — an
    /// error on every rank (a rank never leaves the others waiting in the next collective).
    private func agree(on sum: Result<Double, any Error>) throws -> Double {
        var values: [Double] = [(try? sum.get()) ?? 0, (try? sum.get()) == nil ? 1 : 0]
        try values.withUnsafeMutableBufferPointer { (buffer) throws(MPIError) in
            try communicator.allreduce(buffer, operation: .sum)
        }
        if case .failure(let error) = sum { throw error }
        guard values[1] == 0 else {
            throw EmbeddingLossError("\(loss.name) loss: the input of another rank was rejected")
        }
        return values[0]
    }

    /// Gathers every column (and the scores), scores this rank's examples `own` of the global
    /// batch, and sums the gathered gradient back to the ranks. Returns the global loss.
    private func gatherScoreScatter(
        _ local: EmbeddingColumns, scores: UnsafePointer<Float>?, gradient: EmbeddingColumns, rows: [Int],
        own: Range<Int>, gradScale: Float
    ) throws -> Double {
        let columns = local.columns, dim = local.dim, total = rows.reduce(0, +)
        let elements = rows.map { $0 * dim }
        let count = columns * total * dim
        if gathered.count < count {
            gathered = [Float](repeating: 0, count: count)
            gatheredGradient = [Float](repeating: 0, count: count)
        }
        if gatheredScores.count < total { gatheredScores = [Float](repeating: 0, count: total) }
        let communicator = self.communicator, loss = self.loss, needsScores = loss.needsScores
        return try gathered.withUnsafeMutableBufferPointer { all in
            try gatheredGradient.withUnsafeMutableBufferPointer { allGradient in
                try gatheredScores.withUnsafeMutableBufferPointer { allScores in
                    let global = EmbeddingColumns(all.baseAddress!, columns: columns, rows: total, dim: dim)
                    let globalGradient = EmbeddingColumns(
                        allGradient.baseAddress!, columns: columns, rows: total, dim: dim)
                    for c in 0..<columns {
                        try communicator.allgather(
                            UnsafeBufferPointer(start: local.column(c).data, count: local.rows * dim),
                            counts: elements,
                            into: UnsafeMutableBufferPointer(start: global.column(c).data, count: total * dim))
                    }
                    if needsScores {
                        try communicator.allgather(
                            UnsafeBufferPointer(start: scores, count: local.rows), counts: rows,
                            into: UnsafeMutableBufferPointer(start: allScores.baseAddress!, count: total))
                    }
                    let sum = try self.agree(
                        on: Result {
                            try loss.lossAndGradient(
                                global, scores: needsScores ? allScores.baseAddress : nil, scored: own,
                                gradScale: gradScale, gradient: globalGradient)
                        })
                    for c in 0..<columns {
                        try communicator.reduceScatterSum(
                            UnsafeBufferPointer(start: globalGradient.column(c).data, count: total * dim),
                            counts: elements,
                            into: UnsafeMutableBufferPointer(start: gradient.column(c).data, count: local.rows * dim))
                    }
                    return sum * Double(gradScale)
                }
            }
        }
    }
}
