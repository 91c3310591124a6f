/// What the forward pass of one encoder layer keeps for its backward pass.
/// Shapes use N (tokens in the batch), C, F, NH as in `BertConfig`.
public struct LayerCache: @unchecked Sendable {
    /// The layer's input `[N, C]` (the previous layer's output, or the embeddings).
    public var input: MatrixView
    /// Fused query/key/value projections `[N, 3C]`: row r is q | k | v.
    public var qkv: MatrixView
    /// Attention probabilities before dropout, per sequence b and head h an `[n_b, n_b]`
    /// block at `probabilityOffset(b) + h·n_b²`.
    public var probabilities: UnsafeMutablePointer<Float>
    /// Attention context (heads concatenated) `[N, C]`.
    public var context: MatrixView
    /// `dropout(context·Woᵀ + bo) + input` `[N, C]`, the attention LayerNorm's input.
    public var attentionResidual: MatrixView
    public var attentionMean: UnsafeMutablePointer<Float>  // [N]
    public var attentionRstd: UnsafeMutablePointer<Float>  // [N]
    /// Attention block output `[N, C]` (LayerNorm applied).
    public var attentionOutput: MatrixView
    /// `attentionOutput·W1ᵀ + b1` `[N, F]` and its GELU `[N, F]`.
    public var intermediatePre: MatrixView
    public var intermediate: MatrixView
    /// `dropout(intermediate·W2ᵀ + b2) + attentionOutput` `[N, C]`.
    public var outputResidual: MatrixView
    public var outputMean: UnsafeMutablePointer<Float>  // [N]
    public var outputRstd: UnsafeMutablePointer<Float>  // [N]
    /// LoRA: `u = x·Aᵀ` `[N, r]` per target (indexed as `LayerAdapters`), nil without one.
    public var adapterInputs: [MatrixView?] = []
}

/// Every activation and gradient buffer of a BERT forward/backward pass, carved once out of
/// one slab sized for the largest batch (`maxSequences` sequences, `maxTokens` tokens, none
/// longer than `maxLength`), so a training step allocates nothing.
public final class BertActivations: @unchecked Sendable {
    public let maxSequences: Int
    public let maxTokens: Int
    public let maxLength: Int
    let slab: FloatSlab

    /// Embedding sum (LayerNorm input) `[N, C]` and its LayerNorm statistics `[N]`.
    public let embeddingSum: MatrixView
    public let embeddingMean: UnsafeMutablePointer<Float>
    public let embeddingRstd: UnsafeMutablePointer<Float>
    public let layers: [LayerCache]
    /// The encoder's output `[N, C]` (last hidden state); after a first-token top layer its
    /// first B rows are the `[CLS]` rows and nothing else is written.
    public let hidden: MatrixView

    /// Sequence-classification head: `[CLS]` rows `[B, C]`, pooler output `[B, C]`, the pooled
    /// output after dropout `[B, C]`.
    public let cls: MatrixView
    public let pooled: MatrixView
    public let pooledDropped: MatrixView
    /// The first-token top layer (`BertModel.topLayerReadsFirstTokensOnly`): the batch of each
    /// sequence's `[CLS]` alone, and those rows of the top layer's input `[B, C]`.
    public let firstTokens: PackedBatch
    public let firstTokenInput: MatrixView
    /// Token-classification head: the hidden state after dropout `[N, C]`.
    public let hiddenDropped: MatrixView
    /// Embedding head: the pooled rows before normalisation `[B, D]`, their gradient `[B, D]`,
    /// each row's norm `[B]`, and the row max pooling took per column `[B, C]` (`Pooling`).
    public let pooledEmbedding: MatrixView
    public let pooledEmbeddingGrad: MatrixView
    public let embeddingNorms: UnsafeMutablePointer<Float>
    public let poolingArgmax: UnsafeMutablePointer<Int32>
    /// Logits `[B, K]` (sequence head) or `[N, K]` (token head), the embeddings `[B, D]` of
    /// an embedding head; their gradient, same shape.
    public let logits: UnsafeMutablePointer<Float>
    public let logitsGrad: UnsafeMutablePointer<Float>

    /// Backward scratch: `[N, C]` ×3, `[N, 3C]`, `[N, F]`, `[B, C]` ×2.
    public let hiddenGrad: MatrixView
    public let scratchGrad: MatrixView
    public let contextGrad: MatrixView
    public let qkvGrad: MatrixView
    public let intermediateGrad: MatrixView
    public let pooledGrad: MatrixView
    public let clsGrad: MatrixView
    /// LoRA backward scratch `[N, r]` (unused without adapters).
    public let adapterGrad: MatrixView
    /// Attention scratch: two `[maxLength, maxLength]` blocks per thread.
    public let attentionScratch: UnsafeMutablePointer<Float>
    public let attentionScratchThreads: Int

    /// Per-sequence offsets of the attention-probability blocks (`NH·n_b²` each), set by
    /// `prepare(for:)`; `[maxSequences + 1]`.
    public let probabilityOffsets: UnsafeMutablePointer<Int>

