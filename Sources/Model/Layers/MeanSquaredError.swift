/// Squared-error loss for regression heads, as `torch.nn.MSELoss(reduction="sum")`:
///
///     loss = Σ_i (p_i − t_i)²        ∂loss/∂p_i = 2 (p_i − t_i)
///
/// Hugging Face's `problem_type="regression"` takes the mean over the batch; with
/// `gradScale = 1 / N` (N the number of targets in the whole global batch) the gradient is
/// that of the global mean however the batch is split among ranks, and `loss / N` is the
/// logged loss.
public enum MeanSquaredError {
    /// Returns `Σ_i (p_i − t_i)²` (in `Double`) and writes
    /// `predictionsGrad_i = 2 (p_i − t_i) · gradScale` (overwrites).
    ///
    /// Shapes: `predictions`, `targets`, `predictionsGrad` `[count]` — `[rows]` for one
    /// regression output per example (the head's logits `[rows, 1]`), or `[rows · outputs]`.
    /// Targets are floats; a NaN target is a programmer error (`precondition`).
    public static func forwardBackward(
        predictions: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int,
        gradScale: Float, predictionsGrad: UnsafeMutablePointer<Float>
    ) -> Double {
        var total = 0.0
        for i in 0..<count {
            precondition(!targets[i].isNaN, "MeanSquaredError: target \(i) is NaN")
            // The difference in float32 as the reference; its square summed in double.
            let difference = predictions[i] - targets[i]
            total += Double(difference) * Double(difference)
            predictionsGrad[i] = 2 * difference * gradScale
        }
        return total
    }
}
