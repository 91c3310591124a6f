import CVectorMath

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
    /// The table whose untouched rows' updates are deferred (`deferUntouchedRows`), if any.
    public internal(set) var deferredRows: DeferredRows?

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

    /// The constants of one group's update at one step.
    public struct StepConstants: Equatable, Sendable {
        /// `1 − lr·λ` for decaying entries, else 1.
        var decayFactor: Float
        /// `lr / (1 − β1ᵗ)`.
        var stepSize: Float
        /// `√(1 − β2ᵗ)`.
        var biasCorrection2Sqrt: Float
    }

    /// One update of every run with learning rate `learningRate × run.learningRateScale`.
    /// Elements outside the runs (frozen) are not touched. A sharded optimizer passes the
    /// part this rank owns as `updating`; the step counts still advance for every group of
    /// `runs`, so they agree on all ranks.
    ///
    /// Each gradient is taken times `gradientScale` (gradient clipping's factor, applied here
    /// rather than in a pass of its own: the same product, so the same bits).
    ///
    /// While rows are deferred (`deferUntouchedRows`), `touchedRows` names the rows of that
    /// table whose gradient may be nonzero (ascending); the others are not written and owe
    /// this step (nil: every row is touched).
    public func step(
        parameters: FloatSlab, gradients: FloatSlab, runs: [UpdateRun], updating: [UpdateRun]? = nil,
        touchedRows: [Int]? = nil, gradientScale: Float = 1, learningRate: Float, pool: ThreadPool
    ) {
        var counted = Set<ParameterGroup>()
        for run in runs where counted.insert(run.group).inserted {
            stepCounts[run.group, default: 0] += 1
        }
        let b1 = beta1, b2 = beta2, eps = epsilon
        let p = parameters.base, g = gradients.base, m = firstMoment.base, v = secondMoment.base
        for run in updating ?? runs {
            let constants = constants(of: run, learningRate: learningRate)
            func updateDensely(_ range: Range<Int>) {
                let lower = range.lowerBound
                pool.parallelFor(range.count, grain: 16_384) { local in
                    AdamWKernel.update(
                        p: p, g: g, m: m, v: v, range: (lower + local.lowerBound)..<(lower + local.upperBound),
                        gradientScale: gradientScale, beta1: b1, beta2: b2, epsilon: eps, constants: constants)
                }
            }
            guard let deferred = deferredRows, run.range.overlaps(deferred.range) else {
                updateDensely(run.range)
                continue
            }
            // The table is one parameter, so it lies inside the run: dense on either side of it.
            updateDensely(run.range.lowerBound..<deferred.range.lowerBound)
            updateDensely(deferred.range.upperBound..<run.range.upperBound)
            deferred.step(
                constants, touchedRows: touchedRows,
                operands: operands(parameters: parameters, gradients: gradients, gradientScale: gradientScale),
                pool: pool)
        }
    }

    /// The constants of `run`'s update at its group's current step count.
    private func constants(of run: UpdateRun, learningRate: Float) -> StepConstants {
        let t = Double(stepCounts[run.group]!)
        let lr = learningRate * run.learningRateScale
        return StepConstants(
            decayFactor: run.decays ? 1 - lr * weightDecay : 1,
            stepSize: Float(Double(lr) / (1 - pow(Double(beta1), t))),
            biasCorrection2Sqrt: Float((1 - pow(Double(beta2), t)).squareRoot()))
    }
}

/// AdamW's element-wise kernels.
enum AdamWKernel {
    typealias StepConstants = AdamW.StepConstants

    /// The update of one contiguous range, 16 lanes at a time; the last lanes of a range that
    /// is no multiple of 16 are padded with zeros, so every element goes through `updated`.
    static func update(
        p: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
        v: UnsafeMutablePointer<Float>, range: Range<Int>, gradientScale scale: Float, beta1 b1: Float,
        beta2 b2: Float, epsilon eps: Float, constants c: StepConstants
    ) {
        var i = range.lowerBound
        while i < range.upperBound {
            let n = min(Lanes.scalarCount, range.upperBound - i)
            var pi = load(p + i, n), mi = load(m + i, n), vi = load(v + i, n)
            updated(&pi, &mi, &vi, gradient: load(g + i, n) * scale, beta1: b1, beta2: b2, epsilon: eps, constants: c)
            store(pi, p + i, n)
            store(mi, m + i, n)
            store(vi, v + i, n)
            i += n
        }
    }

    /// One update of 16 elements. The square root is `ddp_sqrt16`: `SIMD16.squareRoot()`
    /// compiles to 16 scalar ones, which made the update compute-bound.
    @_transparent
    static func updated(
        _ p: inout Lanes, _ m: inout Lanes, _ v: inout Lanes, gradient g: Lanes, beta1 b1: Float, beta2 b2: Float,
        epsilon eps: Float, constants c: StepConstants
    ) {
        let decayed = p * c.decayFactor
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p = decayed - c.stepSize * (m / (ddp_sqrt16(v) / c.biasCorrection2Sqrt + eps))
    }

    typealias Lanes = SIMD16<Float>

    /// `count` (1...16) floats from `x`, the lanes past them zero.
    @_transparent
    static func load(_ x: UnsafeMutablePointer<Float>, _ count: Int) -> Lanes {
        if count == Lanes.scalarCount { return UnsafeRawPointer(x).loadUnaligned(as: Lanes.self) }
        var lanes = Lanes()
        for k in 0..<count { lanes[k] = x[k] }
        return lanes
    }

    /// The first `count` (1...16) lanes of `lanes` to `x`.
    @_transparent
    static func store(_ lanes: Lanes, _ x: UnsafeMutablePointer<Float>, _ count: Int) {
        if count == Lanes.scalarCount {
            UnsafeMutableRawPointer(x).storeBytes(of: lanes, as: Lanes.self)
        } else {
            for k in 0..<count { x[k] = lanes[k] }
        }
    }
}
