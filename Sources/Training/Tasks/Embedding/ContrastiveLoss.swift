/// Contrastive loss on pairs labelled 1 (similar) or 0 (dissimilar), as sentence-transformers'
/// `ContrastiveLoss` with its defaults (cosine distance, margin 0.5, `size_average`):
///
///     d_i = 1 − cos(u_i, v_i)
///     loss = mean_i ½ (y_i · d_i² + (1 − y_i) · max(0, margin − d_i)²)
///     ∂loss/∂d_i = (y_i · d_i − (1 − y_i) · max(0, margin − d_i)) / N,   ∂d/∂u = −∂cos/∂u
///
/// Labels are read as given (sentence-transformers multiplies by them); the data side checks
/// that they are 0 or 1.
public struct ContrastiveLoss: EmbeddingLoss {
    public var margin: Float

    public init(margin: Float = 0.5) { self.margin = margin }

    public var name: String { "contrastive" }
    public var acceptedColumns: ClosedRange<Int> { 2...2 }
    public var needsScores: Bool { true }
    public var reduction: EmbeddingLossReduction { .mean }
    public var readsWholeBatch: Bool { false }

    public func lossAndGradient(
        _ embeddings: EmbeddingColumns, scores: UnsafePointer<Float>?, scored: Range<Int>, gradScale: Float,
        gradient: EmbeddingColumns
    ) throws -> Double {
        let margin = Double(self.margin)
        return try pairCosineLoss(
            embeddings, scores: scores, scored: scored, gradScale: gradScale, gradient: gradient
        ) { cosine, label in
            let distance = 1 - cosine
            let hinge = max(0, margin - distance)
            // ∂d/∂cos = −1.
            return (
                0.5 * (label * distance * distance + (1 - label) * hinge * hinge),
                -(label * distance - (1 - label) * hinge)
            )
        }
    }
}
