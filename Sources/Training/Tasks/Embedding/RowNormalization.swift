#if canImport(Glibc)
    import Glibc
#endif

/// L2 normalisation of rows, as `torch.nn.functional.normalize(x, p=2, dim=1)` (the cosine
/// similarity matrix of sentence-transformers' `util.cos_sim` is `x̂ · ŷᵀ` of such rows):
///
///     x̂ = x / max(‖x‖, ε)        ε = 1e-12
///
/// Backward (for ‖x‖ > ε): `dx = (dx̂ − x̂ · (x̂ · dx̂)) / ‖x‖`; below ε the map is `x / ε`, a
/// linear map, and `dx = dx̂ / ε`.
enum RowNormalization {
    static let epsilon: Float = 1e-12

    /// Writes `normalized = x̂` and `norms = max(‖x‖, ε)` of each row.
    /// Shapes: `x`, `normalized` `[rows, dim]`; `norms` `[rows]`.
    static func forward(
        _ x: UnsafePointer<Float>, rows: Int, dim: Int, normalized: UnsafeMutablePointer<Float>,
        norms: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<rows {
            let row = x + i * dim
            var sum = 0.0
            for d in 0..<dim { sum += Double(row[d]) * Double(row[d]) }
            let norm = max(Float(sum.squareRoot()), epsilon)
            norms[i] = norm
            for d in 0..<dim { normalized[i * dim + d] = row[d] / norm }
        }
    }

    /// Writes `inputGrad` (overwritten) from `normalizedGrad = dL/dx̂`.
    /// Shapes: `normalizedGrad`, `normalized`, `inputGrad` `[rows, dim]`; `norms` `[rows]`.
    static func backward(
        normalizedGrad: UnsafePointer<Float>, normalized: UnsafePointer<Float>, norms: UnsafePointer<Float>,
        rows: Int, dim: Int, inputGrad: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<rows {
            let g = normalizedGrad + i * dim, y = normalized + i * dim, out = inputGrad + i * dim
            let norm = norms[i]
            guard norm > epsilon else {
                for d in 0..<dim { out[d] = g[d] / epsilon }
                continue
            }
            var dot = 0.0
            for d in 0..<dim { dot += Double(y[d]) * Double(g[d]) }
            let projection = Float(dot)
            for d in 0..<dim { out[d] = (g[d] - y[d] * projection) / norm }
        }
    }
}

/// Cosine similarity of two vectors and its gradient, as `torch.nn.functional.cosine_similarity`
/// (norms clamped below at ε = 1e-8): `cos = a·b / (max(‖a‖, ε) · max(‖b‖, ε))`.
enum PairCosine {
    static let epsilon = 1e-8

    /// The cosine and the norms it used (in `Double`: the pair losses sum a few hundred terms).
    static func forward(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, dim: Int) -> (
        cosine: Double, normA: Double, normB: Double
    ) {
        var ab = 0.0, aa = 0.0, bb = 0.0
        for d in 0..<dim {
            let x = Double(a[d]), y = Double(b[d])
            ab += x * y
            aa += x * x
            bb += y * y
        }
        let normA = max(aa.squareRoot(), epsilon), normB = max(bb.squareRoot(), epsilon)
        return (ab / (normA * normB), normA, normB)
    }

    /// Writes `aGrad = g · ∂cos/∂a` and `bGrad = g · ∂cos/∂b` (overwritten):
    /// `∂cos/∂a = b / (‖a‖‖b‖) − cos · a / ‖a‖²` (the clamped norms of `forward`).
    static func backward(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, dim: Int,
        cosine: Double, normA: Double, normB: Double, upstream g: Double,
        aGrad: UnsafeMutablePointer<Float>, bGrad: UnsafeMutablePointer<Float>
    ) {
        let inverse = 1 / (normA * normB)
        let selfA = cosine / (normA * normA), selfB = cosine / (normB * normB)
        for d in 0..<dim {
            let x = Double(a[d]), y = Double(b[d])
            aGrad[d] = Float(g * (y * inverse - selfA * x))
            bGrad[d] = Float(g * (x * inverse - selfB * y))
        }
    }
}