    public init(layout: BertLayout, maxSequences: Int, maxTokens: Int, maxLength: Int, threads: Int) {
        let config = layout.config
        let c = config.hiddenSize, f = config.intermediateSize, nh = config.numAttentionHeads
        let n = maxTokens, b = maxSequences
        let k = max(layout.headOutputs, 1)
        let d = layout.head.sentencePooling == nil ? 0 : layout.headOutputs
        let logitRows = max(b, n)
        // Σ_b n_b² ≤ (max n_b) · Σ_b n_b.
        let probabilityCount = nh * min(maxLength * n, n * n)
        self.maxSequences = b
        self.maxTokens = n
        self.maxLength = maxLength
        attentionScratchThreads = threads

        let rank = layout.lora?.rank ?? 0
        let adapterTargets = layout.lora?.targets ?? []
        var sizes: [Int] = []
        let perLayer =
            n * c + n * 3 * c + probabilityCount + n * c + n * c + 2 * n + n * c + 2 * n * f + n * c + 2 * n
            + adapterTargets.count * n * rank
        sizes.append(n * c + 2 * n)  // embeddings
        sizes.append(config.numHiddenLayers * perLayer)  // layers
        sizes.append(n * c)  // hidden
        sizes.append(4 * b * c + n * c + 2 * logitRows * k + 2 * b * d + b)  // heads
        sizes.append(3 * n * c + n * 3 * c + n * f + 2 * b * c)  // gradients
        sizes.append(2 * threads * maxLength * maxLength)  // attention scratch
        sizes.append(n * rank)  // adapter gradient scratch
        slab = FloatSlab(count: sizes.reduce(0, +))

        var cursor = slab.base
        func take(_ count: Int) -> UnsafeMutablePointer<Float> {
            defer { cursor += count }
            return cursor
        }
        func matrix(_ rows: Int, _ cols: Int) -> MatrixView { MatrixView(take(rows * cols), rows: rows, cols: cols) }

        embeddingSum = matrix(n, c)
        embeddingMean = take(n)
        embeddingRstd = take(n)
        var layers: [LayerCache] = []
        for _ in 0..<config.numHiddenLayers {
            var cache = LayerCache(
                input: matrix(n, c), qkv: matrix(n, 3 * c), probabilities: take(probabilityCount),
                context: matrix(n, c), attentionResidual: matrix(n, c),
                attentionMean: take(n), attentionRstd: take(n), attentionOutput: matrix(n, c),
                intermediatePre: matrix(n, f), intermediate: matrix(n, f),
                outputResidual: matrix(n, c), outputMean: take(n), outputRstd: take(n))
            cache.adapterInputs = LoRATarget.allCases.map { adapterTargets.contains($0) ? matrix(n, rank) : nil }
            layers.append(cache)
        }
        self.layers = layers
        hidden = matrix(n, c)
        cls = matrix(b, c)
        pooled = matrix(b, c)
        pooledDropped = matrix(b, c)
        firstTokens = PackedBatch(sequenceCapacity: b, tokenCapacity: b)
        firstTokenInput = matrix(b, c)
        hiddenDropped = matrix(n, c)
        pooledEmbedding = matrix(b, d)
        pooledEmbeddingGrad = matrix(b, d)
        embeddingNorms = take(b)
        logits = take(logitRows * k)
        logitsGrad = take(logitRows * k)
        hiddenGrad = matrix(n, c)
        scratchGrad = matrix(n, c)
        contextGrad = matrix(n, c)
        qkvGrad = matrix(n, 3 * c)
        intermediateGrad = matrix(n, f)
        pooledGrad = matrix(b, c)
        clsGrad = matrix(b, c)
        attentionScratch = take(2 * threads * maxLength * maxLength)
        adapterGrad = matrix(n, rank)
        precondition(cursor == slab.base + slab.count, "BertActivations: carved \(cursor - slab.base) of \(slab.count)")
        probabilityOffsets = .allocate(capacity: b + 1)
        poolingArgmax = .allocate(capacity: d == 0 ? 1 : b * c)
    }

    deinit {
        probabilityOffsets.deallocate()
        poolingArgmax.deallocate()
    }

    /// Bytes held by the activation slab.
    public var byteCount: Int { slab.count * MemoryLayout<Float>.stride }

    /// Checks the batch fits and lays out the attention-probability blocks for it.
    public func prepare(for batch: PackedBatch, heads: Int) {
        precondition(
            batch.sequenceCount <= maxSequences && batch.tokenCount <= maxTokens && batch.maxLength <= maxLength,
            "BertActivations: batch of \(batch.sequenceCount) sequences, \(batch.tokenCount) tokens, longest "
                + "\(batch.maxLength) exceeds capacity \(maxSequences)/\(maxTokens)/\(maxLength)"
        )
        SelfAttention.layOutProbabilities(of: batch, heads: heads, offsets: probabilityOffsets)
    }

    /// The `view` with its row count cut to the batch's `rows`.
    public static func active(_ view: MatrixView, rows: Int) -> MatrixView { view.rows(0, count: rows) }
}
