/// Regression of the cosine similarity of a pair onto its score, as sentence-transformers'
/// `CosineSimilarityLoss` (`MSELoss` of `cosine_similarity(u, v)` against the label):
///
///     loss = mean_i (cos(u_i, v_i) − y_i)²
///     ∂loss/∂u_i = 2 (cos_i − y_i) / N · ∂cos_i/∂u_i        (N: examples of the global batch)
///
/// Scores are expected in [−1, 1] (usually [0, 1]); `ScoreRange` rescales a data set's own
/// range (STS-B's 0–5) onto [0, 1] when the data is read.
public struct CosineSimilarityLoss: EmbeddingLoss {
    public init() {}

    public var name: String { "cosine-similarity" }
    public var acceptedColumns: ClosedRange<Int> { 2...2 }
    public var needsScores: Bool { true }
    public var reduction: EmbeddingLossReduction { .mean }
    public var readsWholeBatch: Bool { false }

    public func lossAndGradient(
        _ embeddings: EmbeddingColumns, scores: UnsafePointer<Float>?, scored: Range<Int>, gradScale: Float,
        gradient: EmbeddingColumns
    ) throws -> Double {
        try pairCosineLoss(embeddings, scores: scores, scored: scored, gradScale: gradScale, gradient: gradient) {
            cosine, label in
            let error = cosine - label
            return (error * error, 2 * error)
        }
    }
}

/// The range a data set's scores are rescaled from onto [0, 1] (`(y − lower) / (upper −
/// lower)`), as sentence-transformers' examples divide STS-B's 0–5 scores by 5. Taken from
/// the training file (its smallest and largest score) unless given.
public struct ScoreRange: Sendable, Equatable {
    public let lower: Float
    public let upper: Float

    public init(lower: Float, upper: Float) throws {
        guard lower.isFinite && upper.isFinite && lower < upper else {
            throw EmbeddingLossError("score range \(lower)…\(upper): expected two finite numbers, lower < upper")
        }
        self.lower = lower
        self.upper = upper
    }

    /// The smallest and largest of `scores`; throws when there are fewer than two distinct values.
    public init(of scores: [Float]) throws {
        guard let lower = scores.min(), let upper = scores.max(), lower < upper else {
            throw EmbeddingLossError("scores need at least two distinct values to set a range")
        }
        try self.init(lower: lower, upper: upper)
    }

    /// `score` mapped linearly onto [0, 1] (values outside the range map outside [0, 1]).
    public func rescale(_ score: Float) -> Float { (score - lower) / (upper - lower) }
}
