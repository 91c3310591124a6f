import Model

/// Retrieval evaluation, as sentence-transformers' `InformationRetrievalEvaluator` with cosine
/// similarity: every query is scored against every corpus row, the best `cutoffs.deepest`
/// documents are kept per query, and `RetrievalMetrics` are read from that ranking.
///
/// Work: queries and corpus are normalised once, then for each block of queries and each
/// block of the corpus one `sgemm` writes the cosines `[queryBlock, corpusBlock]` and a
/// `TopKHeap` per query keeps the best — no row is sorted in full, and memory is the two
/// normalised matrices plus one score block, whatever the corpus size.
public enum RetrievalEvaluation {
    /// The metrics of `queries` against `corpus` with `relevant[q]` the corpus rows relevant
    /// to query `q` (repeats ignored). Queries with no relevant row are left out, as the
    /// reference does; ties in score rank the lower corpus row first.
    ///
    /// Shapes: `queries` `[queryCount, dim]`, `corpus` `[corpusCount, dim]` row-major;
    /// `relevant` `[queryCount]` lists of row indices.
    /// - Throws: `EmbeddingEvaluationError` for shapes that disagree, a relevant index outside
    ///   the corpus, no query with a relevant document, or a cut-off below 1.
    public static func evaluate(
        queries: [Float], queryCount: Int, corpus: [Float], corpusCount: Int, dim: Int, relevant: [[Int]],
        cutoffs: RetrievalCutoffs = .init(), queryBlock: Int = 256, corpusBlock: Int = 8192
    ) throws(EmbeddingEvaluationError) -> RetrievalMetrics {
        try EmbeddingEvaluationError.checkShape(queries, rows: queryCount, dim: dim, "retrieval: queries")
        try EmbeddingEvaluationError.checkShape(corpus, rows: corpusCount, dim: dim, "retrieval: corpus")
        try cutoffs.validate()
        guard relevant.count == queryCount else {
            throw EmbeddingEvaluationError("retrieval: relevance lists for \(relevant.count) of \(queryCount) queries")
        }
        guard queryBlock > 0, corpusBlock > 0 else {
            throw EmbeddingEvaluationError("retrieval: block sizes \(queryBlock) × \(corpusBlock) must be positive")
        }
        for (q, rows) in relevant.enumerated() {
            if let bad = rows.first(where: { $0 < 0 || $0 >= corpusCount }) {
                throw EmbeddingEvaluationError(
                    "retrieval: query \(q) names corpus row \(bad), outside 0..<\(corpusCount)")
            }
        }
        let scored = relevant.indices.filter { !relevant[$0].isEmpty }
        guard !scored.isEmpty else { throw EmbeddingEvaluationError("retrieval: no query has a relevant document") }
        var metrics = RetrievalMetrics(cutoffs: cutoffs)
        let selected = scored.flatMap { q in queries[(q * dim)..<((q + 1) * dim)] }
        rank(
            queries: selected, queryCount: scored.count, corpus: corpus, corpusCount: corpusCount, dim: dim,
            keep: cutoffs.deepest, queryBlock: queryBlock, corpusBlock: corpusBlock
        ) { position, ranked in
            let wanted = Set(relevant[scored[position]])
            metrics.add(hits: ranked.map { wanted.contains($0.index) }, relevantCount: wanted.count)
        }
        metrics.finish()
        return metrics
    }

    /// Calls `body(q, ranked)` for each query in order with its best `min(keep, corpusCount)`
    /// corpus rows by cosine, best first. Shapes as `evaluate`; the inputs need not be normalised.
    static func rank(
        queries: [Float], queryCount: Int, corpus: [Float], corpusCount: Int, dim: Int, keep: Int,
        queryBlock: Int, corpusBlock: Int, body: (Int, [(score: Float, index: Int)]) -> Void
    ) {
        let keep = min(keep, corpusCount)
        guard queryCount > 0, keep > 0 else {
            for q in 0..<queryCount { body(q, []) }
            return
        }
        let queryBlock = min(queryBlock, queryCount), corpusBlock = min(corpusBlock, corpusCount)
        let unitQueries = UnsafeMutablePointer<Float>.allocate(capacity: queryCount * dim)
        let unitCorpus = UnsafeMutablePointer<Float>.allocate(capacity: corpusCount * dim)
        let norms = UnsafeMutablePointer<Float>.allocate(capacity: max(queryCount, corpusCount))
        let block = UnsafeMutablePointer<Float>.allocate(capacity: queryBlock * corpusBlock)
        defer {
            unitQueries.deallocate()
            unitCorpus.deallocate()
            norms.deallocate()
            block.deallocate()
        }
        queries.withUnsafeBufferPointer {
            RowNormalization.forward(
                $0.baseAddress!, rows: queryCount, dim: dim, normalized: unitQueries, norms: norms)
        }
        corpus.withUnsafeBufferPointer {
            RowNormalization.forward($0.baseAddress!, rows: corpusCount, dim: dim, normalized: unitCorpus, norms: norms)
        }
        for q0 in stride(from: 0, to: queryCount, by: queryBlock) {
            let qn = min(queryBlock, queryCount - q0)
            var heaps = (0..<qn).map { _ in TopKHeap(capacity: keep) }
            for c0 in stride(from: 0, to: corpusCount, by: corpusBlock) {
                let cn = min(corpusBlock, corpusCount - c0)
                // block [qn, cn] = unitQueries[q0 ..< q0 + qn] · unitCorpus[c0 ..< c0 + cn]ᵀ
                BLAS.gemm(
                    MatrixView(unitQueries + q0 * dim, rows: qn, cols: dim),
                    MatrixView(unitCorpus + c0 * dim, rows: cn, cols: dim), transposeB: true,
                    into: MatrixView(block, rows: qn, cols: cn))
                for q in 0..<qn { heaps[q].offer(block + q * cn, count: cn, firstIndex: c0) }
            }
            for q in 0..<qn { body(q0 + q, heaps[q].ranked()) }
        }
    }
}
