/// The cosine similarity of each row of one embedding matrix with the same row of another, as
/// sentence-transformers' `pairwise_cos_sim` (each row normalised with ε = 1e-12, then the dot
/// product): the score the similarity and pair-classification evaluators rank and threshold.
enum PairCosines {
    /// `cos(first[i], second[i])` for each row; accumulated in `Double`, returned as `Float`
    /// like the reference's float32 scores. Shapes: `first`, `second` `[rows, dim]`.
    static func scores(_ first: [Float], _ second: [Float], rows: Int, dim: Int) -> [Float] {
        precondition(first.count == rows * dim && second.count == rows * dim, "PairCosines: shapes checked by callers")
        var out = [Float](repeating: 0, count: rows)
        first.withUnsafeBufferPointer { a in
            second.withUnsafeBufferPointer { b in
                for i in 0..<rows {
                    var ab = 0.0, aa = 0.0, bb = 0.0
                    for d in 0..<dim {
                        let x = Double(a[i * dim + d]), y = Double(b[i * dim + d])
                        ab += x * y
                        aa += x * x
                        bb += y * y
                    }
                    let na = max(aa.squareRoot(), Double(RowNormalization.epsilon))
                    let nb = max(bb.squareRoot(), Double(RowNormalization.epsilon))
                    out[i] = Float(ab / (na * nb))
                }
            }
        }
        return out
    }
}
