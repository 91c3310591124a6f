/// Pair classification by a cosine threshold, as sentence-transformers'
/// `BinaryClassificationEvaluator` with the cosine function: a pair is predicted similar (1)
/// when `cos(first[i], second[i]) ≥ threshold`, and the threshold is the one that is best on
/// the data itself.
///
/// Thresholds are midpoints between consecutive distinct scores (in `Float`, as the
/// reference's float32 arithmetic), or the lowest score when the best cut keeps every pair;
/// pairs with equal scores always fall on the same side. Needs every pair at once: the caller
/// gathers the embeddings of all ranks first.
public struct PairClassificationMetrics: Equatable, Sendable {
    /// Number of pairs.
    public var count: Int
    /// The best accuracy over thresholds (the evaluator's `accuracy`), and its threshold.
    public var accuracy: Double
    public var accuracyThreshold: Float
    /// The best F1 of the similar class over thresholds, and the precision, recall and
    /// threshold where it is reached; all 0 when no pair is labelled 1.
    public var f1: Double
    public var precision: Double
    public var recall: Double
    public var f1Threshold: Float
    /// Average precision of the cosine ranking (scikit-learn's `average_precision_score`:
    /// `Σ (Rₙ − Rₙ₋₁) Pₙ` over distinct scores, high to low); NaN when no pair is labelled 1.
    public var averagePrecision: Double

    /// The metrics of the pairs `(first[i], second[i])` labelled `labels[i]` ∈ {0, 1}.
    /// Shapes: `first`, `second` `[rows, dim]` row-major; `labels` `[rows]`.
    /// - Throws: `EmbeddingEvaluationError` when the shapes disagree or a label is not 0 or 1.
    public init(first: [Float], second: [Float], rows: Int, dim: Int, labels: [Int]) throws(EmbeddingEvaluationError) {
        try EmbeddingEvaluationError.checkShape(first, rows: rows, dim: dim, "pair classification: first sentences")
        try EmbeddingEvaluationError.checkShape(second, rows: rows, dim: dim, "pair classification: second sentences")
        try self.init(scores: PairCosines.scores(first, second, rows: rows, dim: dim), labels: labels)
    }

    /// The metrics of precomputed similarity `scores` (higher = more similar).
    public init(scores: [Float], labels: [Int]) throws(EmbeddingEvaluationError) {
        guard scores.count == labels.count else {
            throw EmbeddingEvaluationError("pair classification: \(labels.count) labels for \(scores.count) pairs")
        }
        if let bad = labels.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw EmbeddingEvaluationError("pair classification: label \(bad) is \(labels[bad]), not 0 or 1")
        }
        if let bad = scores.firstIndex(where: \.isNaN) {
            throw EmbeddingEvaluationError("pair classification: score \(bad) is NaN")
        }
        count = scores.count
        // Descending by score; the order inside a group of equal scores does not matter, since
        // every statistic is read only at the end of a group.
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        let positives = labels.reduce(0, +), n = scores.count
        var similarSoFar = 0, remainingDissimilar = n - positives, taken = 0
        accuracy = n == 0 ? 0 : Double(remainingDissimilar) / Double(n)
        accuracyThreshold = n == 0 ? -1 : scores[order[0]].nextUp
        f1 = 0
        precision = 0
        recall = 0
        f1Threshold = 0
        averagePrecision = positives == 0 ? .nan : 0
        var previousRecall = 0.0
        for (position, i) in order.enumerated() {
            taken += 1
            if labels[i] == 1 { similarSoFar += 1 } else { remainingDissimilar -= 1 }
            let isLast = position == n - 1
            let score = scores[i]
            if !isLast && score == scores[order[position + 1]] { continue }
            let threshold = isLast ? score : Self.midpoint(score, scores[order[position + 1]])
            let correct = Double(similarSoFar + remainingDissimilar) / Double(n)
            if correct > accuracy {
                accuracy = correct
                accuracyThreshold = threshold
            }
            guard similarSoFar > 0 else { continue }
            let p = Double(similarSoFar) / Double(taken), r = Double(similarSoFar) / Double(positives)
            let f = 2 * p * r / (p + r)
            if f > f1 {
                (f1, precision, recall, f1Threshold) = (f, p, r, threshold)
            }
            averagePrecision += (r - previousRecall) * p
            previousRecall = r
        }
    }

    /// The midpoint of two consecutive distinct scores `high > low` in `Float`; when rounding
    /// lands on `low` (adjacent floats), `high` itself, so the cut never includes `low`'s group.
    static func midpoint(_ high: Float, _ low: Float) -> Float {
        let middle = (high + low) / 2
        return middle == low ? high : middle
    }
}
