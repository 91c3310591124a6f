import CBLAS
import Foundation

/// Matrix products through OpenBLAS's `cblas_sgemm`, on row-major views.
///
/// Weights are stored `[out, in]` as in PyTorch, so a linear layer is
/// `gemm(x, W, transposeB: true, into: y)`, i.e. `y = x·Wᵀ`.
public enum BLAS {
    /// `c = alpha · op(a) · op(b) + beta · c`, where `op(m)` is `mᵀ` when its flag is set.
    ///
    /// Shapes: `op(a)` is `[M, K]`, `op(b)` is `[K, N]`, `c` is `[M, N]`; a mismatch is a
    /// programmer error and stops with both shapes in the message.
    public static func gemm(
        _ a: MatrixView, transposeA: Bool = false,
        _ b: MatrixView, transposeB: Bool = false,
        into c: MatrixView, alpha: Float = 1, beta: Float = 0
    ) {
        let m = transposeA ? a.cols : a.rows
        let k = transposeA ? a.rows : a.cols
        let kb = transposeB ? b.cols : b.rows
        let n = transposeB ? b.rows : b.cols
        precondition(
            k == kb && c.rows == m && c.cols == n,
            "BLAS.gemm: op(a) \(transposeA ? "ᵀ" : "")\(a.shapeDescription) × op(b) "
                + "\(transposeB ? "ᵀ" : "")\(b.shapeDescription) does not give c \(c.shapeDescription)"
        )
        if m == 0 || n == 0 { return }
        if k == 0 {
            // BLAS leaves c untouched for k = 0 only when beta = 1; make the contract explicit.
            for r in 0..<m { for j in 0..<n { c[r, j] = beta == 0 ? 0 : beta * c[r, j] } }
            return
        }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a.data, Int32(max(a.rowStride, 1)),
            b.data, Int32(max(b.rowStride, 1)),
            beta, c.data, Int32(max(c.rowStride, 1)))
    }

    /// The same product computed by three nested loops in `Double`: the reference the tests
    /// hold `gemm` against.
    public static func naiveGemm(
        _ a: MatrixView, transposeA: Bool = false,
        _ b: MatrixView, transposeB: Bool = false,
        into c: MatrixView, alpha: Float = 1, beta: Float = 0
    ) {
        let m = transposeA ? a.cols : a.rows
        let k = transposeA ? a.rows : a.cols
        let n = transposeB ? b.rows : b.cols
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let av = transposeA ? a[p, i] : a[i, p]
                    let bv = transposeB ? b[j, p] : b[p, j]
                    sum += Double(av) * Double(bv)
                }
                let old = beta == 0 ? 0 : Double(beta) * Double(c[i, j])
                c[i, j] = Float(Double(alpha) * sum + old)
            }
        }
    }

    /// Threads OpenBLAS uses for each call from now on (process-wide).
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// Threads OpenBLAS currently uses.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// The CPU core whose kernels OpenBLAS runs (its run-time choice, or the one
    /// `OPENBLAS_CORETYPE` forces), e.g. `Haswell`, `Cooperlake`.
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name).trimmingCharacters(in: .whitespaces)
    }
}
