/// A BERT encoder with its task head: parameters, gradients and activations in slabs, and
/// the forward and backward passes over packed batches.
///
/// One instance per rank. Parameters and gradients share the layout of `layout.table`;
/// activations are sized once by `reserve(...)` for the largest batch.
public final class BertModel: @unchecked Sendable {
    public let layout: BertLayout
    public var config: BertConfig { layout.config }
    public let parameters: FloatSlab
    public let gradients: FloatSlab
    public let weights: BertWeights
    public let gradientViews: BertWeights
    public private(set) var activations: BertActivations?
    public let pool: ThreadPool
    /// `[N, C]` rows used in place of the word-embedding lookup when set (`TrainableModel`).
    public var wordEmbeddingOverride: UnsafePointer<Float>?
    /// Runs the top layer on every row even where the head reads `[CLS]` only (tests and
    /// benchmarks compare the two; `topLayerReadsFirstTokensOnly`).
    public var computesFullTopLayer = false

    public init(layout: BertLayout, pool: ThreadPool = .serial) {
        precondition(
            layout.config.hiddenAct == "gelu", "BertModel: hidden_act \(layout.config.hiddenAct) (only exact gelu)")
        self.layout = layout
        self.pool = pool
        parameters = FloatSlab(count: layout.table.count)
        gradients = FloatSlab(count: layout.table.count)
        weights = layout.weights(at: parameters.base)
        gradientViews = layout.weights(at: gradients.base)
    }

    /// Allocates the activations for batches of up to `maxSequences` sequences, `maxTokens`
    /// tokens in all, none longer than `maxLength`. Call once before the first step.
    public func reserve(maxSequences: Int, maxTokens: Int, maxLength: Int) {
        precondition(
            maxLength <= config.maxPositionEmbeddings,
            "BertModel: max length \(maxLength) beyond max_position_embeddings \(config.maxPositionEmbeddings)")
        if let a = activations, a.maxSequences >= maxSequences, a.maxTokens >= maxTokens, a.maxLength >= maxLength {
            return
        }
        activations = BertActivations(
            layout: layout, maxSequences: maxSequences, maxTokens: maxTokens,
            maxLength: maxLength, threads: pool.threads)
    }

    /// Dropout probabilities used in training, from the config (the classifier's defaults to
    /// the hidden one, as transformers).
    public var hiddenDropout: Float { config.hiddenDropoutProb }
    public var attentionDropout: Float { config.attentionProbsDropoutProb }
    public var classifierDropout: Float { config.classifierDropout ?? config.hiddenDropoutProb }

    // MARK: Forward

