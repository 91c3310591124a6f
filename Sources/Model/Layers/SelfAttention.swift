/// Multi-head scaled dot-product self-attention over packed sequences, from the fused
/// `[N, 3C]` query|key|value projections to the `[N, C]` context, as BERT's
/// `BertSelfAttention` (without its projections, which are `Linear` layers):
///
///     S = Q_h·K_hᵀ / √HS      P = softmax(S)      O_h = dropout(P)·V_h
///
/// per sequence b (length n, rows `offset(b) ..< offset(b)+n`) and head h. Q_h, K_h, V_h are
/// strided `[n, HS]` views into the QKV matrix and O_h a strided view into the context, so
/// no head is ever copied. Masking is implicit: a sequence attends only to its own n tokens,
/// exactly what BERT's additive padding mask achieves on a padded batch.
///
/// `causal` (GPT-2): position i of a sequence sees only its positions j ≤ i — row i of P is
/// the softmax of its first i + 1 scores and zero beyond, as transformers' −∞ mask gives.
/// The backward pass needs no mask of its own: `dS = P ⊙ (…)` is zero wherever P is.
/// `scaled: false` drops the 1/√HS (GPT-2's `scale_attn_weights: false`).
///
/// `queries: .firstOnly` (`.lastOnly`) forms only each sequence's first (last) query over all
/// of its keys and values: that row of the full pass with that row's dropout masks, for a head
/// that reads nothing else (BERT's `[CLS]`: `BertModel+FirstTokenLayer`; a decoder's sequence
/// head: `GPT2Model+LastTokenBlock`). The context and its gradient are then compact `[B, C]`,
/// the probabilities one `[1, n]` row per sequence and head at `probabilityOffsets[b] + h·n`,
/// and the query gradient zero on every other row.
public enum SelfAttention {
    /// Which queries a pass forms.
    public enum Queries: Sendable {
        /// Every position; the context has the batch's N rows.
        case all
        /// Each sequence's first position; the context has one row per sequence.
        case firstOnly
        /// Each sequence's last position; the context has one row per sequence.
        case lastOnly

        /// Queries formed for a sequence of `n` positions.
        func count(of n: Int) -> Int { self == .all ? n : 1 }
        /// The position of the first query formed in a sequence of `n`.
        func firstPosition(of n: Int) -> Int { self == .lastOnly ? n - 1 : 0 }
        /// The context row of sequence `b`'s first query.
        func contextRow(of b: Int, in batch: PackedBatch) -> Int { self == .all ? batch.offset(b) : b }
        /// The context's rows for `batch`: one per token, or one per sequence.
        public func contextRows(in batch: PackedBatch) -> Int {
            self == .all ? batch.tokenCount : batch.sequenceCount
        }
    }

    /// Where each sequence's `[heads, n, n]` probability block starts in the probability
    /// buffer of `batch` (`offsets[b]`, and the total at `offsets[sequenceCount]`): the
    /// `probabilityOffsets` the passes below take.
    public static func layOutProbabilities(of batch: PackedBatch, heads: Int, offsets: UnsafeMutablePointer<Int>) {
        offsets[0] = 0
        for b in 0..<batch.sequenceCount {
            let n = batch.length(b)
            offsets[b + 1] = offsets[b] + heads * n * n
        }
    }

