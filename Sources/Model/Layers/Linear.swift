/// A fully connected layer, `y = x·Wᵀ + b`, with `W` stored `[out, in]` as in PyTorch.
///
/// Shapes: `x` `[N, in]`, `W` `[out, in]`, `b` `[out]`, `y` `[N, out]`.
public enum Linear {
    /// `output = input·Wᵀ + bias` (overwrites `output`).
    public static func forward(
        input: MatrixView, weight: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>?,
        output: MatrixView, pool: ThreadPool
    ) {
        let w = MatrixView(weight, rows: output.cols, cols: input.cols)
        if let bias {
            // Seed the output with the bias and let the GEMM accumulate onto it (beta = 1):
            // one pass over `output` instead of two.
            Linear.broadcastRows(bias, into: output, pool: pool)
            BLAS.gemm(input, w, transposeB: true, into: output, beta: 1)
        } else {
            BLAS.gemm(input, w, transposeB: true, into: output)
        }
    }

    /// Gradients of `forward`.
    ///
    /// - `inputGrad = outputGrad·W` — overwritten, or added to when `accumulateInput` (the
    ///   graph branches there, e.g. a residual stream); skipped when `nil` (first layer).
    /// - `weightGrad += outputGradᵀ·input`, `biasGrad += Σ_rows outputGrad` — accumulated;
    ///   skipped when `nil` (frozen parameters: no GEMM is spent on them).
    public static func backward(
        outputGrad: MatrixView, input: MatrixView, weight: UnsafeMutablePointer<Float>,
        inputGrad: MatrixView?, accumulateInput: Bool = false,
        weightGrad: UnsafeMutablePointer<Float>?, biasGrad: UnsafeMutablePointer<Float>?,
        pool: ThreadPool
    ) {
        let w = MatrixView(weight, rows: outputGrad.cols, cols: input.cols)
        if let inputGrad {
            BLAS.gemm(outputGrad, w, into: inputGrad, beta: accumulateInput ? 1 : 0)
        }
        if let weightGrad {
            let dw = MatrixView(weightGrad, rows: outputGrad.cols, cols: input.cols)
            BLAS.gemm(outputGrad, transposeA: true, input, into: dw, beta: 1)
        }
        if let biasGrad {
            sumRows(outputGrad, into: biasGrad, pool: pool)
        }
    }

    /// Copies `vector` (`[cols]`) into every row of `matrix`.
    public static func broadcastRows(_ vector: UnsafePointer<Float>, into matrix: MatrixView, pool: ThreadPool) {
        let cols = matrix.cols
        pool.parallelFor(matrix.rows, grain: 64) { rows in
            for r in rows {
                matrix.row(r).update(from: vector, count: cols)
            }
        }
    }

    /// `sum[j] += Σ_r matrix[r, j]`.
    ///
    /// Each thread sums a contiguous block of rows into a private accumulator; blocks are
    /// then added in block order, so the result does not depend on thread timing.
    public static func sumRows(_ matrix: MatrixView, into sum: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let cols = matrix.cols
        let chunks = pool.chunkCount(matrix.rows, grain: 256)
        if chunks == 1 {
            for r in 0..<matrix.rows {
                let row = matrix.row(r)
                for j in 0..<cols { sum[j] += row[j] }
            }
            return
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: chunks * cols) { partial in
            let partial = partial.baseAddress!
            partial.initialize(repeating: 0, count: chunks * cols)
            pool.forEachChunk(matrix.rows, grain: 256) { chunk, rows in
                let acc = partial + chunk * cols
                for r in rows {
                    let row = matrix.row(r)
                    for j in 0..<cols { acc[j] += row[j] }
                }
            }
            for chunk in 0..<chunks {
                let acc = partial + chunk * cols
                for j in 0..<cols { sum[j] += acc[j] }
            }
        }
    }
}
