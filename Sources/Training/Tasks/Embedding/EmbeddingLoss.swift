/// A loss on sentence embeddings (`--loss` of the embedding task), with its gradient with
/// respect to the embeddings; the model's backward pass takes it from there. One type per
/// loss, each checked against sentence-transformers' class of the same name
/// (tools/make_embedding_loss_fixtures.py).
///
/// Contract of `lossAndGradient`:
/// - `embeddings` is `[columns, rows, dim]` (`EmbeddingColumns`) with `columns` in
///   `acceptedColumns`; `scores` is `[rows]` when `needsScores` (a similarity or a 0/1 label
///   per example), else ignored.
/// - Only the examples in `scored` contribute loss terms: a rank scores its own examples of a
///   gathered global batch (`CrossRankEmbeddingLoss`); a single process passes `0..<rows`.
///   The other rows are still read (as in-batch negatives, or for batch statistics).
/// - Returns the sum of the loss terms of `scored`; writes `gradient` (`[columns, rows, dim]`,
///   every element overwritten) `= gradScale · ∂(that sum)/∂embeddings`, which can be non-zero
///   in rows outside `scored` (a negative's gradient from another rank's anchor).
/// - `reduction` says how sentence-transformers reduces the terms: with `.mean`, gradScale is
///   1 / (examples in the global batch); with `.sum`, 1.
/// Malformed input (a column count the loss cannot read, a missing or invalid score) throws.
public protocol EmbeddingLoss: Sendable {
    /// The `--loss` value.
    var name: String { get }
    /// How many texts per example it reads (anchor + positive + negatives: `2...`).
    var acceptedColumns: ClosedRange<Int> { get }
    /// Whether every example carries a score or label (`sentence1`, `sentence2`, `score`).
    var needsScores: Bool { get }
    /// How the terms of the examples are reduced to the loss.
    var reduction: EmbeddingLossReduction { get }
    /// Whether an example's term depends on the other examples of the batch (in-batch
    /// negatives, hard-pair mining): then ranks must gather the whole global batch.
    var readsWholeBatch: Bool { get }

    func lossAndGradient(
        _ embeddings: EmbeddingColumns, scores: UnsafePointer<Float>?, scored: Range<Int>, gradScale: Float,
        gradient: EmbeddingColumns
    ) throws -> Double
}

/// How a loss reduces its per-example terms (as its sentence-transformers class does).
public enum EmbeddingLossReduction: Sendable {
    /// The mean over the examples of the global batch.
    case mean
    /// The sum (online contrastive: the sum over the mined pairs).
    case sum

    /// The gradient scale for a global batch of `examples` examples.
    public func gradScale(examples: Int) -> Float {
        switch self {
        case .mean: examples > 0 ? 1 / Float(examples) : 0
        case .sum: 1
        }
    }
}

/// A loss called with input it cannot read.
public struct EmbeddingLossError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension EmbeddingLoss {
    /// Throws unless `embeddings`, `gradient`, `scores` and `scored` fit this loss.
    func checkInput(
        _ embeddings: EmbeddingColumns, scores: UnsafePointer<Float>?, scored: Range<Int>, gradient: EmbeddingColumns
    ) throws {
        guard acceptedColumns.contains(embeddings.columns) else {
            let accepted =
                acceptedColumns.upperBound == .max
                ? "at least \(acceptedColumns.lowerBound)"
                : acceptedColumns.count == 1
                    ? "\(acceptedColumns.lowerBound)" : "\(acceptedColumns.lowerBound)–\(acceptedColumns.upperBound)"
            throw EmbeddingLossError(
                "\(name) loss: \(embeddings.columns) text column(s) per example, expected \(accepted)")
        }
        guard
            gradient.columns == embeddings.columns && gradient.rows == embeddings.rows
                && gradient.dim == embeddings.dim
        else {
            throw EmbeddingLossError(
                "\(name) loss: gradient \(gradient.shapeDescription) for embeddings \(embeddings.shapeDescription)")
        }
        guard scored.lowerBound >= 0 && scored.upperBound <= embeddings.rows else {
            throw EmbeddingLossError("\(name) loss: scored rows \(scored) outside 0..<\(embeddings.rows)")
        }
        if needsScores {
            guard let scores else { throw EmbeddingLossError("\(name) loss needs a score or label per example") }
            for i in 0..<embeddings.rows where !scores[i].isFinite {
                throw EmbeddingLossError("\(name) loss: example \(i) has score \(scores[i])")
            }
        }
    }
}

extension EmbeddingLoss {
    /// The frame of a loss that scores each pair (u_i, v_i) of a two-column batch by its
    /// cosine and its label alone: checks the input, zeroes `gradient`, sums `term(cos_i, y_i)`
    /// over `scored`, and back-propagates each term's derivative with respect to the cosine,
    /// times `gradScale`, into both rows.
    func pairCosineLoss(
        _ embeddings: EmbeddingColumns, scores: UnsafePointer<Float>?, scored: Range<Int>, gradScale: Float,
        gradient: EmbeddingColumns, term: (_ cosine: Double, _ label: Double) -> (value: Double, derivative: Double)
    ) throws -> Double {
        try checkInput(embeddings, scores: scores, scored: scored, gradient: gradient)
        gradient.values.update(repeating: 0, count: gradient.count)
        var total = 0.0
        for i in scored {
            let u = embeddings.row(0, i), v = embeddings.row(1, i)
            let (cosine, normU, normV) = PairCosine.forward(u, v, dim: embeddings.dim)
            let (value, derivative) = term(cosine, Double(scores![i]))
            total += value
            PairCosine.backward(
                u, v, dim: embeddings.dim, cosine: cosine, normA: normU, normB: normV,
                upstream: derivative * Double(gradScale), aGrad: gradient.row(0, i), bGrad: gradient.row(1, i))
        }
        return total
    }
}
