#if canImport(Glibc)
    import Glibc
#endif

/// Softmax cross-entropy over class logits, with optional label smoothing, as
/// `torch.nn.CrossEntropyLoss(reduction="sum", label_smoothing=ε)`:
///
///     q = (1 − ε)·onehot(y) + ε/K      loss_i = −Σ_k q_k · log softmax(z_i)_k
///                                              = logΣexp(z_i) − Σ_k q_k·z_ik
///
/// Rows whose label is negative (−100, "ignore") contribute nothing: token-classification
/// labels mark padding and sub-word continuations that way.
///
/// A language model's rows span its vocabulary (50257 logits a token for GPT-2: 100 M `exp`
/// at 8 × 256 tokens), so rows are shared among the pool's threads and `exp` runs on SIMD
/// lanes (`FastMath.exp`); each row's loss is kept and the rows summed in order, so the total
/// does not depend on the thread count.
public enum CrossEntropy {
    typealias V = FastMath.V

    /// Returns `Σ_i loss_i` over the rows (in `Double`) and writes
    /// `logitsGrad = (softmax(z) − q) · gradScale` (zero for ignored rows).
    ///
    /// `gradScale` is `1 / (labelled rows in the whole global batch)`, so the gradient is
    /// that of the global mean loss however the batch is split among ranks.
    /// Shapes: `logits`, `logitsGrad` `[rows, K]`, `labels` `[rows]`.
    public static func forwardBackward(
        logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, classes k: Int,
        labelSmoothing epsilon: Float = 0, gradScale: Float, logitsGrad: UnsafeMutablePointer<Float>,
        pool: ThreadPool = .serial
    ) -> Double {
        guard rows > 0 else { return 0 }
        for i in 0..<rows {
            precondition(Int(labels[i]) < k, "CrossEntropy: label \(labels[i]) for \(k) classes")
        }
        var losses = [Double](repeating: 0, count: rows)
        losses.withUnsafeMutableBufferPointer { out in
            let loss = out.baseAddress!
            // A chunk should hold at least ~64 k logits for its thread to pay off.
            pool.parallelFor(rows, grain: max(1, 65_536 / max(k, 1))) { range in
                for i in range {
                    loss[i] = row(
                        logits + i * k, label: Int(labels[i]), classes: k, epsilon: epsilon, gradScale: gradScale,
                        grad: logitsGrad + i * k)
                }
            }
        }
        return losses.reduce(0, +)
    }

    /// One row: its loss, and its gradient written into `grad`.
    @inline(__always)
    static func row(
        _ z: UnsafePointer<Float>, label: Int, classes k: Int, epsilon: Float, gradScale: Float,
        grad dz: UnsafeMutablePointer<Float>
    ) -> Double {
        guard label >= 0 else {
            dz.update(repeating: 0, count: k)
            return 0
        }
        let maxValue = rowMax(z, count: k)
        // e_j = exp(z_j − max) into dz, summed in float over blocks of 1024 and in Double
        // across blocks.
        let m = V(repeating: maxValue)
        var sum = 0.0
        let vectorEnd = k - k % V.scalarCount
        var j = 0
        while j < vectorEnd {
            var block = V(repeating: 0)
            let end = min(vectorEnd, j + 1024)
            while j < end {
                let e = FastMath.exp(UnsafeRawPointer(z + j).loadUnaligned(as: V.self) - m)
                UnsafeMutableRawPointer(dz + j).storeBytes(of: e, as: V.self)
                block += e
                j += V.scalarCount
            }
            sum += Double(block.sum())
        }
        if j < k {
            var v = V(repeating: -.infinity)
            for t in 0..<(k - j) { v[t] = z[j + t] }
            let e = FastMath.exp(v - m)
            for t in 0..<(k - j) { dz[j + t] = e[t] }
            sum += Double(e.sum())
        }
        let logSum = Double(maxValue) + log(sum)
        // dz = e · (scale / Σe) − scale · q.
        let probabilityScale = Float(Double(gradScale) / sum)
        let offTarget = epsilon / Float(k) * gradScale
        let p = V(repeating: probabilityScale), off = V(repeating: offTarget)
        j = 0
        while j + V.scalarCount <= k {
            let e = UnsafeRawPointer(dz + j).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(dz + j).storeBytes(of: e * p - off, as: V.self)
            j += V.scalarCount
        }
        while j < k {
            dz[j] = dz[j] * probabilityScale - offTarget
            j += 1
        }
        dz[label] -= (1 - epsilon) * gradScale
        var loss = logSum - (1 - Double(epsilon)) * Double(z[label])
        if epsilon > 0 {
            var total = 0.0
            for t in 0..<k { total += Double(z[t]) }
            loss -= Double(epsilon) / Double(k) * total
        }
        return loss
    }

    @inline(__always)
    static func rowMax(_ z: UnsafePointer<Float>, count k: Int) -> Float {
        var maxVector = V(repeating: -.infinity)
        var j = 0
        while j + V.scalarCount <= k {
            let v = UnsafeRawPointer(z + j).loadUnaligned(as: V.self)
            maxVector.replace(with: v, where: v .> maxVector)
            j += V.scalarCount
        }
        var maxValue = maxVector.max()
        while j < k {
            maxValue = Swift.max(maxValue, z[j])
            j += 1
        }
        return maxValue
    }
}
