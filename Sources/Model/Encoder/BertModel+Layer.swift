/// One encoder layer's passes in three parts: the fused QKV projection and the attention,
/// over every row of the batch, and the tail (attention output projection, its residual
/// LayerNorm, the feed-forward block, its residual LayerNorm) over the rows of `rows` — the
/// batch itself, or its first tokens in the first-token top layer (`BertModel+FirstTokenLayer`).
extension BertModel {
    /// One encoder layer: attention block, then feed-forward block (post-LayerNorm, as BERT).
    func layerForward(_ l: Int, batch: PackedBatch, output: MatrixView, dropout: DropoutKey?) {
        let n = batch.tokenCount
        qkvForward(l, n: n)
        attentionForward(l, batch: batch, queries: .all, dropout: dropout)
        tailForward(
            l, rows: batch, residual: activations!.layers[l].input.rows(0, count: n), output: output, dropout: dropout)
    }

    /// Attention from `cache.qkv` to `cache.context` (one row per token, or per sequence for
    /// `.firstOnly`).
    func attentionForward(_ l: Int, batch: PackedBatch, queries: SelfAttention.Queries, dropout: DropoutKey?) {
        let a = activations!, cache = a.layers[l]
        let contextRows = queries.contextRows(in: batch)
        withSingleThreadedBLAS {
            SelfAttention.forward(
                qkv: cache.qkv.rows(0, count: batch.tokenCount), batch: batch, heads: config.numAttentionHeads,
                probabilities: cache.probabilities, probabilityOffsets: a.probabilityOffsets,
                context: cache.context.rows(0, count: contextRows), queries: queries,
                dropout: attentionDropoutSpec(dropout, layer: l),
                scratch: a.attentionScratch, scratchStride: a.maxLength, pool: pool)
        }
    }

    /// `qkv = input·Wᵀ + b` (with its adapters) over the first `n` rows of layer `l`'s input.
    func qkvForward(_ l: Int, n: Int) {
        let cache = activations!.layers[l], w = weights.layers[l], c = config.hiddenSize
        let input = cache.input.rows(0, count: n), qkv = cache.qkv.rows(0, count: n)
        Linear.forward(input: input, weight: w.qkvWeight, bias: w.qkvBias, output: qkv, pool: pool)
        adapterForward(.query, l, input: input, output: qkv.columns(0, count: c), n: n)
        adapterForward(.key, l, input: input, output: qkv.columns(c, count: c), n: n)
        adapterForward(.value, l, input: input, output: qkv.columns(2 * c, count: c), n: n)
    }

    /// From the context (`cache.context`, one row per row of `rows`) and the layer's
    /// `residual` input on those rows to `output`.
    func tailForward(_ l: Int, rows batch: PackedBatch, residual: MatrixView, output: MatrixView, dropout: DropoutKey?)
    {
        let a = activations!, cache = a.layers[l], w = weights.layers[l]
        let n = batch.tokenCount
        let pHidden = dropout == nil ? 0 : hiddenDropout
        let key = dropout ?? DropoutKey(seed: 0, step: 0)
        let context = cache.context.rows(0, count: n)
        let scratch = a.scratchGrad.rows(0, count: n)
        Linear.forward(
            input: context, weight: w.attentionOutputWeight, bias: w.attentionOutputBias, output: scratch, pool: pool)
        adapterForward(.attentionOutput, l, input: context, output: scratch, n: n)
        let attentionOutput = cache.attentionOutput.rows(0, count: n)
        ResidualLayerNorm.forward(
            branch: scratch, residual: residual,
            dropout: .init(batch: batch, key: key, site: .attentionOutput(layer: l), probability: pHidden),
            sum: cache.attentionResidual.rows(0, count: n), weight: w.attentionNormWeight,
            bias: w.attentionNormBias, epsilon: config.layerNormEps, output: attentionOutput,
            mean: cache.attentionMean, rstd: cache.attentionRstd, pool: pool)

        let pre = cache.intermediatePre.rows(0, count: n), act = cache.intermediate.rows(0, count: n)
        Linear.forward(input: attentionOutput, weight: w.intermediateWeight, bias: nil, output: pre, pool: pool)
        adapterForward(.intermediate, l, input: attentionOutput, output: pre, n: n)
        BiasGELU.forward(preActivation: pre, bias: w.intermediateBias, output: act, pool: pool)
        Linear.forward(input: act, weight: w.outputWeight, bias: w.outputBias, output: scratch, pool: pool)
        adapterForward(.output, l, input: act, output: scratch, n: n)
        ResidualLayerNorm.forward(
            branch: scratch, residual: attentionOutput,
            dropout: .init(batch: batch, key: key, site: .feedForwardOutput(layer: l), probability: pHidden),
            sum: cache.outputResidual.rows(0, count: n), weight: w.outputNormWeight, bias: w.outputNormBias,
            epsilon: config.layerNormEps, output: output, mean: cache.outputMean, rstd: cache.outputRstd, pool: pool)
    }

