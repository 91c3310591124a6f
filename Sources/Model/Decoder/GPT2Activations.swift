/// What the forward pass of one GPT-2 block keeps for its backward pass. Shapes use N
/// (tokens in the batch), C, F (`innerSize`), NH as in `GPT2Config`.
public struct GPT2BlockCache: @unchecked Sendable {
    /// The block's input `[N, C]`: the residual stream (embeddings, or the block below).
    public var input: MatrixView
    /// `ln_1(input)` `[N, C]` and its statistics `[N]`.
    public var norm1: MatrixView
    public var norm1Mean: UnsafeMutablePointer<Float>
    public var norm1Rstd: UnsafeMutablePointer<Float>
    /// `c_attn` output `[N, 3C]`: row r is q | k | v.
    public var qkv: MatrixView
    /// Causal attention probabilities before dropout, as `SelfAttention` lays them out.
    public var probabilities: UnsafeMutablePointer<Float>
    /// Attention context (heads concatenated) `[N, C]`.
    public var context: MatrixView
    /// `input + dropout(c_proj(context))` `[N, C]`: the stream between the two branches.
    public var midstream: MatrixView
    /// `ln_2(midstream)` `[N, C]` and its statistics.
    public var norm2: MatrixView
    public var norm2Mean: UnsafeMutablePointer<Float>
    public var norm2Rstd: UnsafeMutablePointer<Float>
    /// `c_fc` output with its bias `[N, F]` and its GELU `[N, F]`.
    public var mlpPre: MatrixView
    public var mlpActivation: MatrixView
    /// LoRA: `u = x·Aᵀ` `[N, r]` per target (indexed as `LayerAdapters`), nil without one.
    public var adapterInputs: [MatrixView?] = []
}

/// Every activation and gradient buffer of a GPT-2 forward/backward pass, carved once out of
/// one slab sized for the largest batch, so a training step allocates nothing. The
/// language-model head's logits `[N, V]` and their gradient are the largest part (V = 50257
/// for GPT-2: 2 × 200 kB per token).
public final class GPT2Activations: @unchecked Sendable {
    public let maxSequences: Int
    public let maxTokens: Int
    public let maxLength: Int
    let slab: FloatSlab

    public let blocks: [GPT2BlockCache]
    /// The residual stream after the last block `[N, C]`, `ln_f`'s input; after a last-token
    /// top block, its first B rows (and `hidden`'s) are each sequence's last row.
    public let stream: MatrixView
    /// `ln_f(stream)` `[N, C]` (the last hidden state) and its statistics.
    public let hidden: MatrixView
    public let finalMean: UnsafeMutablePointer<Float>
    public let finalRstd: UnsafeMutablePointer<Float>
    /// Sequence head: each sequence's last hidden row `[B, C]`; token head: the hidden state
    /// after dropout `[N, C]`.
    public let lastHidden: MatrixView
    public let hiddenDropped: MatrixView
    /// The last-token top block (`GPT2Model.topBlockReadsLastTokensOnly`): the batch of each
    /// sequence's last row alone, and those rows of the top block's input `[B, C]`.
    public let lastTokens: PackedBatch
    public let lastTokenInput: MatrixView
    /// The head's output and its gradient: `[N, V]`, `[N, K]` or `[B, K]`.
    public let logits: UnsafeMutablePointer<Float>
    public let logitsGrad: UnsafeMutablePointer<Float>

    /// Backward scratch: the stream's gradient, a branch's gradient and a norm's `[N, C]`;
    /// `[N, C]`, `[N, 3C]`, `[N, F]` for the attention and MLP inner gradients; `[B, C]`.
    public let streamGrad: MatrixView
    public let branchGrad: MatrixView
    public let normGrad: MatrixView
    public let contextGrad: MatrixView
    public let qkvGrad: MatrixView
    public let mlpGrad: MatrixView
    public let lastHiddenGrad: MatrixView
    /// LoRA backward scratch `[N, r]`.
    public let adapterGrad: MatrixView
    /// Attention scratch: two `[maxLength, maxLength]` blocks per thread.
    public let attentionScratch: UnsafeMutablePointer<Float>
    /// Per-sequence offsets of the attention-probability blocks; `[maxSequences + 1]`.
    public let probabilityOffsets: UnsafeMutablePointer<Int>

