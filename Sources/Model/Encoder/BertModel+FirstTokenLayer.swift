/// The top layer on first tokens only. A sequence head on BERT's pooler reads one row of the
/// last hidden state per sequence, its `[CLS]`: of the top layer, every row needs its keys and
/// values (the `[CLS]` query attends to them), but only the `[CLS]` rows need a query, an
/// attention row, the output projection, the feed-forward block and the two LayerNorms — the
/// other rows' results would reach the loss with weight zero. Those rows are never computed
/// (but for their queries, which the fused QKV projection forms alongside the keys): the same
/// logits and gradients as the full layer (up to the order of float sums) without three
/// quarters of the top layer's products and nearly all of its attention (docs/ARCHITECTURE.md,
/// "Work left undone").
///
/// The tail runs on `activations.firstTokens`, a batch of each sequence's first row alone, so
/// that its dropout masks are the full layer's on those rows; its activations are compact
/// `[B, ·]` rows at the start of the layer's buffers, and so is `hidden`.
extension BertModel {
    /// Whether the top layer runs on first tokens only: a sequence head on the pooler
    /// (`classifier_pooling` cls), at least one layer, and `computesFullTopLayer` off.
    public var topLayerReadsFirstTokensOnly: Bool {
        guard case .sequence = layout.head, config.classifierPooling == .cls else { return false }
        return config.numHiddenLayers > 0 && !computesFullTopLayer
    }

    /// The top layer's forward pass; `hidden`'s first B rows are the `[CLS]` rows after it.
    func firstTokenTopLayerForward(batch: PackedBatch, dropout: DropoutKey?) {
        let a = activations!, l = config.numHiddenLayers - 1, cache = a.layers[l]
        let n = batch.tokenCount
        let firstTokens = a.firstTokens
        firstTokens.setOneTokenPerSequence(of: batch, last: false)
        let b = firstTokens.tokenCount
        qkvForward(l, n: n)
        attentionForward(l, batch: batch, queries: .firstOnly, dropout: dropout)
        let residual = a.firstTokenInput.rows(0, count: b)
        firstTokens.gather(cache.input.rows(0, count: n), of: batch, into: residual)
        tailForward(l, rows: firstTokens, residual: residual, output: a.hidden.rows(0, count: b), dropout: dropout)
    }

    /// Backward of `firstTokenTopLayerForward`: `hiddenGrad`'s first B rows hold ∂loss/∂hidden
    /// of the `[CLS]` rows on entry; its first N rows hold ∂loss/∂input on exit (when
    /// `needsInputGrad`).
    func firstTokenTopLayerBackward(
        batch: PackedBatch, dropout: DropoutKey?, trains: Bool, adaptersTrain: Bool, needsInputGrad: Bool,
        observer: GradientObserver?
    ) {
        let a = activations!, l = config.numHiddenLayers - 1
        let n = batch.tokenCount, firstTokens = a.firstTokens
        tailBackward(
            l, rows: firstTokens, dropout: dropout, trains: trains, adaptersTrain: adaptersTrain, observer: observer)
        attentionBackward(l, batch: batch, queries: .firstOnly, dropout: dropout)
        observer?.poll()
        // The residual path reaches the first rows only: spread its compact gradient out.
        if needsInputGrad { firstTokens.spreadInPlace(a.hiddenGrad.rows(0, count: n), of: batch) }
        qkvBackward(l, n: n, needsInputGrad: needsInputGrad, trains: trains, adaptersTrain: adaptersTrain)
    }
}
