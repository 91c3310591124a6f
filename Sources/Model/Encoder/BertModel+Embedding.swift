/// The embedding head (`TaskHead.embedding`): the last hidden state pooled, then normalised,
/// into the model's output rows — the vectors sentence-transformers' `encode` gives; and the
/// mean-pooled sequence head's pooling (`BertConfig.classifierPooling`).
extension BertModel {
    /// A mean-pooled sequence head: `pooledGrad` `[B, C]` (after the classifier's dropout) to
    /// `hiddenGrad` `[N, C]` (overwritten; nil when no layer below trains).
    func meanPoolBackward(_ pooledGrad: MatrixView, batch: PackedBatch, hiddenGrad: MatrixView?) {
        guard let hiddenGrad else { return }
        Pooling.backward(
            outputGrad: pooledGrad, batch: batch, modes: [.mean], argmax: activations!.poolingArgmax,
            hiddenGrad: hiddenGrad)
    }

    /// `hidden` `[N, C]` → `activations.logits` `[B, D]`, D = C × modes; with normalisation
    /// the pooled rows stay in `pooledEmbedding` and their norms in `embeddingNorms`.
    func embeddingForward(_ pooling: SentencePooling, hidden: MatrixView, batch: PackedBatch) {
        let a = activations!, b = batch.sequenceCount, d = layout.headOutputs
        let output = MatrixView(a.logits, rows: b, cols: d)
        let pooled = pooling.normalize ? a.pooledEmbedding.rows(0, count: b) : output
        Pooling.forward(hidden: hidden, batch: batch, modes: pooling.modes, output: pooled, argmax: a.poolingArgmax)
        if pooling.normalize { L2Normalize.forward(input: pooled, output: output, norms: a.embeddingNorms) }
    }

    /// `activations.logitsGrad` `[B, D]` (∂loss/∂embedding) → `hiddenGrad` `[N, C]`
    /// (overwritten), through the normalisation and the pooling.
    func embeddingBackward(_ pooling: SentencePooling, batch: PackedBatch, hiddenGrad: MatrixView) {
        let a = activations!, b = batch.sequenceCount, d = layout.headOutputs
        let outputGrad = MatrixView(a.logitsGrad, rows: b, cols: d)
        var pooledGrad = outputGrad
        if pooling.normalize {
            pooledGrad = a.pooledEmbeddingGrad.rows(0, count: b)
            L2Normalize.backward(
                outputGrad: outputGrad, output: MatrixView(a.logits, rows: b, cols: d), norms: a.embeddingNorms,
                inputGrad: pooledGrad)
        }
        Pooling.backward(
            outputGrad: pooledGrad, batch: batch, modes: pooling.modes, argmax: a.poolingArgmax,
            hiddenGrad: hiddenGrad)
    }
}
