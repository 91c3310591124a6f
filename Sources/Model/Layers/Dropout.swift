/// Where in the network a dropout mask is drawn; part of every mask's random key.
public enum DropoutSite: Sendable {
    case embeddings
    case attentionProbabilities(layer: Int)
    case attentionOutput(layer: Int)
    case feedForwardOutput(layer: Int)
    case classifier

    /// A distinct integer per site.
    public var id: UInt64 {
        switch self {
        case .embeddings: 1
        case .attentionProbabilities(let l): 16 + 4 * UInt64(l)
        case .attentionOutput(let l): 17 + 4 * UInt64(l)
        case .feedForwardOutput(let l): 18 + 4 * UInt64(l)
        case .classifier: 15
        }
    }
}

/// What makes this step's dropout masks: the run's seed and the global optimizer step (plus,
/// per row, the sample's global index). `nil` everywhere means evaluation: no dropout.
public struct DropoutKey: Sendable, Equatable {
    public var seed: UInt64
    public var step: UInt64
    public init(seed: UInt64, step: UInt64) {
        self.seed = seed
        self.step = step
    }

    /// The random stream of one sample at one site.
    public func stream(sample: UInt64, site: DropoutSite) -> UInt64 {
        CounterRNG.key(seed: seed, step: step, sample: sample, site: site.id)
    }
}

/// Inverted dropout: each element is kept with probability `1 − p` and scaled by `1/(1 − p)`,
/// or zeroed — as `torch.nn.Dropout` in training mode (with another random generator).
///
/// The mask of element `counter` in stream `key` is `bits(key, counter) >> 8 < threshold`
/// (24-bit uniform against `p·2²⁴`), so the backward pass re-creates it from the same
/// (key, counter) instead of storing it. Forward and backward are the same operation:
/// `y = x · mask / (1 − p)` and `dx = dy · mask / (1 − p)`.
public enum Dropout {
    /// `p` as the 24-bit threshold below which an element is dropped.
    public static func threshold(_ p: Float) -> UInt32 {
        UInt32((Double(p) * 16_777_216).rounded())
    }

    /// Applies the mask of counters `firstCounter ..< firstCounter + count` of stream `key`
    /// to `values` in place.
    public static func apply(
        _ values: UnsafeMutablePointer<Float>, count: Int, probability p: Float,
        key: UInt64, firstCounter: UInt32
    ) {
        guard p > 0 else { return }
        apply(
            from: values, into: values, alsoTo: nil, count: count, probability: p, key: key, firstCounter: firstCounter)
    }

    /// The same mask applied to `count` values read from `source` and written to
    /// `destination` (which may be `source`), and, when given, in place to `second`: one draw
    /// of the random bits for two uses of a mask (the attention backward pass's dropped
    /// probabilities and their gradient). `p` must be above 0.
    static func apply(
        from source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>,
        alsoTo second: UnsafeMutablePointer<Float>?, count: Int, probability p: Float, key: UInt64,
        firstCounter: UInt32
    ) {
        typealias V = SIMD16<Float>
        let scale = 1 / (1 - p)
        let t = threshold(p)
        var i = 0
        let thresholdVector = SIMD16<UInt32>(repeating: t)
        while i + 16 <= count {
            let r = CounterRNG.bits16(key: key, counter: firstCounter &+ UInt32(i)) &>> 8
            let keep = r .>= thresholdVector
            let v = UnsafeRawPointer(source + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(destination + i).storeBytes(
                of: V(repeating: 0).replacing(with: v * scale, where: keep), as: V.self)
            if let second {
                let raw = UnsafeMutableRawPointer(second + i)
                raw.storeBytes(
                    of: V(repeating: 0).replacing(with: raw.loadUnaligned(as: V.self) * scale, where: keep), as: V.self)
            }
            i += 16
        }
        // The tail (an attention row of 65 keys has one element left, of 63 fifteen) takes its
        // bits from one more vector draw: the scalar generator per element cost as much as the
        // vector loop on rows of 50–80 keys.
        guard i < count else { return }
        let r = CounterRNG.bits16(key: key, counter: firstCounter &+ UInt32(i)) &>> 8
        for lane in 0..<(count - i) {
            let keep = r[lane] >= t
            destination[i + lane] = keep ? source[i + lane] * scale : 0
            if let second { second[i + lane] = keep ? second[i + lane] * scale : 0 }
        }
    }

    /// The keep mask as 0/1 values, element by element through the scalar generator: the
    /// reference the tests hold `apply` to.
    public static func referenceMask(count: Int, probability p: Float, key: UInt64, firstCounter: UInt32) -> [Float] {
        let t = threshold(p)
        return (0..<count).map { i in
            CounterRNG.bits(key: key, counter: firstCounter &+ UInt32(i)) >> 8 >= t ? 1 : 0
        }
    }
}

extension Dropout {
    /// Dropout on token rows `[N, C]` of a packed batch at `site`: row r belongs to sample
    /// `sampleIds[rowSequence[r]]` at position `positions[r]`; element (r, j) uses counter
    /// `position·C + j` of that sample's stream, so the mask of a token does not depend on
    /// which rank or which row holds it. Used alike for the forward values and the backward
    /// gradients.
    public static func applyToTokens(
        _ matrix: MatrixView, batch: PackedBatch, key: DropoutKey, site: DropoutSite,
        probability p: Float, pool: ThreadPool
    ) {
        guard p > 0 else { return }
        let c = matrix.cols
        pool.parallelFor(matrix.rows, grain: 16) { rows in
            for r in rows {
                applyToTokenRow(matrix.row(r), r, count: c, batch: batch, key: key, site: site, probability: p)
            }
        }
    }

    /// `applyToTokens` for row `r` alone (`values` is that row, `count` its length C).
    @inline(__always)
    public static func applyToTokenRow(
        _ values: UnsafeMutablePointer<Float>, _ r: Int, count c: Int, batch: PackedBatch, key: DropoutKey,
        site: DropoutSite, probability p: Float
    ) {
        guard p > 0 else { return }
        let stream = key.stream(sample: batch.sampleIds[Int(batch.rowSequence[r])], site: site)
        apply(
            values, count: c, probability: p, key: stream,
            firstCounter: UInt32(truncatingIfNeeded: Int(batch.positions[r]) * c))
    }

    /// Dropout on one row per sequence `[B, C]` (the pooled output): row b uses counters
    /// `0 ..< C` of sample b's stream at `site`.
    public static func applyToSequences(
        _ matrix: MatrixView, batch: PackedBatch, key: DropoutKey, site: DropoutSite, probability p: Float
    ) {
        guard p > 0 else { return }
        for b in 0..<matrix.rows {
            apply(
                matrix.row(b), count: matrix.cols, probability: p,
                key: key.stream(sample: batch.sampleIds[b], site: site), firstCounter: 0)
        }
    }
}

/// `output = x + residual`, row by row (the residual connections of a BERT layer).
public enum Residual {
    public static func add(_ x: MatrixView, _ residual: MatrixView, into output: MatrixView, pool: ThreadPool) {
        let c = x.cols
        pool.parallelFor(x.rows, grain: 32) { rows in
            for r in rows {
                let a = x.row(r), b = residual.row(r), y = output.row(r)
                for j in 0..<c { y[j] = a[j] + b[j] }
            }
        }
    }
}
