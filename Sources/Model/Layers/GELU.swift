#if canImport(Glibc)
    import Glibc
#endif

/// Bias add fused with the exact GELU of BERT's feed-forward block:
/// `h = x + b`, `y = gelu(h) = h · Φ(h) = ½·h·(1 + erf(h/√2))`.
///
/// Shapes: `h`, `y` `[N, F]`, `b` `[F]`. The linear layer before it runs its GEMM without a
/// bias; this pass adds the bias and applies GELU while the row is in cache.
public enum BiasGELU {
    /// Adds `bias` to every row of `preActivation` in place (it is the backward pass's cache)
    /// and writes `gelu` of the result into `output`.
    public static func forward(
        preActivation: MatrixView, bias: UnsafePointer<Float>, output: MatrixView, pool: ThreadPool
    ) {
        let f = preActivation.cols
        pool.parallelFor(preActivation.rows, grain: 8) { rows in
            for r in rows {
                let h = preActivation.row(r), y = output.row(r)
                for j in 0..<f { h[j] += bias[j] }
                FastMath.gelu(h, into: y, count: f)
            }
        }
    }

    /// `dh = dy · gelu'(h)` with `gelu'(h) = Φ(h) + h·φ(h)`; `dh` may alias `dy`.
    /// `biasGrad += Σ_rows dh` (skipped when `nil`).
    public static func backward(
        outputGrad: MatrixView, preActivation: MatrixView, preActivationGrad: MatrixView,
        biasGrad: UnsafeMutablePointer<Float>?, pool: ThreadPool
    ) {
        let f = preActivation.cols
        pool.parallelFor(preActivation.rows, grain: 8) { rows in
            for r in rows {
                FastMath.geluBackward(
                    preActivation.row(r), outputGrad: outputGrad.row(r),
                    into: preActivationGrad.row(r), count: f)
            }
        }
        if let biasGrad { Linear.sumRows(preActivationGrad, into: biasGrad, pool: pool) }
    }
}
