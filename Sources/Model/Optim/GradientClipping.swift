/// Global-norm gradient clipping, as `torch.nn.utils.clip_grad_norm_`: with
/// `‖g‖ = sqrt(Σ g²)` over every trained gradient, scale all of them by
/// `maxNorm / (‖g‖ + 1e-6)` when that is below 1.
public enum GradientClipping {
    /// The global L2 norm over the runs (accumulated in `Double`, chunk partials added in
    /// chunk order, so every rank computes the same bits from the same gradients).
    ///
    /// `knownZero`, when given, names blocks of elements that hold only zeros (the word-embedding
    /// rows no rank's batch touched); they are not read. A block of zeros adds exactly 0 to its
    /// chunk's sum, so the norm is the same bits either way.
    public static func norm(
        _ gradients: FloatSlab, runs: [UpdateRun], pool: ThreadPool, knownZero: ((Range<Int>) -> Bool)? = nil
    ) -> Double {
        sumOfSquares(gradients, runs: runs, pool: pool, knownZero: knownZero).squareRoot()
    }

    /// Σ g² over the runs, in `Double` (a sharded optimizer adds the ranks' shares); `knownZero`
    /// as in `norm`.
    public static func sumOfSquares(
        _ gradients: FloatSlab, runs: [UpdateRun], pool: ThreadPool, knownZero: ((Range<Int>) -> Bool)? = nil
    ) -> Double {
        var total = 0.0
        let g = gradients.base
        for run in runs {
            let chunks = pool.chunkCount(run.range.count, grain: 65_536)
            var partial = [Double](repeating: 0, count: chunks)
            partial.withUnsafeMutableBufferPointer { partial in
                let out = partial.baseAddress!
                pool.forEachChunk(run.range.count, grain: 65_536) { chunk, local in
                    // 16 Float lanes over blocks of 4096 elements, then Double across blocks:
                    // fast, and accurate far beyond what the clipping threshold needs.
                    var chunkTotal = 0.0
                    var i = run.range.lowerBound + local.lowerBound
                    let end = run.range.lowerBound + local.upperBound
                    while i < end {
                        let blockEnd = min(i + 4096, end)
                        if let knownZero, knownZero(i..<blockEnd) {
                            i = blockEnd
                            continue
                        }
                        var lanes = SIMD16<Float>(repeating: 0)
                        while i + 16 <= blockEnd {
                            let x = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD16<Float>.self)
                            lanes += x * x
                            i += 16
                        }
                        var sum = lanes.sum()
                        while i < blockEnd { sum += g[i] * g[i]; i += 1 }
                        chunkTotal += Double(sum)
                    }
                    out[chunk] = chunkTotal
                }
            }
            for value in partial { total += value }
        }
        return total
    }

    /// Clips in place; returns the norm before clipping.
    @discardableResult
    public static func clip(_ gradients: FloatSlab, runs: [UpdateRun], maxNorm: Float, pool: ThreadPool) -> Double {
        let total = norm(gradients, runs: runs, pool: pool)
        clip(gradients, runs: runs, norm: total, maxNorm: maxNorm, pool: pool)
        return total
    }

    /// Scales the runs by `factor(norm:maxNorm:)`, the norm given (a sharded optimizer
    /// computes it across ranks).
    public static func clip(_ gradients: FloatSlab, runs: [UpdateRun], norm: Double, maxNorm: Float, pool: ThreadPool) {
        let factor = factor(norm: norm, maxNorm: maxNorm)
        if factor != 1 { scale(gradients, runs: runs, by: factor, pool: pool) }
    }

    /// What clipping multiplies every gradient by: `maxNorm / (norm + 1e-6)` when that is
    /// below 1, else 1 (and 1 when `maxNorm` is 0: no clipping). The optimizer can take it
    /// as its gradient scale instead of a pass over the gradients (`AdamW.step`).
    public static func factor(norm: Double, maxNorm: Float) -> Float {
        guard maxNorm > 0 else { return 1 }
        let coefficient = Double(maxNorm) / (norm + 1e-6)
        return coefficient < 1 ? Float(coefficient) : 1
    }

    /// `g ← g · factor` over the runs.
    public static func scale(_ gradients: FloatSlab, runs: [UpdateRun], by factor: Float, pool: ThreadPool) {
        let g = gradients.base
        for run in runs {
            pool.parallelFor(run.range.count, grain: 65_536) { local in
                for i in (run.range.lowerBound + local.lowerBound)..<(run.range.lowerBound + local.upperBound) {
                    g[i] *= factor
                }
            }
        }
    }
}
