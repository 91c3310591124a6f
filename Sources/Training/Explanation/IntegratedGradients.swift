import Model

/// Integrated gradients (Sundararajan, Taly & Yan 2017, "Axiomatic Attribution for Deep
/// Networks") on the word embeddings, with the model's own backward pass.
///
///     x_α = x' + α (x − x')            word-embedding rows `[n, C]`; x' the baseline token's row
///     A_i = Σ_c (x − x')_ic · Σ_s w_s ∂f/∂x_ic (x_{α_s})
///
/// over `steps` = m points α_s = s/(m−1), s = 0…m−1, with trapezoid weights w_s = 1/(m−1),
/// halved at both ends. Position and token-type embeddings are those of the example at every
/// point (Captum's `LayerIntegratedGradients` on `word_embeddings`). Completeness: Σ_i A_i ≈
/// f(x) − f(x'), exact as m → ∞.
///
/// Captum's `riemann_trapezoid` puts the same m points at the same α but weighs them
/// 1/m (halved at both ends): its attributions are (m−1)/m of these.
///
/// The points of one example are copies of it packed into one batch (`pointsPerBatch` of
/// them at a time, for long examples), so a forward and a backward pass cover many points.
public final class IntegratedGradients {
    public let model: any TrainableModel
    public let steps: Int
    let pointsPerBatch: Int
    let maxLength: Int
    let batch: PackedBatch
    /// `[pointsPerBatch · maxLength, C]`: the interpolated rows, then their gradient.
    let rows: FloatSlab
    let gradient: FloatSlab

    /// The attribution of one f: one value per token, f at the example and at the baseline.
    public struct Result: Sendable {
        public var attributions: [Float]
        public var score: Float
        public var baselineScore: Float
    }

    /// For examples of up to `maxLength` tokens; `tokenBudget` caps a batch's tokens.
    public init(model: any TrainableModel, steps: Int, maxLength: Int, tokenBudget: Int = 16_384) throws {
        guard steps >= 2 else { throw OptionError("--steps \(steps): integrated gradients needs at least 2 points") }
        self.model = model
        self.steps = steps
        self.maxLength = max(maxLength, 1)
        pointsPerBatch = max(1, min(steps, tokenBudget / self.maxLength))
        let tokens = pointsPerBatch * self.maxLength
        batch = PackedBatch(sequenceCapacity: pointsPerBatch, tokenCapacity: tokens)
        model.reserve(maxSequences: pointsPerBatch, maxTokens: tokens, maxLength: self.maxLength)
        rows = FloatSlab(count: tokens * model.wordEmbeddings.cols)
        gradient = FloatSlab(count: tokens * model.wordEmbeddings.cols)
    }

    /// Trapezoid weight of point s.
    func weight(_ s: Int) -> Float {
        let w = 1 / Float(steps - 1)
        return s == 0 || s == steps - 1 ? w / 2 : w
    }

    /// The logits of the example itself (`[rows × outputs]`, rows as the head has them).
    public func logits(ids: [Int32], typeIds: [Int32]) -> [Float] {
        batch.removeAll()
        batch.append(ids: ids, typeIds: typeIds, sample: 0)
        model.forward(batch, dropout: nil)
        let count = (model.head.isPerToken ? ids.count : 1) * model.logits.outputs
        return Array(UnsafeBufferPointer(start: model.logits.values, count: count))
    }

    /// Attributes `target` to the tokens of `ids`, from the baseline of token `baseline` at
    /// every position.
    public func attribute(ids: [Int32], typeIds: [Int32], baseline: Int32, target: ExplanationTarget) -> Result {
        let n = ids.count, table = model.wordEmbeddings, c = table.cols
        precondition(n <= maxLength, "IntegratedGradients: \(n) tokens, reserved for \(maxLength)")
        let base = table.row(Int(baseline))
        var pathGradient = [Double](repeating: 0, count: n * c)  // Σ_s w_s ∂f/∂x(α_s)
        var result = Result(attributions: [], score: 0, baselineScore: 0)
        var first = 0
        while first < steps {
            let count = min(pointsPerBatch, steps - first)
            batch.removeAll()
            for p in 0..<count {
                batch.append(ids: ids, typeIds: typeIds, sample: UInt64(p))
                let alpha = Float(first + p) / Float(steps - 1)
                for t in 0..<n {
                    let x = table.row(Int(ids[t])), y = rows.base + (p * n + t) * c
                    for j in 0..<c { y[j] = base[j] + alpha * (x[j] - base[j]) }
                }
            }
            model.wordEmbeddingOverride = UnsafePointer(rows.base)
            model.forward(batch, dropout: nil)
            model.wordEmbeddingOverride = nil
            seedGradient(target, points: count, first: first, tokens: n, result: &result)
            model.backwardToWordEmbeddings(batch, inputGradient: MatrixView(gradient.base, rows: count * n, cols: c))
            for p in 0..<count {
                let w = Double(weight(first + p))
                let g = gradient.base + p * n * c
                for i in 0..<(n * c) { pathGradient[i] += w * Double(g[i]) }
            }
            first += count
        }
        result.attributions = (0..<n).map { t in
            let x = table.row(Int(ids[t]))
            var sum = 0.0
            for j in 0..<c { sum += Double(x[j] - base[j]) * pathGradient[t * c + j] }
            return Float(sum)
        }
        return result
    }

    /// Reads f at the batch's points (keeping f(x') and f(x)) and writes ∂f/∂logits: 1 at the
    /// target's terms of every point, 0 elsewhere.
    private func seedGradient(
        _ target: ExplanationTarget, points: Int, first: Int, tokens n: Int, result: inout Result
    ) {
        let logits = model.logits, k = logits.outputs
        let perToken = model.head.isPerToken
        logits.gradient.update(repeating: 0, count: (perToken ? points * n : points) * k)
        for p in 0..<points {
            let start = (perToken ? p * n : p) * k
            let f = target.value(logits.values + start, outputs: k)
            if first + p == 0 { result.baselineScore = f }
            if first + p == steps - 1 { result.score = f }
            for term in target.terms { logits.gradient[start + term.row * k + term.column] += 1 }
        }
    }
}
