/// One GPT-2 block, forward and backward, as three separable parts — normalisation, causal
/// attention, MLP — joined by the residual stream (pre-LayerNorm):
///
///     mid = x + dropout_resid(attention(ln_1(x)))
///     out = mid + dropout_resid(mlp(ln_2(mid)))
///
/// `attention` is `c_proj(causalSelfAttention(c_attn(·)))`, `mlp` is
/// `c_proj(gelu(c_fc(·)))`. A Llama-style block swaps the parts (RMSNorm, rotary positions
/// inside attention, SwiGLU) and keeps this skeleton.
extension GPT2Model {
    /// Block `l` from `cache.input` to `output` (the next block's input, or the final stream).
    func blockForward(_ l: Int, batch: PackedBatch, output: MatrixView, dropout: DropoutKey?) {
        let cache = activations!.blocks[l], n = batch.tokenCount
        norm1Forward(l, n: n)
        // The branch output lives in backward scratch: forward and backward never overlap.
        attentionForward(
            l, batch: batch, queries: .all, output: activations!.branchGrad.rows(0, count: n), dropout: dropout)
        blockTailForward(l, rows: batch, residual: cache.input.rows(0, count: n), output: output, dropout: dropout)
    }

    /// `norm1 = ln_1(input)` over the first `n` rows of block `l`.
    func norm1Forward(_ l: Int, n: Int) {
        let cache = activations!.blocks[l], w = weights.blocks[l]
        LayerNorm.forward(
            input: cache.input.rows(0, count: n), weight: w.norm1Weight, bias: w.norm1Bias,
            epsilon: config.layerNormEpsilon, output: cache.norm1.rows(0, count: n), mean: cache.norm1Mean,
            rstd: cache.norm1Rstd, pool: pool)
    }

    /// The rest of the block on the rows of `rows` (the batch, or one row per sequence in the
    /// last-token top block): from the attention branch (`branchGrad`'s rows) and the block's
    /// `residual` input on those rows to `output`.
    func blockTailForward(
        _ l: Int, rows batch: PackedBatch, residual: MatrixView, output: MatrixView, dropout: DropoutKey?
    ) {
        let a = activations!, cache = a.blocks[l], w = weights.blocks[l]
        let n = batch.tokenCount
        let pResidual = dropout == nil ? 0 : residualDropout
        let key = dropout ?? DropoutKey(seed: 0, step: 0)
        let branch = a.branchGrad.rows(0, count: n), mid = cache.midstream.rows(0, count: n)
        Dropout.applyToTokens(
            branch, batch: batch, key: key, site: .attentionOutput(layer: l), probability: pResidual, pool: pool)
        Residual.add(branch, residual, into: mid, pool: pool)

        let norm2 = cache.norm2.rows(0, count: n)
        LayerNorm.forward(
            input: mid, weight: w.norm2Weight, bias: w.norm2Bias, epsilon: config.layerNormEpsilon,
            output: norm2, mean: cache.norm2Mean, rstd: cache.norm2Rstd, pool: pool)
        mlpForward(l, input: norm2, output: branch, n: n)
        Dropout.applyToTokens(
            branch, batch: batch, key: key, site: .feedForwardOutput(layer: l), probability: pResidual, pool: pool)
        Residual.add(branch, mid, into: output, pool: pool)
    }

    /// `output = c_proj(causalSelfAttention(c_attn(norm1)))`: the projections and keys over the
    /// batch's N rows, the queries and `output` over one row per token or per sequence
    /// (`queries`).
    func attentionForward(
        _ l: Int, batch: PackedBatch, queries: SelfAttention.Queries, output: MatrixView, dropout: DropoutKey?
    ) {
        let a = activations!, cache = a.blocks[l], w = weights.blocks[l]
        let n = batch.tokenCount, contextRows = queries.contextRows(in: batch)
        let input = cache.norm1.rows(0, count: n)
        let qkv = cache.qkv.rows(0, count: n), context = cache.context.rows(0, count: contextRows)
        Linear.forward(input: input, weight: w.attentionWeight, bias: w.attentionBias, output: qkv, pool: pool)
        adapterForward(.fusedAttention, l, input: input, output: qkv, n: n)
        withSingleThreadedBLAS {
            SelfAttention.forward(
                qkv: qkv, batch: batch, heads: config.nHead, probabilities: cache.probabilities,
                probabilityOffsets: a.probabilityOffsets, context: context, queries: queries,
                dropout: attentionDropoutSpec(dropout, layer: l), causal: true, scaled: config.scaleAttnWeights,
                scratch: a.attentionScratch, scratchStride: a.maxLength, pool: pool)
        }
        Linear.forward(
            input: context, weight: w.attentionProjectionWeight, bias: w.attentionProjectionBias, output: output,
            pool: pool)
        adapterForward(.attentionProjection, l, input: context, output: output, n: contextRows)
    }