    /// Runs the encoder and the head on `batch`; the logits are in `activations.logits`
    /// (`[B, K]` for a sequence head, `[N, K]` for a token head). `dropout` is `nil` in
    /// evaluation.
    public func forward(_ batch: PackedBatch, dropout: DropoutKey?) {
        guard let a = activations else { preconditionFailure("BertModel.forward before reserve(...)") }
        a.prepare(for: batch, heads: config.numAttentionHeads)
        let n = batch.tokenCount, b = batch.sequenceCount
        let w = weights
        let pHidden = dropout == nil ? 0 : hiddenDropout
        let key = dropout ?? DropoutKey(seed: 0, step: 0)

        let embeddingSum = a.embeddingSum.rows(0, count: n)
        Embeddings.forward(
            batch: batch, word: w.wordEmbeddings, position: w.positionEmbeddings,
            tokenType: w.tokenTypeEmbeddings, output: embeddingSum, pool: pool, wordRows: wordEmbeddingOverride)
        let firstInput = a.layers.first.map { $0.input } ?? a.hidden
        LayerNorm.forward(
            input: embeddingSum, weight: w.embeddingNormWeight, bias: w.embeddingNormBias,
            epsilon: config.layerNormEps, output: firstInput.rows(0, count: n),
            mean: a.embeddingMean, rstd: a.embeddingRstd, pool: pool)
        Dropout.applyToTokens(
            firstInput.rows(0, count: n), batch: batch, key: key, site: .embeddings,
            probability: pHidden, pool: pool)

        let firstTokensOnly = topLayerReadsFirstTokensOnly
        for l in 0..<(config.numHiddenLayers - (firstTokensOnly ? 1 : 0)) {
            let output = l + 1 < config.numHiddenLayers ? a.layers[l + 1].input : a.hidden
            layerForward(l, batch: batch, output: output.rows(0, count: n), dropout: dropout)
        }
        if firstTokensOnly { firstTokenTopLayerForward(batch: batch, dropout: dropout) }

        let hidden = a.hidden.rows(0, count: n)
        switch layout.head {
        case .languageModel:
            preconditionFailure("BertModel: no language-model head (BertFamily.check refuses it)")
        case .embedding(let pooling):
            embeddingForward(pooling, hidden: hidden, batch: batch)
        case .none:
            if layout.head.hasPooler {
                Pooler.forward(
                    hidden: hidden, batch: batch, weight: w.poolerWeight!, bias: w.poolerBias!,
                    cls: a.cls.rows(0, count: b), pooled: a.pooled.rows(0, count: b), pool: pool)
            }
        case .sequence(let k):
            let pooled = a.pooled.rows(0, count: b), dropped = a.pooledDropped.rows(0, count: b)
            if config.classifierPooling == .mean {
                Pooling.forward(hidden: hidden, batch: batch, modes: [.mean], output: pooled, argmax: a.poolingArgmax)
            } else {
                // The last hidden state's rows: the batch's, or its first tokens' (compact).
                let rows = firstTokensOnly ? a.firstTokens : batch
                Pooler.forward(
                    hidden: a.hidden.rows(0, count: rows.tokenCount), batch: rows, weight: w.poolerWeight!,
                    bias: w.poolerBias!, cls: a.cls.rows(0, count: b), pooled: pooled, pool: pool)
            }
            dropped.data.update(from: pooled.data, count: b * config.hiddenSize)
            Dropout.applyToSequences(
                dropped, batch: batch, key: key, site: .classifier,
                probability: dropout == nil ? 0 : classifierDropout)
            Linear.forward(
                input: dropped, weight: w.classifierWeight!, bias: w.classifierBias!,
                output: MatrixView(a.logits, rows: b, cols: k), pool: pool)
        case .token(let k):
            let dropped = a.hiddenDropped.rows(0, count: n)
            dropped.data.update(from: hidden.data, count: n * config.hiddenSize)
            Dropout.applyToTokens(
                dropped, batch: batch, key: key, site: .classifier,
                probability: dropout == nil ? 0 : classifierDropout, pool: pool)
            Linear.forward(
                input: dropped, weight: w.classifierWeight!, bias: w.classifierBias!,
                output: MatrixView(a.logits, rows: n, cols: k), pool: pool)
        }
    }

    // MARK: Backward

