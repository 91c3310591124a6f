import Foundation
import Parallel
import Training

/// Cross-rank embedding losses (issue 11): the gather collectives with per-rank counts, and
/// `CrossRankEmbeddingLoss` against the loss of the whole global batch computed in one
/// process (what np 1 computes): the same loss and, on every rank, the same gradient rows.
/// Without gathering, multiple-negatives ranking gives a different loss at np > 1.
func embeddingChecks(_ runner: CheckRunner) {
    let comm = runner.communicator
    runner.check("allgather and reduce-scatter with per-rank counts (some empty)") { () throws(MPIError) in
        let counts = (0..<comm.size).map { (2 * $0 + 1) % 3 }
        let total = counts.reduce(0, +), offset = counts[..<comm.rank].reduce(0, +)
        let local = (0..<counts[comm.rank]).map { Float(100 * comm.rank + $0) }
        var gathered = [Float](repeating: .nan, count: total)
        try local.withUnsafeBufferPointer { (l) throws(MPIError) in
            try gathered.withUnsafeMutableBufferPointer { (g) throws(MPIError) in
                try comm.allgather(l, counts: counts, into: g)
            }
        }
        let expected = (0..<comm.size).flatMap { r in (0..<counts[r]).map { Float(100 * r + $0) } }
        let contribution = (0..<total).map { Float(comm.rank + 1) * Float($0 + 1) }
        var own = [Float](repeating: .nan, count: counts[comm.rank])
        try contribution.withUnsafeBufferPointer { (c) throws(MPIError) in
            try own.withUnsafeMutableBufferPointer { (o) throws(MPIError) in
                try comm.reduceScatterSum(c, counts: counts, into: o)
            }
        }
        let rankSum = Float(comm.size * (comm.size + 1) / 2)
        let ownExpected = (0..<counts[comm.rank]).map { Float(offset + $0 + 1) * rankSum }
        return (gathered == expected && own == ownExpected, "counts \(counts), rank \(comm.rank) got \(own)")
    }

    let cases: [(name: String, loss: any EmbeddingLoss, columns: Int, rows: Int)] = [
        ("multiple-negatives ranking, pairs", MultipleNegativesRankingLoss(), 2, 13),
        ("multiple-negatives ranking, 2 hard negatives", MultipleNegativesRankingLoss(), 4, 13),
        ("multiple-negatives ranking, 3 examples", MultipleNegativesRankingLoss(), 3, 3),
        ("symmetric multiple-negatives ranking", MultipleNegativesRankingLoss(symmetric: true), 3, 13),
        ("online contrastive", OnlineContrastiveLoss(), 2, 13),
        ("contrastive", ContrastiveLoss(), 2, 13),
        ("cosine similarity", CosineSimilarityLoss(), 2, 13),
        ("triplet", TripletLoss(margin: 1), 3, 13),
    ]
    for c in cases {
        runner.check("cross-rank \(c.name): the global batch's loss and gradients") { () throws(MPIError) in
            let batch = SyntheticEmbeddings(columns: c.columns, rows: c.rows, dim: 16, rank: comm.rank, size: comm.size)
            return try catchingLossErrors {
                let reference = try batch.reference(c.loss)
                let (loss, gradient) = try batch.crossRank(c.loss, comm, gathers: true)
                let lossOK = abs(loss - reference.loss) <= 1e-6 * max(1, abs(reference.loss))
                let worst = zip(gradient, reference.ownGradient).map { abs($0 - $1) }.max() ?? 0
                let ok = lossOK && worst <= 1e-5 * reference.largestGradient && reference.largestGradient > 0
                return (
                    ok,
                    "loss \(loss) (one process: \(reference.loss)), own rows \(batch.own), worst gradient "
                        + "difference \(worst) of largest \(reference.largestGradient)"
                )
            }
        }
    }

    runner.check("multiple-negatives ranking without gathering differs from np 1 at np > 1") { () throws(MPIError) in
        let batch = SyntheticEmbeddings(columns: 2, rows: 13, dim: 16, rank: comm.rank, size: comm.size)
        return try catchingLossErrors {
            let reference = try batch.reference(MultipleNegativesRankingLoss())
            let (local, _) = try batch.crossRank(MultipleNegativesRankingLoss(), comm, gathers: false)
            let relative = abs(local - reference.loss) / abs(reference.loss)
            let ok = comm.size == 1 ? relative <= 1e-6 : relative > 1e-2
            return (
                ok, "per-rank negatives: loss \(local), gathered \(reference.loss) (relative difference \(relative))"
            )
        }
    }

    runner.check("a rejected input on one rank is an error on every rank") { () throws(MPIError) in
        let batch = SyntheticEmbeddings(columns: 2, rows: 13, dim: 16, rank: comm.rank, size: comm.size)
        var scores = batch.ownScores
        if comm.rank == 0 && !scores.isEmpty { scores[0] = .nan }
        do {
            _ = try batch.crossRank(CosineSimilarityLoss(), comm, gathers: true, scores: scores)
            return (false, "no error")
        } catch let error as MPIError {
            throw error
        } catch {
            return (true, "\(error)")
        }
    }
}

/// Runs `body`, turning a loss's input error into a failed check (MPI errors stay fatal).
func catchingLossErrors(_ body: () throws -> (Bool, String)) throws(MPIError) -> (Bool, String) {
    do { return try body() } catch let error as MPIError { throw error } catch { return (false, "error: \(error)") }
}

/// A deterministic global batch of embeddings `[columns, rows, dim]` (each column near the
/// anchor, so the losses are neither saturated nor flat) and 0/1-or-score values, and this
/// rank's share of it (`BatchPlan.shardRange`).
struct SyntheticEmbeddings {
    let columns: Int, rows: Int, dim: Int
    let global: [Float]
    let scores: [Float]
    let own: Range<Int>