    /// Forward pass. Writes `probabilities` (softmax output before dropout, kept for the
    /// backward pass) and overwrites `context`.
    public static func forward(
        qkv: MatrixView, batch: PackedBatch, heads: Int,
        probabilities: UnsafeMutablePointer<Float>, probabilityOffsets: UnsafePointer<Int>,
        context: MatrixView, queries: Queries = .all, dropout: AttentionDropout?, causal: Bool = false,
        scaled: Bool = true, scratch: UnsafeMutablePointer<Float>, scratchStride: Int, pool: ThreadPool
    ) {
        let c = context.cols, hs = c / heads
        let scale = scaled ? 1 / Float(hs).squareRoot() : 1
        forEachHead(batch: batch, heads: heads, pool: pool) { worker, b, h in
            let n = batch.length(b), m = queries.count(of: n), first = queries.firstPosition(of: n)
            let rows = qkv.rows(batch.offset(b), count: n)
            let q = rows.rows(first, count: m).columns(h * hs, count: hs)
            let k = rows.columns(c + h * hs, count: hs)
            let v = rows.columns(2 * c + h * hs, count: hs)
            let p = MatrixView(probabilities + probabilityOffsets[b] + h * m * n, rows: m, cols: n)
            BLAS.gemm(q, k, transposeB: true, into: p, alpha: scale)
            if causal {
                for i in 0..<m {
                    let visible = first + i + 1
                    FastMath.softmaxInPlace(p.row(i), count: visible)
                    (p.row(i) + visible).update(repeating: 0, count: n - visible)
                }
            } else {
                for i in 0..<m { FastMath.softmaxInPlace(p.row(i), count: n) }
            }
            let out = context.rows(queries.contextRow(of: b, in: batch), count: m).columns(h * hs, count: hs)
            if let dropout, dropout.probability > 0 {
                let dropped = MatrixView(scratch + worker * 2 * scratchStride * scratchStride, rows: m, cols: n)
                droppedProbabilities(
                    p, into: dropped, firstRow: first, head: h, sample: batch.sampleIds[b], dropout: dropout)
                BLAS.gemm(dropped, v, into: out)
            } else {
                BLAS.gemm(p, v, into: out)
            }
        }
    }

    /// Backward pass: from `contextGrad` `[N, C]` to `qkvGrad` `[N, 3C]` (overwritten).
    ///
    ///     dV = Pdᵀ·dO      dPd = dO·Vᵀ      dP = dropout(dPd)
    ///     dS = P ⊙ (dP − rowsum(dP ⊙ P))    dQ = dS·K/√HS      dK = dSᵀ·Q/√HS
    public static func backward(
        contextGrad: MatrixView, qkv: MatrixView, batch: PackedBatch, heads: Int,
        probabilities: UnsafeMutablePointer<Float>, probabilityOffsets: UnsafePointer<Int>,
        qkvGrad: MatrixView, queries: Queries = .all, dropout: AttentionDropout?, scaled: Bool = true,
        scratch: UnsafeMutablePointer<Float>, scratchStride: Int, pool: ThreadPool
    ) {
        let c = contextGrad.cols, hs = c / heads
        let scale = scaled ? 1 / Float(hs).squareRoot() : 1
        forEachHead(batch: batch, heads: heads, pool: pool) { worker, b, h in
            let n = batch.length(b), o = batch.offset(b), m = queries.count(of: n)
            let first = queries.firstPosition(of: n)
            let rows = qkv.rows(o, count: n), gradRows = qkvGrad.rows(o, count: n)
            let q = rows.rows(first, count: m).columns(h * hs, count: hs)
            let k = rows.columns(c + h * hs, count: hs)
            let v = rows.columns(2 * c + h * hs, count: hs)
            let dq = gradRows.columns(h * hs, count: hs)
            let dk = gradRows.columns(c + h * hs, count: hs)
            let dv = gradRows.columns(2 * c + h * hs, count: hs)
            let dOut = contextGrad.rows(queries.contextRow(of: b, in: batch), count: m).columns(h * hs, count: hs)
            let p = MatrixView(probabilities + probabilityOffsets[b] + h * m * n, rows: m, cols: n)
            let base = scratch + worker * 2 * scratchStride * scratchStride
            let dP = MatrixView(base + scratchStride * scratchStride, rows: m, cols: n)
            let sample = batch.sampleIds[b]
            if let dropout, dropout.probability > 0 {
                // dP first, so that one draw of the mask makes both dropout(P) and dropout(dP).
                let dropped = MatrixView(base, rows: m, cols: n)
                BLAS.gemm(dOut, v, transposeB: true, into: dP)
                droppedProbabilities(
                    p, into: dropped, alsoDropping: dP, firstRow: first, head: h, sample: sample, dropout: dropout)
                BLAS.gemm(dropped, transposeA: true, dOut, into: dv)
            } else {
                BLAS.gemm(p, transposeA: true, dOut, into: dv)
                BLAS.gemm(dOut, v, transposeB: true, into: dP)
            }
            softmaxBackward(probabilities: p, gradient: dP)
            BLAS.gemm(dP, k, into: dq.rows(first, count: m), alpha: scale)
            for i in 0..<n where i < first || i >= first + m { dq.row(i).update(repeating: 0, count: hs) }
            BLAS.gemm(dP, transposeA: true, q, into: dk, alpha: scale)
        }
    }

