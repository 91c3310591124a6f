/// Penalties on the weights, added to the summed gradients (every rank adds the same, as if
/// each rank's loss carried them):
/// - L1: λ·Σ|w| over decayed weights (not biases or LayerNorm) → `g += λ·sign(w)`;
/// - L2-SP (Li, Grandvalet, Davoine 2018): α/2·‖w − w₀‖² over the trained parameters other
///   than the head, with w₀ their values when fine-tuning began → `g += α·(w − w₀)`.
///
/// The head is excluded from L2-SP because it has no pretrained value to be pulled toward
/// (a new head starts from random weights).
public struct Regularization {
    public var l1: Float = 0
    public var l2SpAlpha: Float = 0
    /// w₀, laid out like the parameters; needed when `l2SpAlpha > 0`.
    public var reference: FloatSlab?

    public init(l1: Float = 0, l2SpAlpha: Float = 0, reference: FloatSlab? = nil) {
        self.l1 = l1
        self.l2SpAlpha = l2SpAlpha
        self.reference = reference
    }

    /// Whether any penalty is on: then every element of the runs gets a gradient term, not
    /// only those the loss reached.
    public var isActive: Bool { l1 > 0 || l2SpAlpha > 0 }

    /// `gradients[runs] += ∂penalty/∂parameters[runs]`; elements outside the runs are not
    /// touched. Allocates nothing.
    public func addGradients(parameters: FloatSlab, gradients: FloatSlab, runs: [UpdateRun], pool: ThreadPool) {
        guard isActive else { return }
        let p = parameters.base, g = gradients.base
        let w0 = reference?.base
        precondition(l2SpAlpha == 0 || w0 != nil, "Regularization: L2-SP needs the starting weights")
        for run in runs {
            let l1 = run.decays ? self.l1 : 0
            let alpha = run.group == .head ? 0 : l2SpAlpha
            guard l1 > 0 || alpha > 0 else { continue }
            let lower = run.range.lowerBound
            pool.parallelFor(run.range.count, grain: 65_536) { local in
                for i in (lower + local.lowerBound)..<(lower + local.upperBound) {
                    var extra: Float = 0
                    if l1 > 0 { extra += p[i] > 0 ? l1 : (p[i] < 0 ? -l1 : 0) }
                    if alpha > 0 { extra += alpha * (p[i] - w0![i]) }
                    g[i] += extra
                }
            }
        }
    }
}