    init(columns: Int, rows: Int, dim: Int, rank: Int, size: Int) {
        self.columns = columns
        self.rows = rows
        self.dim = dim
        var values: [Float] = []
        for c in 0..<columns {
            for i in 0..<rows {
                for d in 0..<dim {
                    let base = sin(0.9 * Double(i) + 1.3 * Double(d) + 0.2 * Double(i * d))
                    let offset = c == 0 ? 0 : 0.9 * sin(2.1 * Double(c) + 0.7 * Double(i * d) + 0.3 * Double(d + c))
                    values.append(Float(base + offset))
                }
            }
        }
        global = values
        // Alternating labels, as 0/1 for the contrastive losses and as scores in [0, 1].
        scores = (0..<rows).map { Float($0 % 2) }
        own = BatchPlan.shardRange(count: rows, rank: rank, worldSize: size)
    }

    var ownScores: [Float] { Array(scores[own]) }

    /// This rank's rows of every column of `values` (`[columns, rows, dim]`).
    func ownRows(_ values: [Float]) -> [Float] {
        (0..<columns).flatMap { c in values[((c * rows + own.lowerBound) * dim)..<((c * rows + own.upperBound) * dim)] }
    }

    /// The loss of the whole batch in this process, as np 1 computes it, and this rank's
    /// rows of its gradient.
    func reference(_ loss: any EmbeddingLoss) throws -> (loss: Double, ownGradient: [Float], largestGradient: Float) {
        var values = global, gradient = [Float](repeating: .nan, count: global.count)
        let gradScale = loss.reduction.gradScale(examples: rows)
        let sum = try values.withUnsafeMutableBufferPointer { v in
            try gradient.withUnsafeMutableBufferPointer { g in
                try loss.lossAndGradient(
                    EmbeddingColumns(v.baseAddress!, columns: columns, rows: rows, dim: dim), scores: scores,
                    scored: 0..<rows, gradScale: gradScale,
                    gradient: EmbeddingColumns(g.baseAddress!, columns: columns, rows: rows, dim: dim))
            }
        }
        return (sum * Double(gradScale), ownRows(gradient), gradient.map(abs).max() ?? 0)
    }

    /// The loss and this rank's gradient rows through `CrossRankEmbeddingLoss`.
    func crossRank(_ loss: any EmbeddingLoss, _ comm: Communicator, gathers: Bool, scores: [Float]? = nil) throws -> (
        Double, [Float]
    ) {
        var local = ownRows(global)
        var gradient = [Float](repeating: .nan, count: local.count)
        local.append(0)  // memory for a view even when this rank's share is empty
        gradient.append(0)
        let scores = scores ?? ownScores
        let crossRank = CrossRankEmbeddingLoss(loss: loss, communicator: comm, gathersAcrossRanks: gathers)
        let value = try local.withUnsafeMutableBufferPointer { l in
            try gradient.withUnsafeMutableBufferPointer { g in
                try crossRank.lossAndGradient(
                    EmbeddingColumns(l.baseAddress!, columns: columns, rows: own.count, dim: dim),
                    scores: scores,
                    gradient: EmbeddingColumns(g.baseAddress!, columns: columns, rows: own.count, dim: dim))
            }
        }
        return (value, Array(gradient.dropLast()))
    }
}

/// Times the cross-rank multiple-negatives ranking loss on a global batch of `pairs` pairs of
/// 384-dimensional embeddings (all-MiniLM-L6-v2's width): gather, score, scatter, the median
/// of 5 calls after one warm-up. Rank 0 prints the figures.
func embeddingBench(_ comm: Communicator, pairs: Int) throws {
    let dim = 384, own = BatchPlan.shardRange(count: pairs, rank: comm.rank, worldSize: comm.size)
    // Element (column c, global row i, d) is a function of those alone, so every rank count
    // sees the same global batch; positives are near their anchors.
    var local = (0..<(2 * own.count * dim + 1)).map { index -> Float in
        let c = index / max(own.count * dim, 1), i = own.lowerBound + index % max(own.count * dim, 1) / dim
        let d = index % dim
        return Float(sin(0.7 * Double(i * dim + d)) + (c == 1 ? 0.5 * sin(1.3 * Double(i + 7 * d)) : 0))
    }
    var gradient = [Float](repeating: 0, count: local.count)
    for gathers in [true, false] {
        let crossRank = CrossRankEmbeddingLoss(
            loss: MultipleNegativesRankingLoss(), communicator: comm, gathersAcrossRanks: gathers)
        var seconds: [Double] = []
        var loss = 0.0
        for _ in 0..<6 {
            try comm.barrier()
            let start = monotonicSeconds()
            loss = try local.withUnsafeMutableBufferPointer { l in
                try gradient.withUnsafeMutableBufferPointer { g in
                    try crossRank.lossAndGradient(
                        EmbeddingColumns(l.baseAddress!, columns: 2, rows: own.count, dim: dim), scores: nil,
                        gradient: EmbeddingColumns(g.baseAddress!, columns: 2, rows: own.count, dim: dim))
                }
            }
            seconds.append(monotonicSeconds() - start)
        }
        let median = seconds.dropFirst().sorted()[2]
        if comm.isRoot {
            print(
                "EMBEDDING-BENCH \(pairs) pairs × \(dim), \(comm.size) rank(s), "
                    + "\(gathers ? "gathered" : "per-rank") negatives: \(String(format: "%.1f", median * 1000)) ms, "
                    + "loss \(loss)")
        }
        fflush(nil)
    }
}