    /// `grad ← P ⊙ (grad − rowsum(grad ⊙ P))`: the softmax Jacobian applied row by row (the
    /// row sum in lanes: a scalar float sum is one dependent add per element).
    static func softmaxBackward(probabilities p: MatrixView, gradient g: MatrixView) {
        typealias V = FastMath.V
        let n = p.cols, vectorEnd = n - n % V.scalarCount
        for i in 0..<p.rows {
            let pr = p.row(i), gr = g.row(i)
            var lanes = V(repeating: 0)
            for j in stride(from: 0, to: vectorEnd, by: V.scalarCount) {
                lanes +=
                    UnsafeRawPointer(pr + j).loadUnaligned(as: V.self)
                    * UnsafeRawPointer(gr + j).loadUnaligned(as: V.self)
            }
            var dot = lanes.sum()
            for j in vectorEnd..<n { dot += pr[j] * gr[j] }
            for j in 0..<n { gr[j] = pr[j] * (gr[j] - dot) }
        }
    }

    /// `dropped = dropout(P)` for head `h` of one sample (and `gradient = dropout(gradient)`
    /// with the same mask, when given); row i of `p` is query position `firstRow + i`.
    /// `dropout.probability` must be above 0.
    static func droppedProbabilities(
        _ p: MatrixView, into dropped: MatrixView, alsoDropping gradient: MatrixView? = nil, firstRow: Int = 0,
        head h: Int, sample: UInt64, dropout: AttentionDropout
    ) {
        let key = dropout.key.stream(sample: sample, site: .attentionProbabilities(layer: dropout.layer))
        for i in 0..<p.rows {
            Dropout.apply(
                from: p.row(i), into: dropped.row(i), alsoTo: gradient?.row(i), count: p.cols,
                probability: dropout.probability, key: key,
                firstCounter: dropout.firstCounter(head: h, row: firstRow + i))
        }
    }

    /// Runs `body(worker, sequence, head)` for every (sequence, head) pair. Pairs are split
    /// among the pool's threads in contiguous blocks; `worker` indexes that thread's scratch.
    /// Each pair writes only its own rows and columns of the outputs.
    static func forEachHead(batch: PackedBatch, heads: Int, pool: ThreadPool, _ body: (Int, Int, Int) -> Void) {
        let pairs = batch.sequenceCount * heads
        pool.forEachChunk(pairs, grain: 1) { worker, range in
            for pair in range { body(worker, pair / heads, pair % heads) }
        }
    }
}

/// Dropout on attention probabilities of one layer.
public struct AttentionDropout: Sendable {
    public var key: DropoutKey
    public var probability: Float
    public var layer: Int
    /// The model's position capacity P (`max_position_embeddings`): element (i, j) of head h
    /// uses counter `(h·P + i)·P + j`, so a mask never depends on the sequence's padding, the
    /// batch's make-up or buffer sizes.
    public var positionStride: Int

    public init(key: DropoutKey, probability: Float, layer: Int, positionStride: Int) {
        self.key = key
        self.probability = probability
        self.layer = layer
        self.positionStride = positionStride
    }

    func firstCounter(head h: Int, row i: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: (h * positionStride + i) * positionStride)
    }
}