    public init(layout: GPT2Layout, maxSequences: Int, maxTokens: Int, maxLength: Int, threads: Int) {
        let config = layout.config
        let c = config.nEmbd, f = config.innerSize, nh = config.nHead
        let n = maxTokens, b = maxSequences
        let logitCount: Int
        switch layout.head {
        case .none, .embedding: logitCount = 1
        case .languageModel: logitCount = n * config.vocabSize
        case .sequence(let k): logitCount = b * k
        case .token(let k): logitCount = n * k
        }
        // Σ_b n_b² ≤ (max n_b) · Σ_b n_b.
        let probabilityCount = nh * min(maxLength * n, n * n)
        self.maxSequences = b
        self.maxTokens = n
        self.maxLength = maxLength
        let rank = layout.lora?.rank ?? 0
        let targets = layout.lora?.targets ?? []
        let perBlock = 5 * n * c + 4 * n + 3 * n * c + probabilityCount + 2 * n * f + targets.count * n * rank
        let sizes = [
            config.nLayer * perBlock, 2 * n * c + 2 * n, 2 * b * c + n * c, 2 * logitCount,
            4 * n * c + n * 3 * c + n * f + b * c, n * rank, 2 * threads * maxLength * maxLength,
        ]
        slab = FloatSlab(count: sizes.reduce(0, +))

        var cursor = slab.base
        func take(_ count: Int) -> UnsafeMutablePointer<Float> {
            defer { cursor += count }
            return cursor
        }
        func matrix(_ rows: Int, _ cols: Int) -> MatrixView { MatrixView(take(rows * cols), rows: rows, cols: cols) }
        blocks = (0..<config.nLayer).map { _ in
            var cache = GPT2BlockCache(
                input: matrix(n, c), norm1: matrix(n, c), norm1Mean: take(n), norm1Rstd: take(n),
                qkv: matrix(n, 3 * c), probabilities: take(probabilityCount), context: matrix(n, c),
                midstream: matrix(n, c), norm2: matrix(n, c), norm2Mean: take(n), norm2Rstd: take(n),
                mlpPre: matrix(n, f), mlpActivation: matrix(n, f))
            cache.adapterInputs = LoRATarget.allCases.map { targets.contains($0) ? matrix(n, rank) : nil }
            return cache
        }
        stream = matrix(n, c)
        hidden = matrix(n, c)
        finalMean = take(n)
        finalRstd = take(n)
        lastHidden = matrix(b, c)
        hiddenDropped = matrix(n, c)
        lastTokens = PackedBatch(sequenceCapacity: b, tokenCapacity: b)
        lastTokenInput = matrix(b, c)
        logits = take(logitCount)
        logitsGrad = take(logitCount)
        streamGrad = matrix(n, c)
        branchGrad = matrix(n, c)
        normGrad = matrix(n, c)
        contextGrad = matrix(n, c)
        qkvGrad = matrix(n, 3 * c)
        mlpGrad = matrix(n, f)
        lastHiddenGrad = matrix(b, c)
        adapterGrad = matrix(n, rank)
        attentionScratch = take(2 * threads * maxLength * maxLength)
        precondition(cursor == slab.base + slab.count, "GPT2Activations: carved \(cursor - slab.base) of \(slab.count)")
        probabilityOffsets = .allocate(capacity: b + 1)
    }

    deinit { probabilityOffsets.deallocate() }

    /// Bytes held by the activation slab.
    public var byteCount: Int { slab.count * MemoryLayout<Float>.stride }

    /// Checks the batch fits and lays out the attention-probability blocks for it.
    public func prepare(for batch: PackedBatch, heads: Int) {
        precondition(
            batch.sequenceCount <= maxSequences && batch.tokenCount <= maxTokens && batch.maxLength <= maxLength,
            "GPT2Activations: batch of \(batch.sequenceCount) sequences, \(batch.tokenCount) tokens, longest "
                + "\(batch.maxLength) exceeds capacity \(maxSequences)/\(maxTokens)/\(maxLength)"
        )
        SelfAttention.layOutProbabilities(of: batch, heads: heads, offsets: probabilityOffsets)
    }
}
