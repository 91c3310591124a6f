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

        for l in 0..<config.numHiddenLayers {
            let output = l + 1 < config.numHiddenLayers ? a.layers[l + 1].input : a.hidden
            layerForward(l, batch: batch, output: output.rows(0, count: n), dropout: dropout)
        }

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
                Pooler.forward(
                    hidden: hidden, batch: batch, weight: w.poolerWeight!, bias: w.poolerBias!,
                    cls: a.cls.rows(0, count: b), pooled: pooled, pool: pool)
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

    /// One encoder layer: attention block, then feed-forward block (post-LayerNorm, as BERT).
    private func layerForward(_ l: Int, batch: PackedBatch, output: MatrixView, dropout: DropoutKey?) {
        let a = activations!, cache = a.layers[l], w = weights.layers[l]
        let n = batch.tokenCount
        let pHidden = dropout == nil ? 0 : hiddenDropout
        let key = dropout ?? DropoutKey(seed: 0, step: 0)
        let input = cache.input.rows(0, count: n)
        let qkv = cache.qkv.rows(0, count: n)
        let context = cache.context.rows(0, count: n)
        let scratch = a.scratchGrad.rows(0, count: n)

        Linear.forward(input: input, weight: w.qkvWeight, bias: w.qkvBias, output: qkv, pool: pool)
        let c = config.hiddenSize
        adapterForward(.query, l, input: input, output: qkv.columns(0, count: c), n: n)
        adapterForward(.key, l, input: input, output: qkv.columns(c, count: c), n: n)
        adapterForward(.value, l, input: input, output: qkv.columns(2 * c, count: c), n: n)
        withSingleThreadedBLAS {
            SelfAttention.forward(
                qkv: qkv, batch: batch, heads: config.numAttentionHeads,
                probabilities: cache.probabilities, probabilityOffsets: a.probabilityOffsets, context: context,
                dropout: attentionDropoutSpec(dropout, layer: l),
                scratch: a.attentionScratch, scratchStride: a.maxLength, pool: pool)
        }
        Linear.forward(
            input: context, weight: w.attentionOutputWeight, bias: w.attentionOutputBias, output: scratch, pool: pool)
        adapterForward(.attentionOutput, l, input: context, output: scratch, n: n)
        let attentionOutput = cache.attentionOutput.rows(0, count: n)
        ResidualLayerNorm.forward(
            branch: scratch, residual: input,
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
                Pooler.backward(
                    pooledGrad: pooledGrad, pooled: a.pooled.rows(0, count: b), cls: a.cls.rows(0, count: b),
                    batch: batch, weight: w.poolerWeight!,
                    weightGrad: trainable.pooler ? g.poolerWeight : nil,
                    biasGrad: trainable.pooler ? g.poolerBias : nil,
                    clsGrad: a.clsGrad.rows(0, count: b), hiddenGrad: encoderNeedsGrad ? hiddenGrad : nil,
                    pool: pool)
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
            layerBackward(
                l, batch: batch, dropout: dropout, trains: trainable.layers[l],
                adaptersTrain: trainable.adapters, needsInputGrad: l > bottom || trainable.embeddings,
                observer: observer)
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

    /// Backward through layer `l`: `hiddenGrad` holds ∂loss/∂output on entry and
    /// ∂loss/∂input on exit (when `needsInputGrad`).
    private func layerBackward(
        _ l: Int, batch: PackedBatch, dropout: DropoutKey?, trains: Bool, adaptersTrain: Bool,
        needsInputGrad: Bool, observer: GradientObserver?
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
        let qkvGrad = a.qkvGrad.rows(0, count: n)
        withSingleThreadedBLAS {
            SelfAttention.backward(
                contextGrad: contextGrad, qkv: cache.qkv.rows(0, count: n), batch: batch,
                heads: config.numAttentionHeads, probabilities: cache.probabilities,
                probabilityOffsets: a.probabilityOffsets, qkvGrad: qkvGrad,
                dropout: attentionDropoutSpec(dropout, layer: l),
                scratch: a.attentionScratch, scratchStride: a.maxLength, pool: pool)
        }
        observer?.poll()
        // ∂/∂input = residual path (grad) + through the QKV projection (and its adapters).
        let input = cache.input.rows(0, count: n), c = config.hiddenSize
        for (target, column) in [(LoRATarget.query, 0), (.key, c), (.value, 2 * c)] {
            adapterBackward(
                target, l, outputGrad: qkvGrad.columns(column, count: c), input: input,
                inputGrad: needsInputGrad ? grad : nil, trains: adaptersTrain, n: n)
        }
        Linear.backward(
            outputGrad: qkvGrad, input: input, weight: w.qkvWeight,
            inputGrad: needsInputGrad ? grad : nil, accumulateInput: true,
            weightGrad: ifTrains(g.qkvWeight), biasGrad: ifTrains(g.qkvBias), pool: pool)
    }
}
