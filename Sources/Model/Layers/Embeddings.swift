/// Input embeddings: `e[r] = word[tokenId[r]] + position[positions[r]] + tokenType[typeId[r]]`
/// (BERT, before its LayerNorm), or without the token-type term when `tokenType` is `nil`
/// (GPT-2's `wte` + `wpe`). Positions restart at 0 for every packed sequence.
///
/// Shapes: `word` `[V, C]`, `position` `[P, C]`, `tokenType` `[TV, C]`, `output` `[N, C]`.
/// (LayerNorm and dropout follow as their own layers.) `wordRows` `[N, C]`, when given, takes
/// the place of the lookup `word[tokenId[r]]` (integrated gradients runs the model from
/// interpolated word embeddings).
public enum Embeddings {
    public static func forward(
        batch: PackedBatch, word: UnsafePointer<Float>, position: UnsafePointer<Float>,
        tokenType: UnsafePointer<Float>?, output: MatrixView, pool: ThreadPool,
        wordRows: UnsafePointer<Float>? = nil
    ) {
        let c = output.cols
        pool.parallelFor(batch.tokenCount, grain: 32) { rows in
            for r in rows {
                let w = wordRows.map { $0 + r * c } ?? word + Int(batch.tokenIds[r]) * c
                let p = position + Int(batch.positions[r]) * c
                let y = output.row(r)
                if let tokenType {
                    let t = tokenType + Int(batch.typeIds[r]) * c
                    for j in 0..<c { y[j] = w[j] + p[j] + t[j] }
                } else {
                    for j in 0..<c { y[j] = w[j] + p[j] }
                }
            }
        }
    }

    /// Scatter-adds the embedding-sum gradient `[N, C]` into the tables' gradients (`+=`;
    /// rows that share a token id add up). Runs on one thread: rows of different tokens may
    /// hit the same table row, and the work (N·C additions) is small.
    public static func backward(
        outputGrad: MatrixView, batch: PackedBatch, wordGrad: UnsafeMutablePointer<Float>,
        positionGrad: UnsafeMutablePointer<Float>, tokenTypeGrad: UnsafeMutablePointer<Float>?
    ) {
        let c = outputGrad.cols
        for r in 0..<batch.tokenCount {
            let dy = outputGrad.row(r)
            let w = wordGrad + Int(batch.tokenIds[r]) * c
            let p = positionGrad + Int(batch.positions[r]) * c
            for j in 0..<c {
                w[j] += dy[j]
                p[j] += dy[j]
            }
            if let tokenTypeGrad {
                let t = tokenTypeGrad + Int(batch.typeIds[r]) * c
                for j in 0..<c { t[j] += dy[j] }
            }
        }
    }
}
