/// BERT's pooler on the `[CLS]` token of each sequence: `pooled = tanh(cls·Wᵀ + b)`.
///
/// Shapes: `hidden` `[N, C]`, `cls` `[B, C]` (row b = hidden row `offset(b)`), `W` `[C, C]`,
/// `pooled` `[B, C]`.
public enum Pooler {
    public static func forward(
        hidden: MatrixView, batch: PackedBatch, weight: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>,
        cls: MatrixView, pooled: MatrixView, pool: ThreadPool
    ) {
        for b in 0..<batch.sequenceCount {
            cls.row(b).update(from: hidden.row(batch.offset(b)), count: hidden.cols)
        }
        Linear.forward(input: cls, weight: weight, bias: bias, output: pooled, pool: pool)
        for b in 0..<pooled.rows { VectorMath.tanh(pooled.row(b), into: pooled.row(b), count: pooled.cols) }
    }

    /// From `pooledGrad` `[B, C]` (overwritten with the pre-activation gradient) to
    /// `hiddenGrad` `[N, C]` (overwritten: zero except the `[CLS]` rows); parameter gradients
    /// accumulate (skipped when `nil`).
    public static func backward(
        pooledGrad: MatrixView, pooled: MatrixView, cls: MatrixView, batch: PackedBatch,
        weight: UnsafeMutablePointer<Float>, weightGrad: UnsafeMutablePointer<Float>?,
        biasGrad: UnsafeMutablePointer<Float>?,
        clsGrad: MatrixView, hiddenGrad: MatrixView?, pool: ThreadPool
    ) {
        for b in 0..<pooled.rows {
            let y = pooled.row(b), dy = pooledGrad.row(b)
            for j in 0..<pooled.cols { dy[j] *= 1 - y[j] * y[j] }  // tanh' = 1 − tanh²
        }
        Linear.backward(
            outputGrad: pooledGrad, input: cls, weight: weight,
            inputGrad: hiddenGrad == nil ? nil : clsGrad,
            weightGrad: weightGrad, biasGrad: biasGrad, pool: pool)
        guard let hiddenGrad else { return }
        hiddenGrad.data.update(repeating: 0, count: hiddenGrad.rows * hiddenGrad.cols)
        for b in 0..<batch.sequenceCount {
            hiddenGrad.row(batch.offset(b)).update(from: clsGrad.row(b), count: hiddenGrad.cols)
        }
    }
}