    /// Backward through layer `l`: `hiddenGrad` holds ∂loss/∂output on entry and
    /// ∂loss/∂input on exit (when `needsInputGrad`).
    func layerBackward(
        _ l: Int, batch: PackedBatch, dropout: DropoutKey?, trains: Bool, adaptersTrain: Bool,
        needsInputGrad: Bool, observer: GradientObserver?
    ) {
        tailBackward(l, rows: batch, dropout: dropout, trains: trains, adaptersTrain: adaptersTrain, observer: observer)
        attentionBackward(l, batch: batch, queries: .all, dropout: dropout)
        observer?.poll()
        qkvBackward(
            l, n: batch.tokenCount, needsInputGrad: needsInputGrad, trains: trains, adaptersTrain: adaptersTrain)
    }

    /// Backward of `attentionForward`: from `contextGrad` to `qkvGrad` (overwritten).
    func attentionBackward(_ l: Int, batch: PackedBatch, queries: SelfAttention.Queries, dropout: DropoutKey?) {
        let a = activations!, cache = a.layers[l], n = batch.tokenCount
        let contextRows = queries.contextRows(in: batch)
        withSingleThreadedBLAS {
            SelfAttention.backward(
                contextGrad: a.contextGrad.rows(0, count: contextRows), qkv: cache.qkv.rows(0, count: n),
                batch: batch, heads: config.numAttentionHeads, probabilities: cache.probabilities,
                probabilityOffsets: a.probabilityOffsets, qkvGrad: a.qkvGrad.rows(0, count: n), queries: queries,
                dropout: attentionDropoutSpec(dropout, layer: l),
                scratch: a.attentionScratch, scratchStride: a.maxLength, pool: pool)
        }
    }

