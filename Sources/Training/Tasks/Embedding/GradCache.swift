/// Gradient caching for contrastive losses over batches whose activations do not fit in
/// memory (Gao et al. 2021, "Scaling Deep Contrastive Learning Batch Size under Memory
/// Limited Setup"; sentence-transformers' `CachedMultipleNegativesRankingLoss`).
///
/// The loss couples every example of the batch, but its gradient reaches the parameters only
/// through the embeddings. So, with θ the model's parameters and E = f_θ(texts):
///
///     1. embed     each chunk of examples without keeping activations      E [columns, n, dim]
///     2. loss      L(E) and G = ∂L/∂E once, over all embeddings (and across ranks)
///     3. backward  each chunk again: forward with activations, then backward with its rows
///                  of G as the upstream gradient; parameter gradients accumulate:
///                  ∂L/∂θ = Σ_chunks (∂E_chunk/∂θ)ᵀ G_chunk
///
/// which equals the gradient of the plain (uncached) step, at the cost of a second forward
/// pass, with the memory of one chunk's activations plus all embeddings. The re-run must
/// reproduce step 1's embeddings: ddp-train's dropout masks are keyed by (seed, step,
/// example, layer, position), so the same chunk gives the same mask both times.
///
/// Step 3 takes the chunks in reverse order: the last chunk embedded is the model's last
/// forward, so its activations are still in place and `backward` is told it need not re-run
/// it (`rerun` false). With a single chunk the cached step therefore costs what the plain
/// step costs; with k chunks it adds k − 1 forward passes.
///
/// The closures are the model's: `embed` writes the chunk's embeddings `[columns, count, dim]`
/// (examples `range` of this rank's share); `loss` takes all embeddings and writes their
/// gradient, returning the loss (a `CrossRankEmbeddingLoss` call for a global batch);
/// `backward` runs the chunk `range` forward again when `rerun` is true, then back-propagates
/// the given `[columns, count, dim]` gradient. Embedding buffers are kept and reused between
/// steps.
public final class GradCache {
    /// Examples per chunk (each with all its columns).
    public let chunkSize: Int
    private var embeddings: [Float] = []
    private var gradient: [Float] = []
    private var chunk: [Float] = []

    public init(chunkSize: Int) throws {
        guard chunkSize > 0 else { throw EmbeddingLossError("GradCache chunk size \(chunkSize): expected at least 1") }
        self.chunkSize = chunkSize
    }

    /// One cached step over `examples` examples of `columns` texts, `dim`-dimensional
    /// embeddings. Returns what `loss` returned.
    public func step(
        examples: Int, columns: Int, dim: Int,
        embed: (Range<Int>, EmbeddingColumns) throws -> Void,
        loss: (EmbeddingColumns, EmbeddingColumns) throws -> Double,
        backward: (_ range: Range<Int>, _ upstream: EmbeddingColumns, _ rerun: Bool) throws -> Void
    ) throws -> Double {
        // At least one element each, so that the views have memory even for an empty share
        // (a rank with no examples still takes part in the loss's collectives).
        let count = max(1, columns * examples * dim), chunkCount = max(1, columns * min(chunkSize, examples) * dim)
        if embeddings.count < count {
            embeddings = [Float](repeating: 0, count: count)
            gradient = [Float](repeating: 0, count: count)
        }
        if chunk.count < chunkCount { chunk = [Float](repeating: 0, count: chunkCount) }
        let chunkSize = self.chunkSize
        return try embeddings.withUnsafeMutableBufferPointer { e in
            try gradient.withUnsafeMutableBufferPointer { g in
                try chunk.withUnsafeMutableBufferPointer { c in
                    let all = EmbeddingColumns(e.baseAddress!, columns: columns, rows: examples, dim: dim)
                    let allGradient = EmbeddingColumns(g.baseAddress!, columns: columns, rows: examples, dim: dim)
                    let ranges = stride(from: 0, to: examples, by: chunkSize).map { $0..<min(examples, $0 + chunkSize) }
                    for range in ranges {
                        let part = EmbeddingColumns(c.baseAddress!, columns: columns, rows: range.count, dim: dim)
                        try embed(range, part)
                        Self.copy(part, into: all, at: range.lowerBound)
                    }
                    let value = try loss(all, allGradient)
                    for range in ranges.reversed() {
                        let part = EmbeddingColumns(c.baseAddress!, columns: columns, rows: range.count, dim: dim)
                        Self.copy(allGradient, rows: range, into: part)
                        try backward(range, part, range != ranges.last)
                    }
                    return value
                }
            }
        }
    }

    /// Writes `part`'s rows (every column) into rows `first…` of `all`.
    static func copy(_ part: EmbeddingColumns, into all: EmbeddingColumns, at first: Int) {
        for c in 0..<part.columns {
            all.row(c, first).update(from: part.row(c, 0), count: part.rows * part.dim)
        }
    }

    /// Writes rows `range` of `all` (every column) into `part`.
    static func copy(_ all: EmbeddingColumns, rows range: Range<Int>, into part: EmbeddingColumns) {
        for c in 0..<all.columns {
            part.row(c, 0).update(from: all.row(c, range.lowerBound), count: range.count * all.dim)
        }
    }
}
