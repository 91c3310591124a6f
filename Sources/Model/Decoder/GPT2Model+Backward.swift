/// The backward pass of the head, `ln_f` and the embeddings; the blocks' are in
/// `GPT2Block.swift`.
extension GPT2Model {
    /// Back-propagates `activations.logitsGrad` (set by a loss) through the head and the
    /// decoder, adding parameter gradients into `gradients` (`+=`; zero them between
    /// optimizer steps). Frozen groups get no gradient work; the pass stops below the lowest
    /// group that trains. `observer` hears each group as soon as its gradients are final.
    ///
    /// A tied language-model head adds its `wte` gradient (`dLogitsᵀ·hidden`) first; the
    /// embedding lookup adds its rows last, so `wte`'s gradient is the sum of both uses and
    /// final when the embeddings group is reported.
    public func backward(
        _ batch: PackedBatch, dropout: DropoutKey?, trainable: TrainableGroups, observer: GradientObserver? = nil
    ) {
        guard let a = activations else { preconditionFailure("GPT2Model.backward before forward") }
        let n = batch.tokenCount
        let bottom = trainable.lowestLayerInBackward(hasAdapters: layout.lora != nil)
        let bodyNeedsGrad = bottom < config.nLayer || trainable.embeddings
        // The last hidden state's rows: the batch's, or its last tokens' (compact).
        let lastOnly = topBlockReadsLastTokensOnly
        let rows = lastOnly ? a.lastTokens : batch, m = rows.tokenCount
        let hiddenGrad = a.normGrad.rows(0, count: m)
        headBackward(rows, hiddenGrad: hiddenGrad, trainable: trainable, dropout: dropout)
        observer?.gradientsReady(.head)
        // ln_f (the pooler group); its input gradient is the stream's.
        if trainable.pooler || bodyNeedsGrad {
            LayerNorm.backward(
                outputGrad: hiddenGrad, input: a.stream.rows(0, count: m), weight: weights.finalNormWeight,
                mean: a.finalMean, rstd: a.finalRstd, inputGrad: a.streamGrad.rows(0, count: m),
                weightGrad: trainable.pooler ? gradientViews.finalNormWeight : nil,
                biasGrad: trainable.pooler ? gradientViews.finalNormBias : nil, pool: pool)
        }
        observer?.gradientsReady(.pooler)
        guard bodyNeedsGrad else { return }

        for l in stride(from: config.nLayer - 1, through: bottom, by: -1) {
            let needsInputGrad = l > bottom || trainable.embeddings
            if lastOnly && l == config.nLayer - 1 {
                lastTokenTopBlockBackward(
                    batch: batch, dropout: dropout, trains: trainable.layers[l], adaptersTrain: trainable.adapters,
                    needsInputGrad: needsInputGrad, observer: observer)
            } else {
                blockBackward(
                    l, batch: batch, dropout: dropout, trains: trainable.layers[l], adaptersTrain: trainable.adapters,
                    needsInputGrad: needsInputGrad, observer: observer)
            }
            observer?.gradientsReady(.layer(l))
            observer?.poll()
        }
        guard trainable.embeddings else { return }
        let stream = a.streamGrad.rows(0, count: n)
        Dropout.applyToTokens(
            stream, batch: batch, key: dropout ?? DropoutKey(seed: 0, step: 0), site: .embeddings,
            probability: dropout == nil ? 0 : embeddingDropout, pool: pool)
        Embeddings.backward(
            outputGrad: stream, batch: batch, wordGrad: gradientViews.tokenEmbeddings,
            positionGrad: gradientViews.positionEmbeddings, tokenTypeGrad: nil)
        observer?.gradientsReady(.embeddings)
    }

    /// From the logits' gradient to `hiddenGrad` = ∂loss/∂(last hidden state) `[N, C]`
    /// (overwritten), adding the head's parameter gradients when it trains.
    private func headBackward(
        _ batch: PackedBatch, hiddenGrad: MatrixView, trainable: TrainableGroups, dropout: DropoutKey?
    ) {
        let a = activations!, w = weights, g = gradientViews
        let n = batch.tokenCount, b = batch.sequenceCount, c = config.nEmbd
        switch layout.head {
        case .none, .embedding:
            preconditionFailure("GPT2Model.backward: the bare decoder has no loss")
        case .languageModel:
            // Tied: the weight is wte, which trains with the embeddings group.
            let trains = config.tieWordEmbeddings ? trainable.embeddings : trainable.head
            Linear.backward(
                outputGrad: MatrixView(a.logitsGrad, rows: n, cols: config.vocabSize),
                input: a.hidden.rows(0, count: n),
                weight: w.languageModelWeight!, inputGrad: hiddenGrad,
                weightGrad: trains ? g.languageModelWeight : nil, biasGrad: nil, pool: pool)
        case .sequence(let k):
            let lastGrad = a.lastHiddenGrad.rows(0, count: b)
            Linear.backward(
                outputGrad: MatrixView(a.logitsGrad, rows: b, cols: k), input: a.lastHidden.rows(0, count: b),
                weight: w.classifierWeight!, inputGrad: lastGrad,
                weightGrad: trainable.head ? g.classifierWeight : nil, biasGrad: nil, pool: pool)
            // Only each sequence's last row was scored.
            hiddenGrad.data.update(repeating: 0, count: n * c)
            for s in 0..<b {
                hiddenGrad.row(batch.offset(s) + batch.length(s) - 1).update(from: lastGrad.row(s), count: c)
            }
        case .token(let k):
            Linear.backward(
                outputGrad: MatrixView(a.logitsGrad, rows: n, cols: k), input: a.hiddenDropped.rows(0, count: n),
                weight: w.classifierWeight!, inputGrad: hiddenGrad,
                weightGrad: trainable.head ? g.classifierWeight : nil,
                biasGrad: trainable.head ? g.classifierBias : nil, pool: pool)
            Dropout.applyToTokens(
                hiddenGrad, batch: batch, key: dropout ?? DropoutKey(seed: 0, step: 0), site: .classifier,
                probability: dropout == nil ? 0 : classifierDropout, pool: pool)
        }
    }
}
