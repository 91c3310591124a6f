/// Triplet loss, as sentence-transformers' `TripletLoss` with its defaults (Euclidean
/// distance through `torch.nn.functional.pairwise_distance`, margin 5):
///
///     d(x, y) = ‖x − y + ε‖₂   (ε = 1e-6, added to every component as torch does)
///     loss = mean_i max(0, d(a_i, p_i) − d(a_i, n_i) + margin)
///     ∂d(x, y)/∂x = (x − y + ε) / d(x, y)
public struct TripletLoss: EmbeddingLoss {
    public var margin: Float
    static let epsilon = 1e-6

    public init(margin: Float = 5) { self.margin = margin }

    public var name: String { "triplet" }
    public var acceptedColumns: ClosedRange<Int> { 3...3 }
    public var needsScores: Bool { false }
    public var reduction: EmbeddingLossReduction { .mean }
    public var readsWholeBatch: Bool { false }

    public func lossAndGradient(
        _ embeddings: EmbeddingColumns, scores: UnsafePointer<Float>?, scored: Range<Int>, gradScale: Float,
        gradient: EmbeddingColumns
    ) throws -> Double {
        try checkInput(embeddings, scores: scores, scored: scored, gradient: gradient)
        gradient.values.update(repeating: 0, count: gradient.count)
        let dim = embeddings.dim
        var total = 0.0
        for i in scored {
            let a = embeddings.row(0, i), p = embeddings.row(1, i), n = embeddings.row(2, i)
            let toPositive = Self.distance(a, p, dim: dim), toNegative = Self.distance(a, n, dim: dim)
            let term = toPositive - toNegative + Double(margin)
            guard term > 0 else { continue }
            total += term
            let g = Double(gradScale)
            let da = gradient.row(0, i), dp = gradient.row(1, i), dn = gradient.row(2, i)
            for d in 0..<dim {
                let towardP = (Double(a[d]) - Double(p[d]) + Self.epsilon) / toPositive
                let towardN = (Double(a[d]) - Double(n[d]) + Self.epsilon) / toNegative
                da[d] = Float(g * (towardP - towardN))
                dp[d] = Float(-g * towardP)
                dn[d] = Float(g * towardN)
            }
        }
        return total
    }

    /// `‖x − y + ε‖₂` in `Double`.
    static func distance(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, dim: Int) -> Double {
        var sum = 0.0
        for d in 0..<dim {
            let difference = Double(x[d]) - Double(y[d]) + epsilon
            sum += difference * difference
        }
        return sum.squareRoot()
    }
}
