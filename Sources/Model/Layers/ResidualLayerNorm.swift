/// BERT's post-LayerNorm residual junction as one pass over each row:
///
///     sum = dropout(branch) + residual      output = LayerNorm(sum)
///
/// instead of three (dropout, add, normalise), and backward
///
///     ∂sum = LayerNormᵀ(∂output)            ∂branch = dropout(∂sum)
///
/// with `∂sum` also the residual input's gradient. Shapes: all matrices `[N, C]`; `sum` is
/// the LayerNorm's input the backward pass needs (the cache), `mean`/`rstd` `[N]`.
public enum ResidualLayerNorm {
    /// The dropout a junction applies to its branch: token rows of `batch` at `site`.
    public struct BranchDropout {
        public var batch: PackedBatch
        public var key: DropoutKey
        public var site: DropoutSite
        public var probability: Float

        @inline(__always)
        func apply(_ row: UnsafeMutablePointer<Float>, _ r: Int, count c: Int) {
            Dropout.applyToTokenRow(row, r, count: c, batch: batch, key: key, site: site, probability: probability)
        }
    }

    /// `branch` is dropped out in place; `sum` and `output` are overwritten.
    public static func forward(
        branch: MatrixView, residual: MatrixView, dropout: BranchDropout, sum: MatrixView,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float, output: MatrixView,
        mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>, pool: ThreadPool
    ) {
        typealias V = FastMath.V
        let c = branch.cols
        pool.parallelFor(branch.rows, grain: 32) { rows in
            for r in rows {
                let x = branch.row(r), res = residual.row(r), s = sum.row(r)
                dropout.apply(x, r, count: c)
                var lanes = LayerNorm.CompensatedLanes()
                var j = 0
                while j + V.scalarCount <= c {
                    let v =
                        UnsafeRawPointer(x + j).loadUnaligned(as: V.self)
                        + UnsafeRawPointer(res + j).loadUnaligned(as: V.self)
                    UnsafeMutableRawPointer(s + j).storeBytes(of: v, as: V.self)
                    lanes.add(v)
                    j += V.scalarCount
                }
                var total = lanes.total
                while j < c {
                    s[j] = x[j] + res[j]
                    total += Double(s[j])
                    j += 1
                }
                (mean[r], rstd[r]) = LayerNorm.normalizeRow(
                    s, sum: total, weight: weight, bias: bias, epsilon: epsilon, into: output.row(r), count: c)
            }
        }
    }

    /// `grad` holds ∂loss/∂output on entry and ∂loss/∂sum on exit (the residual input's
    /// gradient); `branchGrad` is overwritten with the branch's gradient. LayerNorm's
    /// parameter gradients accumulate as in `LayerNorm.backward`.
    public static func backward(
        grad: MatrixView, sum: MatrixView, weight: UnsafePointer<Float>, mean: UnsafePointer<Float>,
        rstd: UnsafePointer<Float>, weightGrad: UnsafeMutablePointer<Float>?, biasGrad: UnsafeMutablePointer<Float>?,
        branchGrad: MatrixView, dropout: BranchDropout, pool: ThreadPool
    ) {
        let c = grad.cols
        LayerNorm.backward(
            outputGrad: grad, input: sum, weight: weight, mean: mean, rstd: rstd, inputGrad: grad,
            weightGrad: weightGrad, biasGrad: biasGrad, pool: pool,
            afterRow: { r in
                let copy = branchGrad.row(r)
                copy.update(from: grad.row(r), count: c)
                dropout.apply(copy, r, count: c)
            })
    }
}
