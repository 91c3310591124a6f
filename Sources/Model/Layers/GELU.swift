#if canImport(Glibc)
    import Glibc
#endif

/// Bias add fused with the GELU of a feed-forward block: `h = x + b`, then
/// `y = gelu(h) = h · Φ(h) = ½·h·(1 + erf(h/√2))` (`.exact`, BERT) or
/// `y = ½·h·(1 + tanh(√(2/π)·(h + 0.044715·h³)))` (`.tanh`, GPT-2's `gelu_new`).
///
/// Shapes: `h`, `y` `[N, F]`, `b` `[F]`. The linear layer before it runs its GEMM without a
/// bias; this pass adds the bias and applies GELU while the row is in cache.
public enum BiasGELU {
    /// Adds `bias` to every row of `preActivation` in place (it is the backward pass's cache)
    /// and writes `gelu` of the result into `output`.
    public static func forward(
        preActivation: MatrixView, bias: UnsafePointer<Float>, output: MatrixView, form: GELUForm = .exact,
        pool: ThreadPool
    ) {
        let f = preActivation.cols
        pool.parallelFor(preActivation.rows, grain: 8) { rows in
            for r in rows {
                let h = preActivation.row(r), y = output.row(r)
                for j in 0..<f { h[j] += bias[j] }
                switch form {
                case .exact: FastMath.gelu(h, into: y, count: f)
                case .tanh: FastMath.geluTanh(h, into: y, count: f)
                }
            }
        }
    }

    /// `dh = dy · gelu'(h)` (exact: `Φ(h) + h·φ(h)`, with Φ(h) taken from the forward
    /// `output`; tanh form: see `FastMath.geluTanhBackward`); `dh` may alias `dy`.
    /// `biasGrad += Σ_rows dh` (skipped when `nil`).
    public static func backward(
        outputGrad: MatrixView, preActivation: MatrixView, output: MatrixView, preActivationGrad: MatrixView,
        biasGrad: UnsafeMutablePointer<Float>?, form: GELUForm = .exact, pool: ThreadPool
    ) {
        let f = preActivation.cols
        pool.parallelFor(preActivation.rows, grain: 8) { rows in
            for r in rows {
                switch form {
                case .exact:
                    FastMath.geluBackward(
                        preActivation.row(r), output: output.row(r), outputGrad: outputGrad.row(r),
                        into: preActivationGrad.row(r), count: f)
                case .tanh:
                    FastMath.geluTanhBackward(
                        preActivation.row(r), outputGrad: outputGrad.row(r),
                        into: preActivationGrad.row(r), count: f)
                }
            }
        }
        if let biasGrad { Linear.sumRows(preActivationGrad, into: biasGrad, pool: pool) }
    }
}

/// The two GELUs of transformers' configs.
public enum GELUForm: Sendable, Equatable {
    /// `x·Φ(x)` with the erf (`"gelu"`).
    case exact
    /// `½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))` (`"gelu_new"`, `"gelu_pytorch_tanh"`).
    case tanh

    public init?(activationFunction name: String) {
        switch name {
        case "gelu": self = .exact
        case "gelu_new", "gelu_pytorch_tanh": self = .tanh
        default: return nil
        }
    }
}
