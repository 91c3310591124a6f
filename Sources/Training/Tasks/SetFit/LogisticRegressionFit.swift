#if canImport(Glibc)
    import Glibc
#endif

/// Fitting `LogisticRegressionHead` as scikit-learn's `LogisticRegression()` with its defaults
/// (the head setfit puts on a SetFit body): L2 penalty with `C = 1`, intercept not penalised;
/// multinomial (softmax) for three or more classes, the binary logistic model for two. The
/// objective, minimised by L-BFGS from zero to `max |∇f| ≤ tolerance`:
///
///     f(W, b) = (1/n) Σᵢ −log p(yᵢ | xᵢ) + ‖W‖² / (2·C·n)
///
/// (scikit-learn's, with its scaling). scikit-learn stops at `tol = 1e-4`; this fit goes to
/// the optimum, which its own fit reaches with a tight `tol` — compare with that.
public struct LogisticRegressionOptions: Equatable, Sendable {
    /// Inverse regularisation strength, as scikit-learn's `C`.
    public var inverseRegularization: Double
    public var maxIterations: Int
    public var tolerance: Double

    public init(inverseRegularization: Double = 1, maxIterations: Int = 2000, tolerance: Double = 1e-9) {
        self.inverseRegularization = inverseRegularization
        self.maxIterations = maxIterations
        self.tolerance = tolerance
    }
}

extension LogisticRegressionHead {
    /// Fits a head to `embeddings` `[rows, dim]` with class indices `targets` `[rows]` into
    /// `labels` (every class must occur, as scikit-learn requires to learn it).
    /// - Throws: `SetFitError` for shapes that disagree, a target outside the labels, a label
    ///   without examples, a non-finite embedding or a non-positive `C`.
    public static func fit(
        embeddings: [Float], rows: Int, dim: Int, targets: [Int], labels: [String],
        options: LogisticRegressionOptions = .init()
    ) throws(SetFitError) -> LogisticRegressionHead {
        let classes = labels.count
        guard classes >= 2 else { throw SetFitError("a classifier head needs two or more labels, not \(labels)") }
        guard rows > 0, dim > 0, embeddings.count == rows * dim, targets.count == rows else {
            throw SetFitError(
                "head fit: \(embeddings.count) values and \(targets.count) targets for \(rows) rows × dim \(dim)")
        }
        if let bad = targets.firstIndex(where: { $0 < 0 || $0 >= classes }) {
            throw SetFitError("head fit: target \(targets[bad]) of row \(bad) is not a class index below \(classes)")
        }
        if let missing = (0..<classes).first(where: { !targets.contains($0) }) {
            throw SetFitError("head fit: no example of label \"\(labels[missing])\"")
        }
        guard embeddings.allSatisfy(\.isFinite) else { throw SetFitError("head fit: an embedding is not finite") }
        guard options.inverseRegularization > 0 else {
            throw SetFitError("head fit: C must be positive, not \(options.inverseRegularization)")
        }
        // Parameters θ = [W (r × dim), b (r)], r = 1 (binary) or classes.
        let r = classes == 2 ? 1 : classes
        let x = embeddings.map(Double.init)
        let n = Double(rows), penalty = 1 / (options.inverseRegularization * n)
        var z = [Double](repeating: 0, count: r)
        let objective = { (theta: [Double], gradient: inout [Double]) -> Double in
            for j in gradient.indices { gradient[j] = 0 }
            var loss = 0.0
            for i in 0..<rows {
                for k in 0..<r {
                    var sum = theta[r * dim + k]
                    for d in 0..<dim { sum += theta[k * dim + d] * x[i * dim + d] }
                    z[k] = sum
                }
                // dz = ∂(−log p(yᵢ | xᵢ))/∂z, written over z.
                if r == 1 {
                    let t = Double(targets[i]), v = z[0]
                    loss += max(v, 0) + log1p(exp(-abs(v))) - t * v  // log(1 + eᵛ) − t·v, stable
                    z[0] = 1 / (1 + exp(-v)) - t
                } else {
                    let top = z.max()!
                    var total = 0.0
                    for k in 0..<r { total += exp(z[k] - top) }
                    loss += top + log(total) - z[targets[i]]
                    for k in 0..<r { z[k] = exp(z[k] - top) / total - (k == targets[i] ? 1 : 0) }
                }
                for k in 0..<r {
                    gradient[r * dim + k] += z[k] / n
                    for d in 0..<dim { gradient[k * dim + d] += z[k] * x[i * dim + d] / n }
                }
            }
            var squared = 0.0
            for j in 0..<(r * dim) {
                squared += theta[j] * theta[j]
                gradient[j] += penalty * theta[j]
            }
            return loss / n + penalty * squared / 2
        }
        let solver = LBFGS(tolerance: options.tolerance, maxIterations: options.maxIterations)
        let theta = solver.minimize(from: [Double](repeating: 0, count: r * (dim + 1)), objective).x
        if r == 1 {
            let w = theta[0..<dim].map { Float($0 / 2) }
            let b = Float(theta[dim] / 2)
            return try LogisticRegressionHead(
                labels: labels, dim: dim, coef: w.map { -$0 } + w, intercept: [-b, b])
        }
        return try LogisticRegressionHead(
            labels: labels, dim: dim, coef: theta[0..<(r * dim)].map { Float($0) },
            intercept: theta[(r * dim)...].map { Float($0) })
    }
}