    /// Back-propagates `activations.logitsGrad` (set by a loss) through the head and the
    /// encoder, adding parameter gradients into `gradients` (`+=`; zero them between
    /// optimizer steps). Frozen groups get no gradient work; the pass stops below the lowest
    /// group that trains. `observer` hears each group as soon as its gradients are final.
    public func backward(
        _ batch: PackedBatch, dropout: DropoutKey?, trainable: TrainableGroups, observer: GradientObserver? = nil
    ) {
        guard let a = activations else { preconditionFailure("BertModel.backward before forward") }
        let n = batch.tokenCount, b = batch.sequenceCount
        let w = weights, g = gradientViews
        let key = dropout ?? DropoutKey(seed: 0, step: 0)
        let bottom = trainable.lowestLayerInBackward(hasAdapters: layout.lora != nil)
        let encoderNeedsGrad = bottom < config.numHiddenLayers
        let hiddenGrad = a.hiddenGrad.rows(0, count: n)
        let firstTokensOnly = topLayerReadsFirstTokensOnly

        switch layout.head {
        case .none, .languageModel:
            preconditionFailure("BertModel.backward: the bare encoder has no loss")
        case .embedding(let pooling):
            observer?.gradientsReady(.head)
            guard encoderNeedsGrad else { return }
            embeddingBackward(pooling, batch: batch, hiddenGrad: hiddenGrad)
        case .sequence(let k):
            let logitsGrad = MatrixView(a.logitsGrad, rows: b, cols: k)
            let pooledGrad = a.pooledGrad.rows(0, count: b)
            let needsPooledGrad = trainable.pooler || encoderNeedsGrad
            Linear.backward(
                outputGrad: logitsGrad, input: a.pooledDropped.rows(0, count: b), weight: w.classifierWeight!,
                inputGrad: needsPooledGrad ? pooledGrad : nil,
                weightGrad: trainable.head ? g.classifierWeight : nil,
                biasGrad: trainable.head ? g.classifierBias : nil, pool: pool)
            observer?.gradientsReady(.head)
            guard needsPooledGrad else { return }
            Dropout.applyToSequences(
                pooledGrad, batch: batch, key: key, site: .classifier,
                probability: dropout == nil ? 0 : classifierDropout)
            if config.classifierPooling == .mean {
                meanPoolBackward(pooledGrad, batch: batch, hiddenGrad: encoderNeedsGrad ? hiddenGrad : nil)
            } else {
                let rows = firstTokensOnly ? a.firstTokens : batch
                Pooler.backward(
                    pooledGrad: pooledGrad, pooled: a.pooled.rows(0, count: b), cls: a.cls.rows(0, count: b),
                    batch: rows, weight: w.poolerWeight!,
                    weightGrad: trainable.pooler ? g.poolerWeight : nil,
                    biasGrad: trainable.pooler ? g.poolerBias : nil, clsGrad: a.clsGrad.rows(0, count: b),
                    hiddenGrad: encoderNeedsGrad ? a.hiddenGrad.rows(0, count: rows.tokenCount) : nil, pool: pool)
            }
            observer?.gradientsReady(.pooler)
        case .token(let k):
            let logitsGrad = MatrixView(a.logitsGrad, rows: n, cols: k)
            Linear.backward(
                outputGrad: logitsGrad, input: a.hiddenDropped.rows(0, count: n), weight: w.classifierWeight!,
                inputGrad: encoderNeedsGrad ? hiddenGrad : nil,
                weightGrad: trainable.head ? g.classifierWeight : nil,
                biasGrad: trainable.head ? g.classifierBias : nil, pool: pool)
            observer?.gradientsReady(.head)
            guard encoderNeedsGrad else { return }
            Dropout.applyToTokens(
                hiddenGrad, batch: batch, key: key, site: .classifier,
                probability: dropout == nil ? 0 : classifierDropout, pool: pool)
        }
        guard encoderNeedsGrad else { return }

        // hiddenGrad now holds ∂loss/∂(last hidden state); walk the layers down to the
        // lowest one that trains (or all of them when the embeddings train).
        for l in stride(from: config.numHiddenLayers - 1, through: bottom, by: -1) {
            let needsInputGrad = l > bottom || trainable.embeddings
            if firstTokensOnly && l == config.numHiddenLayers - 1 {
                firstTokenTopLayerBackward(
                    batch: batch, dropout: dropout, trains: trainable.layers[l], adaptersTrain: trainable.adapters,
                    needsInputGrad: needsInputGrad, observer: observer)
            } else {
                layerBackward(
                    l, batch: batch, dropout: dropout, trains: trainable.layers[l],
                    adaptersTrain: trainable.adapters, needsInputGrad: needsInputGrad, observer: observer)
            }
            observer?.gradientsReady(.layer(l))
            observer?.poll()
        }
        guard trainable.embeddings else { return }
        let firstInputGrad = hiddenGrad
        Dropout.applyToTokens(
            firstInputGrad, batch: batch, key: key, site: .embeddings,
            probability: dropout == nil ? 0 : hiddenDropout, pool: pool)
        let embeddingSum = a.embeddingSum.rows(0, count: n)
        LayerNorm.backward(
            outputGrad: firstInputGrad, input: embeddingSum, weight: w.embeddingNormWeight,
            mean: a.embeddingMean, rstd: a.embeddingRstd, inputGrad: firstInputGrad,
            weightGrad: g.embeddingNormWeight, biasGrad: g.embeddingNormBias, pool: pool)
        Embeddings.backward(
            outputGrad: firstInputGrad, batch: batch, wordGrad: g.wordEmbeddings,
            positionGrad: g.positionEmbeddings, tokenTypeGrad: g.tokenTypeEmbeddings)
        observer?.gradientsReady(.embeddings)
    }
}
