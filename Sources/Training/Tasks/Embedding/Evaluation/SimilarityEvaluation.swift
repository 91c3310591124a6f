/// How well the cosine similarity of sentence pairs follows gold similarity scores, as
/// sentence-transformers' `EmbeddingSimilarityEvaluator` with the cosine function: Pearson's
/// and Spearman's correlation (scipy's `pearsonr`, `spearmanr`; ties get average ranks) of
/// `cos(first[i], second[i])` against `scores[i]`.
///
/// Spearman is the evaluator's primary metric (`spearman_cosine`). Needs every pair at once:
/// the caller gathers the embeddings of all ranks first.
public struct SimilarityMetrics: Equatable, Sendable {
    /// Number of pairs.
    public var count: Int
    /// Pearson's r of the cosines against the gold scores; NaN for fewer than two pairs or a
    /// constant input (as scipy).
    public var pearson: Double
    /// Spearman's ρ (Pearson's r of the average ranks); NaN as `pearson`.
    public var spearman: Double

    /// The metrics of the pairs `(first[i], second[i])`.
    /// Shapes: `first`, `second` `[rows, dim]` row-major; `scores` `[rows]`.
    /// - Throws: `EmbeddingEvaluationError` when the shapes disagree or a score is not finite.
    public init(first: [Float], second: [Float], rows: Int, dim: Int, scores: [Float]) throws(EmbeddingEvaluationError)
    {
        try EmbeddingEvaluationError.checkShape(first, rows: rows, dim: dim, "similarity: first sentences")
        try EmbeddingEvaluationError.checkShape(second, rows: rows, dim: dim, "similarity: second sentences")
        guard scores.count == rows else {
            throw EmbeddingEvaluationError("similarity: \(scores.count) gold scores for \(rows) pairs")
        }
        if let bad = scores.firstIndex(where: { !$0.isFinite }) {
            throw EmbeddingEvaluationError("similarity: gold score \(bad) is \(scores[bad]), not a finite number")
        }
        let cosines = PairCosines.scores(first, second, rows: rows, dim: dim).map(Double.init)
        let gold = scores.map(Double.init)
        count = rows
        pearson = RegressionMetrics.pearson(cosines, gold)
        spearman = RegressionMetrics.spearman(cosines, gold)
    }
}
