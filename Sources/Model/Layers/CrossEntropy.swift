#if canImport(Glibc)
    import Glibc
#endif

/// Softmax cross-entropy over class logits, with optional label smoothing, as
/// `torch.nn.CrossEntropyLoss(reduction="sum", label_smoothing=ε)`:
///
///     q = (1 − ε)·onehot(y) + ε/K      loss_i = −Σ_k q_k · log softmax(z_i)_k
///
/// Rows whose label is negative (−100, "ignore") contribute nothing: token-classification
/// labels mark padding and sub-word continuations that way.
public enum CrossEntropy {
    /// Returns `Σ_i loss_i` over the rows (in `Double`) and writes
    /// `logitsGrad = (softmax(z) − q) · gradScale` (zero for ignored rows).
    ///
    /// `gradScale` is `1 / (labelled rows in the whole global batch)`, so the gradient is
    /// that of the global mean loss however the batch is split among ranks.
    /// Shapes: `logits`, `logitsGrad` `[rows, K]`, `labels` `[rows]`.
    public static func forwardBackward(
        logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, classes k: Int,
        labelSmoothing epsilon: Float = 0, gradScale: Float, logitsGrad: UnsafeMutablePointer<Float>
    ) -> Double {
        var total = 0.0
        for i in 0..<rows {
            let z = logits + i * k, dz = logitsGrad + i * k
            let label = Int(labels[i])
            guard label >= 0 else {
                dz.update(repeating: 0, count: k)
                continue
            }
            precondition(label < k, "CrossEntropy: label \(label) for \(k) classes")
            var maxValue = z[0]
            for j in 1..<k where z[j] > maxValue { maxValue = z[j] }
            var sum = 0.0
            for j in 0..<k { sum += Double(expf(z[j] - maxValue)) }
            let logSum = Double(maxValue) + log(sum)
            let offTarget = Double(epsilon) / Double(k)
            var loss = 0.0
            for j in 0..<k {
                let logProbability = Double(z[j]) - logSum
                let target = offTarget + (j == label ? 1 - Double(epsilon) : 0)
                loss -= target * logProbability
                dz[j] = Float((exp(logProbability) - target) * Double(gradScale))
            }
            total += loss
        }
        return total
    }
}
