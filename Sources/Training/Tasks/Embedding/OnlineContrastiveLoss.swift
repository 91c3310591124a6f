/// Online contrastive loss, as sentence-transformers' `OnlineContrastiveLoss` (cosine
/// distance, margin 0.5): only the hard pairs of the batch count — positives farther apart
/// than the closest negative, negatives closer than the farthest positive:
///
///     d_i = 1 − cos(u_i, v_i);   P = {d_i : y_i = 1},  Q = {d_i : y_i = 0}
///     hard positives  d ∈ P with d > (min Q if Q is not empty, else mean P)
///     hard negatives  d ∈ Q with d < (max P if P is not empty, else mean Q)
///     loss = Σ_hard positives d² + Σ_hard negatives max(0, margin − d)²        (a sum)
///
/// The thresholds are statistics of the whole batch, so a rank needs every pair's distance
/// (`readsWholeBatch`); the selection is piecewise constant, so each pair's gradient is that
/// of its own term. Labels must be 0 or 1.
public struct OnlineContrastiveLoss: EmbeddingLoss {
    public var margin: Float

    public init(margin: Float = 0.5) { self.margin = margin }

    public var name: String { "online-contrastive" }
    public var acceptedColumns: ClosedRange<Int> { 2...2 }
    public var needsScores: Bool { true }
    public var reduction: EmbeddingLossReduction { .sum }
    public var readsWholeBatch: Bool { true }

    public func lossAndGradient(
        _ embeddings: EmbeddingColumns, scores: UnsafePointer<Float>?, scored: Range<Int>, gradScale: Float,
        gradient: EmbeddingColumns
    ) throws -> Double {
        try checkInput(embeddings, scores: scores, scored: scored, gradient: gradient)
        gradient.values.update(repeating: 0, count: gradient.count)
        let n = embeddings.rows, dim = embeddings.dim
        // Distances of every pair (the thresholds need them all), in float as torch has them.
        var cosines = [Double](repeating: 0, count: n), norms = [(Double, Double)](repeating: (0, 0), count: n)
        var positives: [Float] = [], negatives: [Float] = []
        for i in 0..<n {
            let label = scores![i]
            guard label == 0 || label == 1 else {
                throw EmbeddingLossError("\(name) loss: example \(i) has label \(label), expected 0 or 1")
            }
            let (cosine, normU, normV) = PairCosine.forward(embeddings.row(0, i), embeddings.row(1, i), dim: dim)
            cosines[i] = cosine
            norms[i] = (normU, normV)
            if label == 1 { positives.append(Float(1 - cosine)) } else { negatives.append(Float(1 - cosine)) }
        }
        func mean(_ values: [Float]) -> Float { values.reduce(0, +) / Float(values.count) }
        // A threshold is only needed when its side has pairs; a missing mean is never compared.
        let positiveThreshold = negatives.min() ?? (positives.isEmpty ? 0 : mean(positives))
        let negativeThreshold = positives.max() ?? (negatives.isEmpty ? 0 : mean(negatives))

        let margin = Double(self.margin)
        var total = 0.0
        for i in scored {
            let distance = 1 - cosines[i]
            let distanceGrad: Double
            if scores![i] == 1 {
                guard Float(distance) > positiveThreshold else { continue }
                total += distance * distance
                distanceGrad = 2 * distance
            } else {
                guard Float(distance) < negativeThreshold else { continue }
                let hinge = max(0, margin - distance)
                total += hinge * hinge
                distanceGrad = -2 * hinge
            }
            let u = embeddings.row(0, i), v = embeddings.row(1, i)
            PairCosine.backward(
                u, v, dim: dim, cosine: cosines[i], normA: norms[i].0, normB: norms[i].1,
                upstream: -distanceGrad * Double(gradScale), aGrad: gradient.row(0, i), bGrad: gradient.row(1, i))
        }
        return total
    }
}
