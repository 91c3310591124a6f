#if canImport(Glibc)
    import Glibc
#endif

/// AdamW (Loshchilov & Hutter) exactly as `torch.optim.AdamW`: decoupled weight decay, then
/// the Adam update with bias correction —
///
///     p ← p · (1 − lr·λ)                       (decaying entries only)
///     m ← β1·m + (1 − β1)·g      v ← β2·v + (1 − β2)·g²
///     p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
///
/// Moments live in two slabs with the parameters' layout. Like PyTorch, which creates a
/// parameter's state at its first update, each group counts its own steps `t`, so a layer
/// unfrozen late starts with fresh bias correction.
public final class AdamW: @unchecked Sendable {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    public let firstMoment: FloatSlab
    public let secondMoment: FloatSlab
    /// Updates applied so far, per parameter group.
    public private(set) var stepCounts: [ParameterGroup: Int] = [:]

    public init(
        parameterCount: Int, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0
    ) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        firstMoment = FloatSlab(count: parameterCount)
        secondMoment = FloatSlab(count: parameterCount)
    }

    /// Restores the step counts (resume).
    public func setStepCounts(_ counts: [ParameterGroup: Int]) { stepCounts = counts }

    /// One update of every run with learning rate `learningRate × run.learningRateScale`.
    /// Elements outside the runs (frozen) are not touched. A sharded optimizer passes the
    /// part this rank owns as `updating`; the step counts still advance for every group of
    /// `runs`, so they agree on all ranks.
    public func step(
        parameters: FloatSlab, gradients: FloatSlab, runs: [UpdateRun], updating: [UpdateRun]? = nil,
        learningRate: Float, pool: ThreadPool
    ) {
        var counted = Set<ParameterGroup>()
        for run in runs where counted.insert(run.group).inserted {
            stepCounts[run.group, default: 0] += 1
        }
        let b1 = beta1, b2 = beta2, eps = epsilon
        for run in updating ?? runs {
            let t = Double(stepCounts[run.group]!)
            let lr = learningRate * run.learningRateScale
            let biasCorrection1 = 1 - pow(Double(b1), t)
            let biasCorrection2Sqrt = Float((1 - pow(Double(b2), t)).squareRoot())
            let stepSize = Float(Double(lr) / biasCorrection1)
            let decayFactor: Float = run.decays ? 1 - lr * weightDecay : 1
            let p = parameters.base, g = gradients.base, m = firstMoment.base, v = secondMoment.base
            let lower = run.range.lowerBound
            pool.parallelFor(run.range.count, grain: 16_384) { local in
                AdamW.update(
                    p: p, g: g, m: m, v: v, range: (lower + local.lowerBound)..<(lower + local.upperBound),
                    beta1: b1, beta2: b2, epsilon: eps, decayFactor: decayFactor, stepSize: stepSize,
                    biasCorrection2Sqrt: biasCorrection2Sqrt)
            }
        }
    }

    /// The update of one contiguous range, 16 lanes at a time (the same operations in the
    /// same order per element as the scalar tail, so lanes and tail agree bit for bit).
    static func update(
        p: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
        v: UnsafeMutablePointer<Float>, range: Range<Int>, beta1 b1: Float, beta2 b2: Float, epsilon eps: Float,
        decayFactor: Float, stepSize: Float, biasCorrection2Sqrt: Float
    ) {
        typealias V = SIMD16<Float>
        var i = range.lowerBound
        while i + 16 <= range.upperBound {
            let gi = UnsafeRawPointer(g + i).loadUnaligned(as: V.self)
            let pi = UnsafeRawPointer(p + i).loadUnaligned(as: V.self) * decayFactor
            let mi = b1 * UnsafeRawPointer(m + i).loadUnaligned(as: V.self) + (1 - b1) * gi
            let vi = b2 * UnsafeRawPointer(v + i).loadUnaligned(as: V.self) + (1 - b2) * gi * gi
            UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: V.self)
            UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: V.self)
            UnsafeMutableRawPointer(p + i).storeBytes(
                of: pi - stepSize * (mi / (vi.squareRoot() / biasCorrection2Sqrt + eps)), as: V.self)
            i += 16
        }
        while i < range.upperBound {
            let gi = g[i]
            let pi = p[i] * decayFactor
            let mi = b1 * m[i] + (1 - b1) * gi
            let vi = b2 * v[i] + (1 - b2) * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] = pi - stepSize * (mi / (vi.squareRoot() / biasCorrection2Sqrt + eps))
            i += 1
        }
    }
}