    /// `output = c_proj(gelu(c_fc(input)))` `[N, C]`.
    func mlpForward(_ l: Int, input: MatrixView, output: MatrixView, n: Int) {
        let cache = activations!.blocks[l], w = weights.blocks[l]
        let pre = cache.mlpPre.rows(0, count: n), act = cache.mlpActivation.rows(0, count: n)
        Linear.forward(input: input, weight: w.mlpInputWeight, bias: nil, output: pre, pool: pool)
        adapterForward(.mlpInput, l, input: input, output: pre, n: n)
        BiasGELU.forward(preActivation: pre, bias: w.mlpInputBias, output: act, form: activation, pool: pool)
        Linear.forward(
            input: act, weight: w.mlpProjectionWeight, bias: w.mlpProjectionBias, output: output, pool: pool)
        adapterForward(.mlpProjection, l, input: act, output: output, n: n)
    }

    // MARK: Backward

    /// Backward through block `l`: `streamGrad` holds ∂loss/∂output on entry and ∂loss/∂input
    /// on exit (when `needsInputGrad`). Parameter gradients accumulate when `trains`.
    func blockBackward(
        _ l: Int, batch: PackedBatch, dropout: DropoutKey?, trains: Bool, adaptersTrain: Bool,
        needsInputGrad: Bool, observer: GradientObserver?
    ) {
        let a = activations!, n = batch.tokenCount
        blockTailBackward(
            l, rows: batch, dropout: dropout, trains: trains, adaptersTrain: adaptersTrain, observer: observer)
        attentionBranchBackward(
            l, batch: batch, queries: .all, dropout: dropout, needsInputGrad: needsInputGrad, trains: trains,
            adaptersTrain: adaptersTrain, observer: observer)
        let stream = a.streamGrad.rows(0, count: n)
        if needsInputGrad { Residual.add(stream, a.normGrad.rows(0, count: n), into: stream, pool: pool) }
    }

    /// Backward of `blockTailForward` on the rows of `rows`: `streamGrad` holds ∂loss/∂output on
    /// entry and ∂loss/∂mid on exit, `branchGrad` ∂loss/∂(attention branch).
    func blockTailBackward(
        _ l: Int, rows batch: PackedBatch, dropout: DropoutKey?, trains: Bool, adaptersTrain: Bool,
        observer: GradientObserver?
    ) {
        let a = activations!, cache = a.blocks[l], w = weights.blocks[l], g = gradientViews.blocks[l]
        let n = batch.tokenCount
        let pResidual = dropout == nil ? 0 : residualDropout
        let key = dropout ?? DropoutKey(seed: 0, step: 0)
        let stream = a.streamGrad.rows(0, count: n), branch = a.branchGrad.rows(0, count: n)
        let normGrad = a.normGrad.rows(0, count: n)

        // MLP branch: ∂/∂mid = stream (residual) + ln_2ᵀ(mlpᵀ(dropout(stream))).
        branch.data.update(from: stream.data, count: n * stream.cols)
        Dropout.applyToTokens(
            branch, batch: batch, key: key, site: .feedForwardOutput(layer: l), probability: pResidual, pool: pool)
        mlpBackward(l, outputGrad: branch, inputGrad: normGrad, trains: trains, adaptersTrain: adaptersTrain, n: n)
        observer?.poll()
        LayerNorm.backward(
            outputGrad: normGrad, input: cache.midstream.rows(0, count: n), weight: w.norm2Weight,
            mean: cache.norm2Mean, rstd: cache.norm2Rstd, inputGrad: normGrad,
            weightGrad: trains ? g.norm2Weight : nil, biasGrad: trains ? g.norm2Bias : nil, pool: pool)
        Residual.add(stream, normGrad, into: stream, pool: pool)
        branch.data.update(from: stream.data, count: n * stream.cols)
        Dropout.applyToTokens(
            branch, batch: batch, key: key, site: .attentionOutput(layer: l), probability: pResidual, pool: pool)
    }

