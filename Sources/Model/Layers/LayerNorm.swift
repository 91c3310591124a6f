/// Layer normalisation over the last dimension:
/// `y = (x − mean) · rstd · γ + β`, `rstd = 1 / sqrt(var + ε)` with the biased variance,
/// as `torch.nn.LayerNorm`.
///
/// Shapes: `x`, `y` `[N, C]`; `γ`, `β` `[C]`; the cache `mean`, `rstd` `[N]`.
public enum LayerNorm {
    /// Normalises every row of `input` into `output` and records `mean` and `rstd` for the
    /// backward pass. `output` may not alias `input`.
    public static func forward(
        input: MatrixView, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float,
        output: MatrixView, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        pool: ThreadPool
    ) {
        let c = input.cols
        pool.parallelFor(input.rows, grain: 32) { rows in
            for r in rows {
                let x = input.row(r), y = output.row(r)
                // Two passes over a row that sits in L1: the mean, then the centred sum of
                // squares (as accurate as Welford, and vectorises).
                var sum: Float = 0
                for j in 0..<c { sum += x[j] }
                let m = sum / Float(c)
                var squares: Float = 0
                for j in 0..<c {
                    let d = x[j] - m
                    squares += d * d
                }
                let s = 1 / (squares / Float(c) + epsilon).squareRoot()
                for j in 0..<c { y[j] = (x[j] - m) * s * weight[j] + bias[j] }
                mean[r] = m
                rstd[r] = s
            }
        }
    }

    /// Gradients of `forward`, with `x̂ = (x − mean)·rstd` and `g = dy·γ`:
    /// `dx = rstd · (g − mean(g) − x̂ · mean(g·x̂))` (overwrites `inputGrad`, which may alias
    /// `outputGrad`), `dγ += Σ_rows dy·x̂`, `dβ += Σ_rows dy` (skipped when `nil`: frozen).
    public static func backward(
        outputGrad: MatrixView, input: MatrixView, weight: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        inputGrad: MatrixView,
        weightGrad: UnsafeMutablePointer<Float>?, biasGrad: UnsafeMutablePointer<Float>?,
        pool: ThreadPool
    ) {
        let c = input.cols
        let chunks = pool.chunkCount(input.rows, grain: 32)
        let wantsParameterGrads = weightGrad != nil || biasGrad != nil
        // Per-chunk partial sums of dγ and dβ, added in chunk order (deterministic).
        withUnsafeTemporaryAllocation(of: Float.self, capacity: wantsParameterGrads ? 2 * chunks * c : 1) { partial in
            let partial = partial.baseAddress!
            if wantsParameterGrads { partial.initialize(repeating: 0, count: 2 * chunks * c) }
            pool.forEachChunk(input.rows, grain: 32) { chunk, rows in
                let dGamma = partial + 2 * chunk * c, dBeta = dGamma + c
                for r in rows {
                    let x = input.row(r), dy = outputGrad.row(r), dx = inputGrad.row(r)
                    let m = mean[r], s = rstd[r]
                    var meanG: Float = 0, meanGX: Float = 0
                    for j in 0..<c {
                        let xhat = (x[j] - m) * s
                        let g = dy[j] * weight[j]
                        meanG += g
                        meanGX += g * xhat
                    }
                    meanG /= Float(c)
                    meanGX /= Float(c)
                    if wantsParameterGrads {
                        for j in 0..<c {
                            let xhat = (x[j] - m) * s
                            dGamma[j] += dy[j] * xhat
                            dBeta[j] += dy[j]
                        }
                    }
                    for j in 0..<c {
                        let xhat = (x[j] - m) * s
                        dx[j] = s * (dy[j] * weight[j] - meanG - xhat * meanGX)
                    }
                }
            }
            guard wantsParameterGrads else { return }
            for chunk in 0..<chunks {
                let dGamma = partial + 2 * chunk * c, dBeta = dGamma + c
                if let weightGrad { for j in 0..<c { weightGrad[j] += dGamma[j] } }
                if let biasGrad { for j in 0..<c { biasGrad[j] += dBeta[j] } }
            }
        }
    }
}
