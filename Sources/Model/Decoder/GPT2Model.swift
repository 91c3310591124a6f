/// A GPT-2 decoder with its head: parameters, gradients and activations in slabs, and the
/// forward and backward passes over packed batches (each sequence attends causally to its
/// own earlier tokens; positions restart at 0 for every sequence).
///
///     x₀ = dropout_embd(wte[ids] + wpe[positions])
///     block l: x ← x + dropout_resid(attention(ln_1(x)));  x ← x + dropout_resid(mlp(ln_2(x)))
///     hidden = ln_f(x) → head (`TaskHead`)
///
/// One instance per rank. Parameters and gradients share the layout of `layout.table`;
/// activations are sized once by `reserve(...)` for the largest batch.
public final class GPT2Model: @unchecked Sendable {
    public let layout: GPT2Layout
    public var config: GPT2Config { layout.config }
    public let parameters: FloatSlab
    public let gradients: FloatSlab
    public let weights: GPT2Weights
    public let gradientViews: GPT2Weights
    public private(set) var activations: GPT2Activations?
    public let pool: ThreadPool
    /// `[N, C]` rows used in place of the word-embedding lookup when set (`TrainableModel`).
    public var wordEmbeddingOverride: UnsafePointer<Float>?
    /// Runs the top block on every row even where a sequence head reads the last rows only
    /// (tests and benchmarks compare the two; `topBlockReadsLastTokensOnly`).
    public var computesFullTopBlock = false
    /// The MLP's GELU, from `activation_function` (checked when the config was read).
    let activation: GELUForm

    public init(layout: GPT2Layout, pool: ThreadPool = .serial) {
        guard let activation = layout.config.activation else {
            preconditionFailure("GPT2Model: activation_function \(layout.config.activationFunction)")
        }
        self.layout = layout
        self.pool = pool
        self.activation = activation
        parameters = FloatSlab(count: layout.table.count)
        gradients = FloatSlab(count: layout.table.count)
        weights = layout.weights(at: parameters.base)
        gradientViews = layout.weights(at: gradients.base)
    }

    /// Allocates the activations for batches of up to `maxSequences` sequences, `maxTokens`
    /// tokens in all, none longer than `maxLength`. Call once before the first step.
    public func reserve(maxSequences: Int, maxTokens: Int, maxLength: Int) {
        precondition(
            maxLength <= config.nPositions, "GPT2Model: max length \(maxLength) beyond n_positions \(config.nPositions)"
        )
        if let a = activations, a.maxSequences >= maxSequences, a.maxTokens >= maxTokens, a.maxLength >= maxLength {
            return
        }
        activations = GPT2Activations(
            layout: layout, maxSequences: maxSequences, maxTokens: maxTokens, maxLength: maxLength,
            threads: pool.threads)
    }

    /// Dropout probabilities in training: `resid_pdrop`, `embd_pdrop`, `attn_pdrop`, and
    /// before a token classifier `classifier_dropout` (0.1 when unset, as transformers).
    var residualDropout: Float { config.residPdrop }
    var embeddingDropout: Float { config.embdPdrop }
    var attentionDropout: Float { config.attnPdrop }
    var classifierDropout: Float { config.classifierDropout ?? 0.1 }

    // MARK: Forward

    /// Runs the decoder and the head on `batch`; the logits are in `activations.logits`
    /// (`[N, V]` language model, `[B, K]` sequence head, `[N, K]` token head). `dropout` is
    /// `nil` in evaluation.
    public func forward(_ batch: PackedBatch, dropout: DropoutKey?) {
        guard let a = activations else { preconditionFailure("GPT2Model.forward before reserve(...)") }
        a.prepare(for: batch, heads: config.nHead)
        let n = batch.tokenCount
        let key = dropout ?? DropoutKey(seed: 0, step: 0)
        let first = (a.blocks.first?.input ?? a.stream).rows(0, count: n)
        Embeddings.forward(
            batch: batch, word: weights.tokenEmbeddings, position: weights.positionEmbeddings, tokenType: nil,
            output: first, pool: pool, wordRows: wordEmbeddingOverride)
        Dropout.applyToTokens(
            first, batch: batch, key: key, site: .embeddings, probability: dropout == nil ? 0 : embeddingDropout,
            pool: pool)
        let lastOnly = topBlockReadsLastTokensOnly
        for l in 0..<(config.nLayer - (lastOnly ? 1 : 0)) {
            let output = l + 1 < config.nLayer ? a.blocks[l + 1].input : a.stream
            blockForward(l, batch: batch, output: output.rows(0, count: n), dropout: dropout)
        }
        if lastOnly { lastTokenTopBlockForward(batch: batch, dropout: dropout) }
        // The final stream's rows: the batch's, or its last tokens' (compact).
        let rows = lastOnly ? a.lastTokens : batch
        let hidden = a.hidden.rows(0, count: rows.tokenCount)
        LayerNorm.forward(
            input: a.stream.rows(0, count: rows.tokenCount), weight: weights.finalNormWeight,
            bias: weights.finalNormBias, epsilon: config.layerNormEpsilon, output: hidden, mean: a.finalMean,
            rstd: a.finalRstd, pool: pool)
        headForward(rows, hidden: hidden, dropout: dropout)
    }

    /// The head on the last hidden state `[N, C]`.
    private func headForward(_ batch: PackedBatch, hidden: MatrixView, dropout: DropoutKey?) {
        let a = activations!, w = weights
        let n = batch.tokenCount, b = batch.sequenceCount
        switch layout.head {
        case .none, .embedding:
            break
        case .languageModel:
            // logits = hidden · Wᵀ with W = wte (tied) or lm_head: `[N, V]`.
            Linear.forward(
                input: hidden, weight: w.languageModelWeight!, bias: nil,
                output: MatrixView(a.logits, rows: n, cols: config.vocabSize), pool: pool)
        case .sequence(let k):
            // transformers scores every position and keeps the last non-pad one; packed
            // sequences have no padding, so that is each sequence's last row.
            let last = a.lastHidden.rows(0, count: b)
            for s in 0..<b {
                last.row(s).update(from: hidden.row(batch.offset(s) + batch.length(s) - 1), count: hidden.cols)
            }
            Linear.forward(
                input: last, weight: w.classifierWeight!, bias: nil, output: MatrixView(a.logits, rows: b, cols: k),
                pool: pool)
        case .token(let k):
            let dropped = a.hiddenDropped.rows(0, count: n)
            dropped.data.update(from: hidden.data, count: n * hidden.cols)
            Dropout.applyToTokens(
                dropped, batch: batch, key: dropout ?? DropoutKey(seed: 0, step: 0), site: .classifier,
                probability: dropout == nil ? 0 : classifierDropout, pool: pool)
            Linear.forward(
                input: dropped, weight: w.classifierWeight!, bias: w.classifierBias!,
                output: MatrixView(a.logits, rows: n, cols: k), pool: pool)
        }
    }

    /// Attention runs one (sequence, head) pair per pool thread; each pair's small GEMMs
    /// then must not start OpenBLAS threads of their own.
    func withSingleThreadedBLAS(_ body: () -> Void) {
        guard pool.threads > 1 else { return body() }
        BLAS.setThreads(1)
        body()
        BLAS.setThreads(pool.threads)
    }

    func attentionDropoutSpec(_ dropout: DropoutKey?, layer: Int) -> AttentionDropout? {
        guard let dropout, attentionDropout > 0 else { return nil }
        return AttentionDropout(
            key: dropout, probability: attentionDropout, layer: layer, positionStride: config.nPositions)
    }
}
