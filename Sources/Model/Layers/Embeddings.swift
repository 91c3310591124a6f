/// BERT's input embeddings before their LayerNorm:
/// `e[r] = word[tokenId[r]] + position[positions[r]] + tokenType[typeId[r]]`.
///
/// Shapes: `word` `[V, C]`, `position` `[P, C]`, `tokenType` `[TV, C]`, `output` `[N, C]`.
/// (LayerNorm and dropout follow as their own layers.)
public enum Embeddings {
    public static func forward(
        batch: PackedBatch, word: UnsafePointer<Float>, position: UnsafePointer<Float>,
        tokenType: UnsafePointer<Float>, output: MatrixView, pool: ThreadPool
    ) {
        let c = output.cols
        pool.parallelFor(batch.tokenCount, grain: 32) { rows in
            for r in rows {
                let w = word + Int(batch.tokenIds[r]) * c
                let p = position + Int(batch.positions[r]) * c
                let t = tokenType + Int(batch.typeIds[r]) * c
                let y = output.row(r)
                for j in 0..<c { y[j] = w[j] + p[j] + t[j] }
            }
        }
    }

    /// Scatter-adds the embedding-sum gradient `[N, C]` into the three tables' gradients
    /// (`+=`; rows that share a token id add up). Runs on one thread: rows of different
    /// tokens may hit the same table row, and the work (N·C additions) is small.
    public static func backward(
        outputGrad: MatrixView, batch: PackedBatch, wordGrad: UnsafeMutablePointer<Float>,
        positionGrad: UnsafeMutablePointer<Float>, tokenTypeGrad: UnsafeMutablePointer<Float>
    ) {
        let c = outputGrad.cols
        for r in 0..<batch.tokenCount {
            let dy = outputGrad.row(r)
            let w = wordGrad + Int(batch.tokenIds[r]) * c
            let p = positionGrad + Int(batch.positions[r]) * c
            let t = tokenTypeGrad + Int(batch.typeIds[r]) * c
            for j in 0..<c {
                w[j] += dy[j]
                p[j] += dy[j]
                t[j] += dy[j]
            }
        }
    }
}
