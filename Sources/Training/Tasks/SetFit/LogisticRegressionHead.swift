#if canImport(Glibc)
    import Glibc
#endif

/// SetFit's classifier head: multinomial logistic regression on sentence embeddings,
/// `p(k | x) = softmax(coef · x + intercept)ₖ`.
///
/// Shapes: `coef` `[classes, dim]` row-major, `intercept` `[classes]`, `labels` `[classes]`
/// (the class names, in class-index order). A two-class model fitted as scikit-learn fits it —
/// one weight vector `w`, `p(1 | x) = σ(w·x + b)` — is held in the same form as
/// `coef = [−w/2, w/2]`, `intercept = [−b/2, b/2]`, whose softmax is exactly that sigmoid.
public struct LogisticRegressionHead: Equatable, Sendable {
    public var labels: [String]
    public var dim: Int
    public var coef: [Float]
    public var intercept: [Float]

    public var classes: Int { labels.count }

    /// - Throws: `SetFitError` when the shapes disagree or there are fewer than two classes.
    public init(labels: [String], dim: Int, coef: [Float], intercept: [Float]) throws(SetFitError) {
        guard labels.count >= 2 else { throw SetFitError("a classifier head needs two or more labels, not \(labels)") }
        guard dim > 0, coef.count == labels.count * dim, intercept.count == labels.count else {
            throw SetFitError(
                "head shapes disagree: coef has \(coef.count) values, intercept \(intercept.count), for "
                    + "\(labels.count) labels × dim \(dim)")
        }
        self.labels = labels
        self.dim = dim
        self.coef = coef
        self.intercept = intercept
    }

    /// `coef · x + intercept` for each row. Shapes: `embeddings` `[rows, dim]` → `[rows, classes]`.
    /// - Throws: `SetFitError` when `embeddings` is not `rows × dim`.
    public func logits(_ embeddings: [Float], rows: Int) throws(SetFitError) -> [Float] {
        guard rows >= 0, embeddings.count == rows * dim else {
            throw SetFitError("head input: \(embeddings.count) values are not \(rows) rows × dim \(dim)")
        }
        var out = [Float](repeating: 0, count: rows * classes)
        for i in 0..<rows {
            for k in 0..<classes {
                var sum = Double(intercept[k])
                for d in 0..<dim { sum += Double(coef[k * dim + d]) * Double(embeddings[i * dim + d]) }
                out[i * classes + k] = Float(sum)
            }
        }
        return out
    }

    /// The class probabilities of each row (softmax of `logits`), `[rows, classes]`.
    public func probabilities(_ embeddings: [Float], rows: Int) throws(SetFitError) -> [Float] {
        var out = try logits(embeddings, rows: rows)
        for i in 0..<rows {
            let row = i * classes
            let top = out[row..<(row + classes)].max()!
            var total = 0.0
            for k in 0..<classes { total += exp(Double(out[row + k] - top)) }
            for k in 0..<classes { out[row + k] = Float(exp(Double(out[row + k] - top)) / total) }
        }
        return out
    }

    /// The class index of each row: the largest logit, the lower index on a tie (as
    /// scikit-learn's `argmax`).
    public func predict(_ embeddings: [Float], rows: Int) throws(SetFitError) -> [Int] {
        let z = try logits(embeddings, rows: rows)
        return (0..<rows).map { i in
            var best = 0
            for k in 1..<classes where z[i * classes + k] > z[i * classes + best] { best = k }
            return best
        }
    }
}
