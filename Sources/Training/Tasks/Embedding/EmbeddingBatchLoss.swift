import Model
import Parallel

/// The embedding task's step: the loss reads the embeddings of the whole global batch
/// (`CrossRankEmbeddingLoss`), so this rank's share is embedded chunk by chunk, the loss and
/// its gradient with respect to every embedding are taken once, and each chunk is then run
/// backward with its rows of that gradient (`GradCache`). With one chunk (no gradient
/// accumulation) this is the plain step; with k chunks (`--gradient-accumulation-steps k`)
/// the activations of one chunk are held at a time, at the cost of k − 1 forward passes
/// again, and the result is the same.
///
/// The model's rows are the sequences of each example in order (`[examples × columns, dim]`,
/// `EncodedDataset.append`); the loss reads them column by column (`EmbeddingColumns`), so
/// rows are transposed on the way in and out. The examples' scores, when the loss reads them,
/// are their float targets.
final class EmbeddingBatchLoss: CoupledBatchLoss {
    let loss: CrossRankEmbeddingLoss
    private var cache: GradCache?
    private var scores: [Float] = []

    init(loss: CrossRankEmbeddingLoss) { self.loss = loss }

    func forwardBackward(
        examples: Int, textsPerExample columns: Int, chunkSize: Int, logits: Logits, targets: TargetBuffer,
        forward: (Range<Int>) throws -> Void, backward: (_ last: Bool) throws -> Void
    ) throws -> Double {
        if cache?.chunkSize != chunkSize { cache = try GradCache(chunkSize: chunkSize) }
        if scores.count < max(examples, 1) { scores = [Float](repeating: 0, count: max(examples, 1)) }
        let needsScores = loss.loss.needsScores
        return try scores.withUnsafeMutableBufferPointer { scores in
            try cache!.step(
                examples: examples, columns: columns, dim: logits.outputs,
                embed: { range, part in
                    try forward(range)
                    Self.read(logits.values, columns: columns, into: part)
                    if needsScores {
                        for i in 0..<range.count { scores[range.lowerBound + i] = targets.floats[i] }
                    }
                },
                loss: { all, gradient in
                    try loss.lossAndGradient(all, scores: needsScores ? scores.baseAddress : nil, gradient: gradient)
                },
                backward: { range, upstream, rerun in
                    if rerun { try forward(range) }
                    Self.write(upstream, columns: columns, into: logits.gradient)
                    try backward(range.lowerBound == 0)
                })
        }
    }

    /// Model rows `[examples × columns, dim]` → `part` `[columns, examples, dim]`.
    static func read(_ rows: UnsafePointer<Float>, columns: Int, into part: EmbeddingColumns) {
        for i in 0..<part.rows {
            for c in 0..<columns {
                part.row(c, i).update(from: rows + (i * columns + c) * part.dim, count: part.dim)
            }
        }
    }

    /// `part` `[columns, examples, dim]` → model rows `[examples × columns, dim]`.
    static func write(_ part: EmbeddingColumns, columns: Int, into rows: UnsafeMutablePointer<Float>) {
        for i in 0..<part.rows {
            for c in 0..<columns {
                (rows + (i * columns + c) * part.dim).update(from: part.row(c, i), count: part.dim)
            }
        }
    }
}