    /// Backward of `tailForward`: the rows of `rows` in `hiddenGrad` hold ∂loss/∂output on entry
    /// and ∂loss/∂attentionResidual on exit (the residual path's share of ∂loss/∂input);
    /// `contextGrad` gets ∂loss/∂context on those rows.
    func tailBackward(
        _ l: Int, rows batch: PackedBatch, dropout: DropoutKey?, trains: Bool, adaptersTrain: Bool,
        observer: GradientObserver?
    ) {
        let a = activations!, cache = a.layers[l], w = weights.layers[l], g = gradientViews.layers[l]
        let n = batch.tokenCount
        let pHidden = dropout == nil ? 0 : hiddenDropout
        let key = dropout ?? DropoutKey(seed: 0, step: 0)
        let grad = a.hiddenGrad.rows(0, count: n)
        let scratch = a.scratchGrad.rows(0, count: n)
        func ifTrains(_ p: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float>? { trains ? p : nil }

        // Feed-forward block. grad: ∂/∂(LayerNorm output) → ∂/∂outputResidual (in place).
        let attentionOutput = cache.attentionOutput.rows(0, count: n)
        ResidualLayerNorm.backward(
            grad: grad, sum: cache.outputResidual.rows(0, count: n), weight: w.outputNormWeight,
            mean: cache.outputMean, rstd: cache.outputRstd,
            weightGrad: ifTrains(g.outputNormWeight), biasGrad: ifTrains(g.outputNormBias), branchGrad: scratch,
            dropout: .init(batch: batch, key: key, site: .feedForwardOutput(layer: l), probability: pHidden),
            pool: pool)
        let intermediateGrad = a.intermediateGrad.rows(0, count: n)
        Linear.backward(
            outputGrad: scratch, input: cache.intermediate.rows(0, count: n), weight: w.outputWeight,
            inputGrad: intermediateGrad, weightGrad: ifTrains(g.outputWeight), biasGrad: ifTrains(g.outputBias),
            pool: pool)
        adapterBackward(
            .output, l, outputGrad: scratch, input: cache.intermediate.rows(0, count: n),
            inputGrad: intermediateGrad, trains: adaptersTrain, n: n)
        observer?.poll()
        BiasGELU.backward(
            outputGrad: intermediateGrad, preActivation: cache.intermediatePre.rows(0, count: n),
            output: cache.intermediate.rows(0, count: n), preActivationGrad: intermediateGrad,
            biasGrad: ifTrains(g.intermediateBias), pool: pool)
        // ∂/∂attentionOutput = residual path (grad) + through the intermediate dense layer.
        Linear.backward(
            outputGrad: intermediateGrad, input: attentionOutput, weight: w.intermediateWeight,
            inputGrad: grad, accumulateInput: true,
            weightGrad: ifTrains(g.intermediateWeight), biasGrad: nil, pool: pool)
        adapterBackward(
            .intermediate, l, outputGrad: intermediateGrad, input: attentionOutput, inputGrad: grad,
            trains: adaptersTrain, n: n)
        observer?.poll()

        // Attention block. grad: ∂/∂attentionOutput → ∂/∂attentionResidual (in place).
        ResidualLayerNorm.backward(
            grad: grad, sum: cache.attentionResidual.rows(0, count: n), weight: w.attentionNormWeight,
            mean: cache.attentionMean, rstd: cache.attentionRstd,
            weightGrad: ifTrains(g.attentionNormWeight), biasGrad: ifTrains(g.attentionNormBias),
            branchGrad: scratch,
            dropout: .init(batch: batch, key: key, site: .attentionOutput(layer: l), probability: pHidden),
            pool: pool)
        let contextGrad = a.contextGrad.rows(0, count: n)
        Linear.backward(
            outputGrad: scratch, input: cache.context.rows(0, count: n), weight: w.attentionOutputWeight,
            inputGrad: contextGrad, weightGrad: ifTrains(g.attentionOutputWeight),
            biasGrad: ifTrains(g.attentionOutputBias), pool: pool)
        adapterBackward(
            .attentionOutput, l, outputGrad: scratch, input: cache.context.rows(0, count: n),
            inputGrad: contextGrad, trains: adaptersTrain, n: n)
    }

    /// Backward of `qkvForward` from `qkvGrad`: ∂/∂input (the first `n` rows of `hiddenGrad`,
    /// holding the residual path's share) accumulates the projection's, when `needsInputGrad`.
    func qkvBackward(_ l: Int, n: Int, needsInputGrad: Bool, trains: Bool, adaptersTrain: Bool) {
        let a = activations!, cache = a.layers[l], w = weights.layers[l], g = gradientViews.layers[l]
        let input = cache.input.rows(0, count: n), c = config.hiddenSize
        let grad = a.hiddenGrad.rows(0, count: n), qkvGrad = a.qkvGrad.rows(0, count: n)
        for (target, column) in [(LoRATarget.query, 0), (.key, c), (.value, 2 * c)] {
            adapterBackward(
                target, l, outputGrad: qkvGrad.columns(column, count: c), input: input,
                inputGrad: needsInputGrad ? grad : nil, trains: adaptersTrain, n: n)
        }
        Linear.backward(
            outputGrad: qkvGrad, input: input, weight: w.qkvWeight,
            inputGrad: needsInputGrad ? grad : nil, accumulateInput: true,
            weightGrad: trains ? g.qkvWeight : nil, biasGrad: trains ? g.qkvBias : nil, pool: pool)
    }
}
