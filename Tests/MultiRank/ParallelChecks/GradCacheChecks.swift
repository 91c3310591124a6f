import Foundation
import Parallel
import Training

/// GradCache over the cross-rank loss (issue 11): each rank embeds its share in chunks of two
/// with a linear stand-in for the encoder (`e = W x`), takes the global batch's loss gradient
/// once through `CrossRankEmbeddingLoss`, re-runs its chunks, and the parameter gradients
/// summed over ranks (the data-parallel allreduce) equal the plain step of one process.
func gradCacheChecks(_ runner: CheckRunner) {
    let comm = runner.communicator
    for (name, loss, columns) in [
        ("multiple-negatives ranking", MultipleNegativesRankingLoss() as any EmbeddingLoss, 3),
        ("symmetric multiple-negatives ranking", MultipleNegativesRankingLoss(symmetric: true), 2),
    ] {
        runner.check("GradCache with cross-rank \(name) equals the plain step of one process") {
            () throws(MPIError) in
            let model = LinearStandIn(columns: columns, rows: 13, inputs: 7, dim: 12)
            let own = BatchPlan.shardRange(count: model.rows, rank: comm.rank, worldSize: comm.size)
            return try catchingLossErrors {
                let (plainLoss, plainGrad) = try model.plain(loss)
                var grad = [Float](repeating: 0, count: model.weights.count)
                let crossRank = CrossRankEmbeddingLoss(loss: loss, communicator: comm)
                let cached = try GradCache(chunkSize: 2).step(
                    examples: own.count, columns: columns, dim: model.dim,
                    embed: { range, out in model.embed(rows: range.lowerBound + own.lowerBound, out) },
                    loss: { e, g in try crossRank.lossAndGradient(e, scores: nil, gradient: g) },
                    backward: { range, upstream, _ in
                        model.addWeightGradient(rows: range.lowerBound + own.lowerBound, upstream, into: &grad)
                    })
                try grad.withUnsafeMutableBufferPointer { (buffer) throws(MPIError) in
                    try comm.allreduceSum(buffer)
                }
                let largest = plainGrad.map(abs).max() ?? 0
                let worst = zip(grad, plainGrad).map { abs($0 - $1) }.max() ?? .infinity
                let ok = abs(cached - plainLoss) <= 1e-6 * max(1, plainLoss) && largest > 0 && worst <= 1e-5 * largest
                return (ok, "loss \(cached) (plain \(plainLoss)), ∂L/∂W worst difference \(worst) of \(largest)")
            }
        }
    }
}

/// `e = W x` for each text of a deterministic global batch (`x` `[columns, rows, inputs]`).
struct LinearStandIn {
    let columns: Int, rows: Int, inputs: Int, dim: Int
    let x: [Float]
    let weights: [Float]

    init(columns: Int, rows: Int, inputs: Int, dim: Int) {
        (self.columns, self.rows, self.inputs, self.dim) = (columns, rows, inputs, dim)
        // Each column near its example's first (anchor) column, so that the loss is moderate.
        x = (0..<(columns * rows * inputs)).map { index in
            let column = index / (rows * inputs), within = index % (rows * inputs)
            return Float(sin(0.37 * Double(within) + 0.11 * Double(within % 5)) + 0.4 * sin(1.9 * Double(index)))
                * (column == 0 ? 1 : 0.9)
        }
        weights = (0..<(dim * inputs)).map { Float(cos(0.53 * Double($0))) * 0.5 }
    }

    /// Embeds global rows `first ..< first + out.rows` (every column) into `out`.
    func embed(rows first: Int, _ out: EmbeddingColumns) {
        for c in 0..<columns {
            for k in 0..<out.rows {
                let input = (c * rows + first + k) * inputs
                for d in 0..<dim {
                    var sum: Float = 0
                    for j in 0..<inputs { sum += weights[d * inputs + j] * x[input + j] }
                    out.row(c, k)[d] = sum
                }
            }
        }
    }

    /// Adds `∂L/∂W = Σ upstream · xᵀ` over global rows `first ..< first + upstream.rows`.
    func addWeightGradient(rows first: Int, _ upstream: EmbeddingColumns, into grad: inout [Float]) {
        for c in 0..<columns {
            for k in 0..<upstream.rows {
                let input = (c * rows + first + k) * inputs
                for d in 0..<dim {
                    let g = upstream.row(c, k)[d]
                    for j in 0..<inputs { grad[d * inputs + j] += g * x[input + j] }
                }
            }
        }
    }

    /// The loss and ∂L/∂W of the whole batch in one process, without caching.
    func plain(_ loss: any EmbeddingLoss) throws -> (Double, [Float]) {
        let count = columns * rows * dim
        var e = [Float](repeating: 0, count: count), g = [Float](repeating: 0, count: count)
        var grad = [Float](repeating: 0, count: weights.count)
        let scale = loss.reduction.gradScale(examples: rows)
        let value = try e.withUnsafeMutableBufferPointer { eb in
            try g.withUnsafeMutableBufferPointer { gb in
                let all = EmbeddingColumns(eb.baseAddress!, columns: columns, rows: rows, dim: dim)
                let allGrad = EmbeddingColumns(gb.baseAddress!, columns: columns, rows: rows, dim: dim)
                embed(rows: 0, all)
                let sum = try loss.lossAndGradient(
                    all, scores: nil, scored: 0..<rows, gradScale: scale, gradient: allGrad)
                addWeightGradient(rows: 0, allGrad, into: &grad)
                return sum * Double(scale)
            }
        }
        return (value, grad)
    }
}
