#if canImport(Glibc)
    import Glibc
#endif

/// Element-wise transcendental functions over contiguous runs of `Float`.
///
/// These are the reference implementations (libm, one value at a time); fast vectorised
/// versions replace them behind the same signatures only where a test holds them to these.
public enum VectorMath {
    static let inverseSqrt2: Float = 0.70710678118654752
    static let inverseSqrt2Pi: Float = 0.39894228040143268

    /// `y[i] = ½·x·(1 + erf(x/√2))`.
    public static func gelu(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let v = x[i]
            y[i] = 0.5 * v * (1 + erff(v * inverseSqrt2))
        }
    }

    /// `dx[i] = dy[i] · (Φ(x) + x·φ(x))`, `Φ(x) = ½(1 + erf(x/√2))`, `φ(x) = e^{−x²/2}/√(2π)`.
    /// `dx` may alias `dy`.
    public static func geluBackward(
        _ x: UnsafePointer<Float>, outputGrad dy: UnsafePointer<Float>,
        into dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count {
            let v = x[i]
            let cdf = 0.5 * (1 + erff(v * inverseSqrt2))
            let pdf = expf(-0.5 * v * v) * inverseSqrt2Pi
            dx[i] = dy[i] * (cdf + v * pdf)
        }
    }

    /// `y[i] = tanh(x[i])`.
    public static func tanh(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = tanhf(x[i]) }
    }

    /// Softmax of one row in place: `x[i] = exp(x[i] − max) / Σ exp(x − max)`.
    public static func softmaxInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        guard count > 0 else { return }
        var maxValue = x[0]
        for i in 1..<count where x[i] > maxValue { maxValue = x[i] }
        var sum: Float = 0
        for i in 0..<count {
            let e = expf(x[i] - maxValue)
            x[i] = e
            sum += e
        }
        let inverse = 1 / sum
        for i in 0..<count { x[i] *= inverse }
    }
}
