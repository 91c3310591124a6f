/// Attention for the first position of each sequence only — its `[CLS]` — over all of the
/// sequence's keys and values: all a head that reads nothing but `[CLS]` needs of the top
/// layer (`BertModel`'s first-token top layer). Row 0 of the full pass, with the same
/// dropout masks (row 0's counters); the other n − 1 queries are never formed.
///
/// Shapes: `qkv` `[N, 3C]` (all rows: keys and values), `context` and its gradient compact
/// `[B, C]` (row b is sequence b's first position). Probabilities: per sequence b and head h
/// the `[1, n]` row at `probabilityOffsets[b] + h·n`, inside the block `layOutProbabilities`
/// gives the full pass.
extension SelfAttention {
    public static func forwardFirstQuery(
        qkv: MatrixView, batch: PackedBatch, heads: Int,
        probabilities: UnsafeMutablePointer<Float>, probabilityOffsets: UnsafePointer<Int>,
        context: MatrixView, dropout: AttentionDropout?, scaled: Bool = true,
        scratch: UnsafeMutablePointer<Float>, scratchStride: Int, pool: ThreadPool
    ) {
        let c = context.cols, hs = c / heads
        let scale = scaled ? 1 / Float(hs).squareRoot() : 1
        forEachHead(batch: batch, heads: heads, pool: pool) { worker, b, h in
            let n = batch.length(b), rows = qkv.rows(batch.offset(b), count: n)
            let q = rows.rows(0, count: 1).columns(h * hs, count: hs)
            let k = rows.columns(c + h * hs, count: hs)
            let v = rows.columns(2 * c + h * hs, count: hs)
            let p = MatrixView(probabilities + probabilityOffsets[b] + h * n, rows: 1, cols: n)
            BLAS.gemm(q, k, transposeB: true, into: p, alpha: scale)
            FastMath.softmaxInPlace(p.row(0), count: n)
            let out = context.rows(b, count: 1).columns(h * hs, count: hs)
            if let dropout, dropout.probability > 0 {
                let dropped = MatrixView(scratch + worker * 2 * scratchStride * scratchStride, rows: 1, cols: n)
                droppedProbabilities(p, into: dropped, head: h, sample: batch.sampleIds[b], dropout: dropout)
                BLAS.gemm(dropped, v, into: out)
            } else {
                BLAS.gemm(p, v, into: out)
            }
        }
    }

    /// Backward of `forwardFirstQuery`: from the compact `contextGrad` `[B, C]` to `qkvGrad`
    /// `[N, 3C]` (overwritten; the query gradient is zero on every row but the first of each
    /// sequence, as the full pass gives when only row 0 of the context has a gradient).
    public static func backwardFirstQuery(
        contextGrad: MatrixView, qkv: MatrixView, batch: PackedBatch, heads: Int,
        probabilities: UnsafeMutablePointer<Float>, probabilityOffsets: UnsafePointer<Int>,
        qkvGrad: MatrixView, dropout: AttentionDropout?, scaled: Bool = true,
        scratch: UnsafeMutablePointer<Float>, scratchStride: Int, pool: ThreadPool
    ) {
        let c = contextGrad.cols, hs = c / heads
        let scale = scaled ? 1 / Float(hs).squareRoot() : 1
        forEachHead(batch: batch, heads: heads, pool: pool) { worker, b, h in
            let n = batch.length(b), o = batch.offset(b)
            let rows = qkv.rows(o, count: n), gradRows = qkvGrad.rows(o, count: n)
            let q = rows.rows(0, count: 1).columns(h * hs, count: hs)
            let k = rows.columns(c + h * hs, count: hs)
            let v = rows.columns(2 * c + h * hs, count: hs)
            let dq = gradRows.columns(h * hs, count: hs)
            let dk = gradRows.columns(c + h * hs, count: hs)
            let dv = gradRows.columns(2 * c + h * hs, count: hs)
            let dOut = contextGrad.rows(b, count: 1).columns(h * hs, count: hs)
            let p = MatrixView(probabilities + probabilityOffsets[b] + h * n, rows: 1, cols: n)
            let base = scratch + worker * 2 * scratchStride * scratchStride
            let dP = MatrixView(base + scratchStride * scratchStride, rows: 1, cols: n)
            if let dropout, dropout.probability > 0 {
                let dropped = MatrixView(base, rows: 1, cols: n)
                BLAS.gemm(dOut, v, transposeB: true, into: dP)
                droppedProbabilities(
                    p, into: dropped, alsoDropping: dP, head: h, sample: batch.sampleIds[b], dropout: dropout)
                BLAS.gemm(dropped, transposeA: true, dOut, into: dv)
            } else {
                BLAS.gemm(p, transposeA: true, dOut, into: dv)
                BLAS.gemm(dOut, v, transposeB: true, into: dP)
            }
            softmaxBackward(probabilities: p, gradient: dP)
            BLAS.gemm(dP, k, into: dq.rows(0, count: 1), alpha: scale)
            for i in 1..<n { dq.row(i).update(repeating: 0, count: hs) }
            BLAS.gemm(dP, transposeA: true, q, into: dk, alpha: scale)
        }
    }
}
