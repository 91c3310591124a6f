#if canImport(Glibc)
    import Glibc
#endif

/// The learning-rate multiplier at each optimizer step, as the Hugging Face schedulers
/// (`get_linear_schedule_with_warmup` and friends): warm-up rises linearly from 0 over
/// `warmupSteps`, then the shape decays over the remaining steps.
///
/// `multiplier(step)` is for the update made at `step` (0-based), matching a PyTorch
/// `LambdaLR` stepped after every optimizer step — so the first update uses step 0.
public struct LearningRateSchedule: Equatable, Sendable {
    public enum Kind: String, CaseIterable, Codable, Sendable {
        /// Linear decay to 0 at `totalSteps`.
        case linear
        /// Half a cosine from 1 to 0 at `totalSteps`.
        case cosine
        /// Constant after warm-up.
        case constant
        /// Slanted triangular (Howard & Ruder, ULMFiT): a short linear rise over
        /// `warmupSteps`, then a long linear fall to `1/ratio` of the peak (ratio 32).
        case slantedTriangular = "slanted_triangular"
    }

    public var kind: Kind
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(kind: Kind, warmupSteps: Int, totalSteps: Int) {
        self.kind = kind
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// Warm-up steps from a ratio of the total, as the Hugging Face Trainer: `ceil(total·ratio)`.
    public static func warmupSteps(ratio: Double, totalSteps: Int) -> Int {
        Int((Double(totalSteps) * ratio).rounded(.up))
    }

    public func multiplier(step: Int) -> Double {
        if step < warmupSteps, kind != .slantedTriangular {
            return Double(step) / Double(max(1, warmupSteps))
        }
        let decaySteps = Double(max(1, totalSteps - warmupSteps))
        let progress = Double(step - warmupSteps) / decaySteps
        switch kind {
        case .linear:
            return max(0, Double(totalSteps - step) / decaySteps)
        case .cosine:
            return max(0, 0.5 * (1 + cos(Double.pi * progress)))
        case .constant:
            return 1
        case .slantedTriangular:
            let ratio = 32.0
            let p =
                step < warmupSteps
                ? Double(step) / Double(max(1, warmupSteps))
                : max(0, 1 - progress)
            return (1 + p * (ratio - 1)) / ratio
        }
    }
}
