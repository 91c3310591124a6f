/// The top block on last tokens only. A sequence head on a decoder reads one row of the last
/// hidden state per sequence, its last token: of the top block, every row needs ln_1 and its
/// keys and values (the last query attends to all of them), but only the last rows need a
/// query, an attention row, the output projection, the residual, ln_2, the MLP and ln_f — the
/// other rows' results would reach the loss with weight zero. Those rows are never computed
/// (but for their queries, which the fused c_attn forms alongside the keys): the same logits
/// and gradients as the full block, up to the order of float sums (docs/ARCHITECTURE.md,
/// "Work left undone").
///
/// The tail runs on `activations.lastTokens`, a batch of each sequence's last row alone (with
/// its position), so that its dropout masks are the full block's on those rows; its
/// activations, the final stream and `hidden` are compact `[B, ·]` rows at the start of their
/// buffers.
extension GPT2Model {
    /// Whether the top block runs on last tokens only: a sequence head, at least one block,
    /// and `computesFullTopBlock` off.
    public var topBlockReadsLastTokensOnly: Bool {
        guard case .sequence = layout.head else { return false }
        return config.nLayer > 0 && !computesFullTopBlock
    }

    /// The top block's forward pass; `stream`'s first B rows are the last rows after it.
    func lastTokenTopBlockForward(batch: PackedBatch, dropout: DropoutKey?) {
        let a = activations!, l = config.nLayer - 1, cache = a.blocks[l]
        let n = batch.tokenCount
        let lastTokens = a.lastTokens
        lastTokens.setOneTokenPerSequence(of: batch, last: true)
        let b = lastTokens.tokenCount
        norm1Forward(l, n: n)
        attentionForward(l, batch: batch, queries: .lastOnly, output: a.branchGrad.rows(0, count: b), dropout: dropout)
        let residual = a.lastTokenInput.rows(0, count: b)
        lastTokens.gather(cache.input.rows(0, count: n), of: batch, into: residual)
        blockTailForward(l, rows: lastTokens, residual: residual, output: a.stream.rows(0, count: b), dropout: dropout)
    }

    /// Backward of `lastTokenTopBlockForward`: `streamGrad`'s first B rows hold ∂loss/∂output of
    /// the last rows on entry; its first N rows hold ∂loss/∂input on exit (when
    /// `needsInputGrad`).
    func lastTokenTopBlockBackward(
        batch: PackedBatch, dropout: DropoutKey?, trains: Bool, adaptersTrain: Bool, needsInputGrad: Bool,
        observer: GradientObserver?
    ) {
        let a = activations!, l = config.nLayer - 1
        let n = batch.tokenCount, lastTokens = a.lastTokens
        blockTailBackward(
            l, rows: lastTokens, dropout: dropout, trains: trains, adaptersTrain: adaptersTrain, observer: observer)
        attentionBranchBackward(
            l, batch: batch, queries: .lastOnly, dropout: dropout, needsInputGrad: needsInputGrad, trains: trains,
            adaptersTrain: adaptersTrain, observer: observer)
        guard needsInputGrad else { return }
        // The residual path reaches the last rows only: spread its compact gradient out, then
        // add ln_1's.
        let stream = a.streamGrad.rows(0, count: n)
        lastTokens.spreadInPlace(stream, of: batch)
        Residual.add(stream, a.normGrad.rows(0, count: n), into: stream, pool: pool)
    }
}
