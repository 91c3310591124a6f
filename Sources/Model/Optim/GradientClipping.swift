/// Global-norm gradient clipping, as `torch.nn.utils.clip_grad_norm_`: with
/// `‖g‖ = sqrt(Σ g²)` over every trained gradient, scale all of them by
/// `maxNorm / (‖g‖ + 1e-6)` when that is below 1.
public enum GradientClipping {
    /// The global L2 norm over the runs (accumulated in `Double`, chunk partials added in
    /// chunk order, so every rank computes the same bits from the same gradients).
    public static func norm(_ gradients: FloatSlab, runs: [UpdateRun], pool: ThreadPool) -> Double {
        var total = 0.0
        let g = gradients.base
        for run in runs {
            let chunks = pool.chunkCount(run.range.count, grain: 65_536)
            var partial = [Double](repeating: 0, count: chunks)
            partial.withUnsafeMutableBufferPointer { partial in
                let out = partial.baseAddress!
                pool.forEachChunk(run.range.count, grain: 65_536) { chunk, local in
                    var sum: Float = 0, compensated = 0.0
                    var i = run.range.lowerBound + local.lowerBound
                    let end = run.range.lowerBound + local.upperBound
                    // Float partial sums over blocks of 4096, then Double across blocks: fast
                    // and accurate to far below the clipping threshold's needs.
                    while i < end {
                        let blockEnd = min(i + 4096, end)
                        sum = 0
                        while i < blockEnd { sum += g[i] * g[i]; i += 1 }
                        compensated += Double(sum)
                    }
                    out[chunk] = compensated
                }
            }
            for value in partial { total += value }
        }
        return total.squareRoot()
    }

    /// Clips in place; returns the norm before clipping.
    @discardableResult
    public static func clip(_ gradients: FloatSlab, runs: [UpdateRun], maxNorm: Float, pool: ThreadPool) -> Double {
        let total = norm(gradients, runs: runs, pool: pool)
        guard maxNorm > 0 else { return total }
        let coefficient = Double(maxNorm) / (total + 1e-6)
        if coefficient < 1 { scale(gradients, runs: runs, by: Float(coefficient), pool: pool) }
        return total
    }

    /// `g ← g · factor` over the runs.
    public static func scale(_ gradients: FloatSlab, runs: [UpdateRun], by factor: Float, pool: ThreadPool) {
        let g = gradients.base
        for run in runs {
            pool.parallelFor(run.range.count, grain: 65_536) { local in
                for i in (run.range.lowerBound + local.lowerBound)..<(run.range.lowerBound + local.upperBound) { g[i] *= factor }
            }
        }
    }
}
