/// A LoRA adapter on a linear layer: `y += s·(x·Aᵀ)·Bᵀ`, `s = α/r`.
///
/// Shapes: `x` `[N, in]`, `A` `[r, in]`, `B` `[out, r]`, `y` `[N, out]` (may be a column
/// slice of a wider matrix, e.g. the query part of the fused QKV output), the cache
/// `u = x·Aᵀ` `[N, r]`.
public enum LowRankAdapter {
    /// Adds the adapter's output to `output` and records `u` for the backward pass.
    public static func forward(
        input: MatrixView, a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>,
        scale: Float, u: MatrixView, output: MatrixView
    ) {
        let rank = u.cols
        BLAS.gemm(input, MatrixView(a, rows: rank, cols: input.cols), transposeB: true, into: u)
        BLAS.gemm(
            u, MatrixView(b, rows: output.cols, cols: rank), transposeB: true, into: output, alpha: scale, beta: 1)
    }

    /// Gradients of `forward`: `dB += s·dyᵀ·u`, `du = s·dy·B`, `dA += duᵀ·x`, and
    /// `dx += du·A` (accumulated: the base layer's input gradient is already there).
    /// `uGrad` `[N, r]` is scratch.
    public static func backward(
        outputGrad: MatrixView, input: MatrixView, a: UnsafeMutablePointer<Float>,
        b: UnsafeMutablePointer<Float>, scale: Float, u: MatrixView, uGrad: MatrixView,
        aGrad: UnsafeMutablePointer<Float>, bGrad: UnsafeMutablePointer<Float>, inputGrad: MatrixView?
    ) {
        let rank = u.cols, fanIn = input.cols, fanOut = outputGrad.cols
        BLAS.gemm(
            outputGrad, transposeA: true, u, into: MatrixView(bGrad, rows: fanOut, cols: rank), alpha: scale, beta: 1)
        BLAS.gemm(outputGrad, MatrixView(b, rows: fanOut, cols: rank), into: uGrad, alpha: scale)
        BLAS.gemm(uGrad, transposeA: true, input, into: MatrixView(aGrad, rows: rank, cols: fanIn), beta: 1)
        if let inputGrad {
            BLAS.gemm(uGrad, MatrixView(a, rows: rank, cols: fanIn), into: inputGrad, beta: 1)
        }
    }
}
