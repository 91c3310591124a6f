#if canImport(Glibc)
    import Glibc
#endif

/// Independent sigmoid cross-entropies, one per label, for multi-label heads, as
/// `torch.nn.BCEWithLogitsLoss(reduction="sum")`:
///
///     loss_ij = −[t·log σ(z) + (1 − t)·log(1 − σ(z))] = (1 − t)·z + softplus(−z)
///     ∂loss_ij/∂z = σ(z) − t
///
/// `softplus(−z) = max(−z, 0) + log1p(exp(−|z|))` never overflows and keeps full precision
/// for large |z| (the naive form gives `log(0)` from z ≈ ±90 on in float32); σ is evaluated
/// as `1/(1 + e^−z)` or `e^z/(1 + e^z)` by the sign of z, for the same reason.
public enum BinaryCrossEntropyWithLogits {
    /// Returns `Σ_ij loss_ij` (in `Double`) and writes `logitsGrad = (σ(z) − t) · gradScale`
    /// (overwrites).
    ///
    /// `gradScale` is `1 / (rows · labels in the whole global batch)` for Hugging Face's
    /// `problem_type="multi_label_classification"` (the mean over every element), so the
    /// gradient is that of the global mean however the batch is split among ranks.
    /// Shapes: `logits`, `targets`, `logitsGrad` `[rows, K]`. Targets are usually 0 or 1;
    /// soft targets in [0, 1] work the same way.
    public static func forwardBackward(
        logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, rows: Int, labels k: Int,
        gradScale: Float, logitsGrad: UnsafeMutablePointer<Float>
    ) -> Double {
        var total = 0.0
        for i in 0..<rows * k {
            let z = Double(logits[i]), t = Double(targets[i])
            precondition(!t.isNaN, "BinaryCrossEntropyWithLogits: target \(i) (row \(i / max(k, 1))) is NaN")
            let e = exp(-abs(z))  // in (0, 1]: cannot overflow
            total += (1 - t) * z + max(-z, 0) + log1p(e)
            let sigmoid = z >= 0 ? 1 / (1 + e) : e / (1 + e)
            logitsGrad[i] = Float((sigmoid - t) * Double(gradScale))
        }
        return total
    }
}
