import Model

/// Multiple-negatives ranking (InfoNCE with in-batch negatives), as sentence-transformers'
/// `MultipleNegativesRankingLoss(scale: 20, similarity_fct: cos_sim)` and, with `symmetric`,
/// `MultipleNegativesSymmetricRankingLoss`.
///
/// Example i has an anchor a_i (column 0), a positive p_i (column 1) and optionally hard
/// negatives (columns 2…). The candidates are every positive and negative of the batch,
/// `C = [p_0 … p_{N−1}, n¹_0 … n¹_{N−1}, …]` (`M = (columns − 1) · N` rows); with cosine
/// similarities `s_ij = scale · cos(a_i, C_j)`,
///
///     forward term   f_i = logΣ_j exp(s_ij) − s_ii               (cross-entropy, label i)
///     backward term  b_i = logΣ_k exp(scale·cos(p_i, a_k)) − scale·cos(p_i, a_i)
///     loss           mean_i f_i,   or mean_i (f_i + b_i) / 2 when symmetric
///
/// (the backward direction ranks the anchors for each positive; hard negatives take part in
/// the forward direction only, as in sentence-transformers).
///
/// Gradients: with `P = softmax(s_i·)`, `∂f_i/∂s_ij = P_ij − [j = i]`; through
/// `s = scale · Â Ĉᵀ` that is `dÂ = scale · dS Ĉ`, `dĈ = scale · dSᵀ Â`, then the row
/// normalisation's backward (`RowNormalization`). The products run on BLAS and each row's
/// softmax cross-entropy is `CrossEntropy`'s (SIMD exp); scores and their gradient are
/// `[scored, M]` each, so memory grows with (own anchors × global candidates): 2 × 1,024 ×
/// 4,096 floats (32 MB) for a rank's 1,024 anchors of a 4,096-pair batch.
public struct MultipleNegativesRankingLoss: EmbeddingLoss {
    public var scale: Float
    public var symmetric: Bool
    /// Threads for the softmax rows (the model's pool; BLAS runs on its own threads).
    public var pool: ThreadPool

    public init(scale: Float = 20, symmetric: Bool = false, pool: ThreadPool = .serial) {
        self.scale = scale
        self.symmetric = symmetric
        self.pool = pool
    }

    public var name: String { symmetric ? "multiple-negatives-symmetric-ranking" : "multiple-negatives-ranking" }
    public var acceptedColumns: ClosedRange<Int> { 2...Int.max }
    public var needsScores: Bool { false }
    public var reduction: EmbeddingLossReduction { .mean }
    public var readsWholeBatch: Bool { true }

    public func lossAndGradient(
        _ embeddings: EmbeddingColumns, scores: UnsafePointer<Float>?, scored: Range<Int>, gradScale: Float,
        gradient: EmbeddingColumns
    ) throws -> Double {
        try checkInput(embeddings, scores: scores, scored: scored, gradient: gradient)
        let n = embeddings.rows, dim = embeddings.dim
        let m = (embeddings.columns - 1) * n
        // Normalised anchors [N, D] and candidates [M, D], their norms, and their gradients.
        var buffers = [Float](repeating: 0, count: 2 * (n + m) * dim + n + m)
        return buffers.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            let anchors = MatrixView(base, rows: n, cols: dim)
            let candidates = MatrixView(base + n * dim, rows: m, cols: dim)
            let anchorsGrad = MatrixView(base + (n + m) * dim, rows: n, cols: dim)
            let candidatesGrad = MatrixView(base + (2 * n + m) * dim, rows: m, cols: dim)
            let anchorNorms = base + 2 * (n + m) * dim, candidateNorms = anchorNorms + n
            RowNormalization.forward(
                embeddings.column(0).data, rows: n, dim: dim, normalized: anchors.data, norms: anchorNorms)
            RowNormalization.forward(
                embeddings.columns(from: 1).data, rows: m, dim: dim, normalized: candidates.data, norms: candidateNorms)

            // Each direction's terms are weighted ½ in the symmetric form.
            let weight: Float = symmetric ? 0.5 : 1
            var loss = rank(
                queries: anchors, keys: candidates, scored: scored, gradScale: gradScale * weight,
                queriesGrad: anchorsGrad, keysGrad: candidatesGrad)
            if symmetric {
                // Positives (the first N candidates) rank the anchors.
                loss += rank(
                    queries: candidates.rows(0, count: n), keys: anchors, scored: scored,
                    gradScale: gradScale * weight, queriesGrad: candidatesGrad.rows(0, count: n), keysGrad: anchorsGrad)
            }
            RowNormalization.backward(
                normalizedGrad: anchorsGrad.data, normalized: anchors.data, norms: anchorNorms, rows: n, dim: dim,
                inputGrad: gradient.column(0).data)
            RowNormalization.backward(
                normalizedGrad: candidatesGrad.data, normalized: candidates.data, norms: candidateNorms, rows: m,
                dim: dim, inputGrad: gradient.columns(from: 1).data)
            return loss * Double(weight)
        }
    }

    /// Cross-entropy of `scale · q_i · Kᵀ` against label i for the queries i in `scored`
    /// (normalised rows). Adds `gradScale · ∂(Σ terms)/∂` to `queriesGrad` (its `scored` rows)
    /// and `keysGrad` (all rows). Returns the unweighted sum of the terms.
    /// Shapes: `queries`, `queriesGrad` `[Q, D]`; `keys`, `keysGrad` `[K, D]`, K ≥ Q.
    private func rank(
        queries: MatrixView, keys: MatrixView, scored: Range<Int>, gradScale: Float,
        queriesGrad: MatrixView, keysGrad: MatrixView
    ) -> Double {
        let rows = scored.count, k = keys.rows
        guard rows > 0 else { return 0 }
        // Scores and their gradient, each [rows, K]; then the labels (query i's key is key i).
        var buffer = [Float](repeating: 0, count: 2 * rows * k)
        let labels = (0..<rows).map { Int32(scored.lowerBound + $0) }
        return buffer.withUnsafeMutableBufferPointer { buffer in
            let logits = MatrixView(buffer.baseAddress!, rows: rows, cols: k)
            let scores = MatrixView(buffer.baseAddress! + rows * k, rows: rows, cols: k)
            let own = queries.rows(scored.lowerBound, count: rows)
            // logits [rows, K] = scale · q · Kᵀ
            BLAS.gemm(own, keys, transposeB: true, into: logits, alpha: scale)
            // Softmax cross-entropy per row (SIMD exp, rows over the pool's threads):
            // scores ← dS = gradScale · (softmax − onehot).
            let total = labels.withUnsafeBufferPointer {
                CrossEntropy.forwardBackward(
                    logits: logits.data, labels: $0.baseAddress!, rows: rows, classes: k, gradScale: gradScale,
                    logitsGrad: scores.data, pool: pool)
            }
            // dq [rows, D] += scale · dS · K;  dK [K, D] += scale · dSᵀ · q
            BLAS.gemm(scores, keys, into: queriesGrad.rows(scored.lowerBound, count: rows), alpha: scale, beta: 1)
            BLAS.gemm(scores, transposeA: true, own, into: keysGrad, alpha: scale, beta: 1)
            return total
        }
    }
}
