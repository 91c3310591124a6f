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
        let a = activations!, cache = a.blocks[l], w = weights.blocks[l]
        let n = batch.tokenCount
        let pResidual = dropout == nil ? 0 : residualDropout
        let key = dropout ?? DropoutKey(seed: 0, step: 0)
        // The branch output lives in backward scratch: forward and backward never overlap.
        let branch = a.branchGrad.rows(0, count: n)
        let input = cache.input.rows(0, count: n), mid = cache.midstream.rows(0, count: n)

        let norm1 = cache.norm1.rows(0, count: n)
        LayerNorm.forward(
            input: input, weight: w.norm1Weight, bias: w.norm1Bias, epsilon: config.layerNormEpsilon,
            output: norm1, mean: cache.norm1Mean, rstd: cache.norm1Rstd, pool: pool)
        attentionForward(l, batch: batch, input: norm1, output: branch, dropout: dropout)
        Dropout.applyToTokens(
            branch, batch: batch, key: key, site: .attentionOutput(layer: l), probability: pResidual, pool: pool)
        Residual.add(branch, input, into: mid, pool: pool)

        let norm2 = cache.norm2.rows(0, count: n)
        LayerNorm.forward(
            input: mid, weight: w.norm2Weight, bias: w.norm2Bias, epsilon: config.layerNormEpsilon,
            output: norm2, mean: cache.norm2Mean, rstd: cache.norm2Rstd, pool: pool)
        mlpForward(l, input: norm2, output: branch, n: n)
        Dropout.applyToTokens(
            branch, batch: batch, key: key, site: .feedForwardOutput(layer: l), probability: pResidual, pool: pool)
        Residual.add(branch, mid, into: output, pool: pool)
    }

    /// `output = c_proj(causalSelfAttention(c_attn(input)))` `[N, C]`.
    func attentionForward(_ l: Int, batch: PackedBatch, input: MatrixView, output: MatrixView, dropout: DropoutKey?) {
        let a = activations!, cache = a.blocks[l], w = weights.blocks[l]
        let n = batch.tokenCount
        let qkv = cache.qkv.rows(0, count: n), context = cache.context.rows(0, count: n)
        Linear.forward(input: input, weight: w.attentionWeight, bias: w.attentionBias, output: qkv, pool: pool)
        adapterForward(.fusedAttention, l, input: input, output: qkv, n: n)
        withSingleThreadedBLAS {
            SelfAttention.forward(
                qkv: qkv, batch: batch, heads: config.nHead, probabilities: cache.probabilities,
                probabilityOffsets: a.probabilityOffsets, context: context,
                dropout: attentionDropoutSpec(dropout, layer: l), causal: true, scaled: config.scaleAttnWeights,
                scratch: a.attentionScratch, scratchStride: a.maxLength, pool: pool)
        }
        Linear.forward(
            input: context, weight: w.attentionProjectionWeight, bias: w.attentionProjectionBias, output: output,
            pool: pool)
        adapterForward(.attentionProjection, l, input: context, output: output, n: n)
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
        let a = activations!, cache = a.blocks[l], w = weights.blocks[l], g = gradientViews.blocks[l]
        let n = batch.tokenCount
        let pResidual = dropout == nil ? 0 : residualDropout
        let key = dropout ?? DropoutKey(seed: 0, step: 0)
        let stream = a.streamGrad.rows(0, count: n), branch = a.branchGrad.rows(0, count: n)
        let normGrad = a.normGrad.rows(0, count: n)
        func ifTrains(_ p: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float>? { trains ? p : nil }

        // MLP branch: ∂/∂mid = stream (residual) + ln_2ᵀ(mlpᵀ(dropout(stream))).
        branch.data.update(from: stream.data, count: n * stream.cols)
        Dropout.applyToTokens(
            branch, batch: batch, key: key, site: .feedForwardOutput(layer: l), probability: pResidual, pool: pool)
        mlpBackward(l, outputGrad: branch, inputGrad: normGrad, trains: trains, adaptersTrain: adaptersTrain, n: n)
        observer?.poll()
        LayerNorm.backward(
            outputGrad: normGrad, input: cache.midstream.rows(0, count: n), weight: w.norm2Weight,
            mean: cache.norm2Mean, rstd: cache.norm2Rstd, inputGrad: normGrad,
            weightGrad: ifTrains(g.norm2Weight), biasGrad: ifTrains(g.norm2Bias), pool: pool)
        Residual.add(stream, normGrad, into: stream, pool: pool)

        // Attention branch: ∂/∂input = stream + ln_1ᵀ(attentionᵀ(dropout(stream))). ln_1's
        // own gradients need ∂/∂ln_1(input) even where the input's gradient is not wanted.
        let needsNormGrad = needsInputGrad || trains
        branch.data.update(from: stream.data, count: n * stream.cols)
        Dropout.applyToTokens(
            branch, batch: batch, key: key, site: .attentionOutput(layer: l), probability: pResidual, pool: pool)
        attentionBackward(
            l, batch: batch, outputGrad: branch, inputGrad: needsNormGrad ? normGrad : nil, dropout: dropout,
            trains: trains, adaptersTrain: adaptersTrain)
        observer?.poll()
        guard needsNormGrad else { return }
        LayerNorm.backward(
            outputGrad: normGrad, input: cache.input.rows(0, count: n), weight: w.norm1Weight,
            mean: cache.norm1Mean, rstd: cache.norm1Rstd, inputGrad: normGrad,
            weightGrad: ifTrains(g.norm1Weight), biasGrad: ifTrains(g.norm1Bias), pool: pool)
        if needsInputGrad { Residual.add(stream, normGrad, into: stream, pool: pool) }
    }

    /// Gradients of `attentionForward`: `inputGrad` (overwritten) is ∂loss/∂(its input).
    func attentionBackward(
        _ l: Int, batch: PackedBatch, outputGrad: MatrixView, inputGrad: MatrixView?, dropout: DropoutKey?,
        trains: Bool, adaptersTrain: Bool
    ) {
        let a = activations!, cache = a.blocks[l], w = weights.blocks[l], g = gradientViews.blocks[l]
        let n = batch.tokenCount
        let context = cache.context.rows(0, count: n), contextGrad = a.contextGrad.rows(0, count: n)
        let qkvGrad = a.qkvGrad.rows(0, count: n), input = cache.norm1.rows(0, count: n)
        Linear.backward(
            outputGrad: outputGrad, input: context, weight: w.attentionProjectionWeight, inputGrad: contextGrad,
            weightGrad: trains ? g.attentionProjectionWeight : nil, biasGrad: trains ? g.attentionProjectionBias : nil,
            pool: pool)
        adapterBackward(
            .attentionProjection, l, outputGrad: outputGrad, input: context, inputGrad: contextGrad,
            trains: adaptersTrain, n: n)
        withSingleThreadedBLAS {
            SelfAttention.backward(
                contextGrad: contextGrad, qkv: cache.qkv.rows(0, count: n), batch: batch, heads: config.nHead,
                probabilities: cache.probabilities, probabilityOffsets: a.probabilityOffsets, qkvGrad: qkvGrad,
                dropout: attentionDropoutSpec(dropout, layer: l), scaled: config.scaleAttnWeights,
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