    /// From ∂loss/∂(attention branch) in `branchGrad` (one row per token or per sequence,
    /// `queries`) to ∂loss/∂input through ln_1 in `normGrad`'s N rows (overwritten; when
    /// `needsInputGrad`). ln_1's own gradients need it even where the input's is not wanted.
    func attentionBranchBackward(
        _ l: Int, batch: PackedBatch, queries: SelfAttention.Queries, dropout: DropoutKey?, needsInputGrad: Bool,
        trains: Bool, adaptersTrain: Bool, observer: GradientObserver?
    ) {
        let a = activations!, cache = a.blocks[l], w = weights.blocks[l], g = gradientViews.blocks[l]
        let n = batch.tokenCount, contextRows = queries.contextRows(in: batch)
        let needsNormGrad = needsInputGrad || trains
        let normGrad = a.normGrad.rows(0, count: n)
        attentionBackward(
            l, batch: batch, queries: queries, outputGrad: a.branchGrad.rows(0, count: contextRows),
            inputGrad: needsNormGrad ? normGrad : nil, dropout: dropout, trains: trains, adaptersTrain: adaptersTrain)
        observer?.poll()
        guard needsNormGrad else { return }
        LayerNorm.backward(
            outputGrad: normGrad, input: cache.input.rows(0, count: n), weight: w.norm1Weight,
            mean: cache.norm1Mean, rstd: cache.norm1Rstd, inputGrad: normGrad,
            weightGrad: trains ? g.norm1Weight : nil, biasGrad: trains ? g.norm1Bias : nil, pool: pool)
    }

    /// Gradients of `attentionForward`: `inputGrad` (overwritten) is ∂loss/∂norm1.
    func attentionBackward(
        _ l: Int, batch: PackedBatch, queries: SelfAttention.Queries, outputGrad: MatrixView, inputGrad: MatrixView?,
        dropout: DropoutKey?, trains: Bool, adaptersTrain: Bool
    ) {
        let a = activations!, cache = a.blocks[l], w = weights.blocks[l], g = gradientViews.blocks[l]
        let n = batch.tokenCount, contextRows = queries.contextRows(in: batch)
        let context = cache.context.rows(0, count: contextRows), contextGrad = a.contextGrad.rows(0, count: contextRows)
        let qkvGrad = a.qkvGrad.rows(0, count: n), input = cache.norm1.rows(0, count: n)
        Linear.backward(
            outputGrad: outputGrad, input: context, weight: w.attentionProjectionWeight, inputGrad: contextGrad,
            weightGrad: trains ? g.attentionProjectionWeight : nil, biasGrad: trains ? g.attentionProjectionBias : nil,
            pool: pool)
        adapterBackward(
            .attentionProjection, l, outputGrad: outputGrad, input: context, inputGrad: contextGrad,
            trains: adaptersTrain, n: contextRows)
        withSingleThreadedBLAS {
            SelfAttention.backward(
                contextGrad: contextGrad, qkv: cache.qkv.rows(0, count: n), batch: batch, heads: config.nHead,
                probabilities: cache.probabilities, probabilityOffsets: a.probabilityOffsets, qkvGrad: qkvGrad,
                queries: queries, dropout: attentionDropoutSpec(dropout, layer: l), scaled: config.scaleAttnWeights,
                scratch: a.attentionScratch, scratchStride: a.maxLength, pool: pool)
        }
        Linear.backward(
            outputGrad: qkvGrad, input: input, weight: w.attentionWeight, inputGrad: inputGrad,
            weightGrad: trains ? g.attentionWeight : nil, biasGrad: trains ? g.attentionBias : nil, pool: pool)
        adapterBackward(
            .fusedAttention, l, outputGrad: qkvGrad, input: input, inputGrad: inputGrad, trains: adaptersTrain, n: n)
    }

    /// Gradients of `mlpForward`: `inputGrad` (overwritten) is ∂loss/∂(its input).
    func mlpBackward(
        _ l: Int, outputGrad: MatrixView, inputGrad: MatrixView, trains: Bool, adaptersTrain: Bool, n: Int
    ) {
        let a = activations!, cache = a.blocks[l], w = weights.blocks[l], g = gradientViews.blocks[l]
        let act = cache.mlpActivation.rows(0, count: n), input = cache.norm2.rows(0, count: n)
        let mlpGrad = a.mlpGrad.rows(0, count: n)
        Linear.backward(
            outputGrad: outputGrad, input: act, weight: w.mlpProjectionWeight, inputGrad: mlpGrad,
            weightGrad: trains ? g.mlpProjectionWeight : nil, biasGrad: trains ? g.mlpProjectionBias : nil,
            pool: pool)
        adapterBackward(
            .mlpProjection, l, outputGrad: outputGrad, input: act, inputGrad: mlpGrad, trains: adaptersTrain, n: n)
        BiasGELU.backward(
            outputGrad: mlpGrad, preActivation: cache.mlpPre.rows(0, count: n), output: act, preActivationGrad: mlpGrad,
            biasGrad: trains ? g.mlpInputBias : nil, form: activation, pool: pool)
        Linear.backward(
            outputGrad: mlpGrad, input: input, weight: w.mlpInputWeight, inputGrad: inputGrad,
            weightGrad: trains ? g.mlpInputWeight : nil, biasGrad: nil, pool: pool)
        adapterBackward(
            .mlpInput, l, outputGrad: mlpGrad, input: input, inputGrad: inputGrad, trains: adaptersTrain, n: n)
    }
}
