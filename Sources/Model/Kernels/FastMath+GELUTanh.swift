/// The tanh approximation of GELU (transformers' `gelu_new` and `gelu_pytorch_tanh`, GPT-2's
/// activation), vectorised like the exact form:
///
///     gelu(x) = ½·x·(1 + tanh(u)) = x·σ(2u),    u = √(2/π)·(x + 0.044715·x³)
///
/// Written with the logistic σ(z) = 1/(1 + e^{−z}) so that it stays finite at both ends
/// (e^{−2u} overflows to +∞ for very negative x, giving σ = 0, never ∞/∞). The derivative is
///
///     gelu'(x) = σ(2u) + x·σ(2u)·(1 − σ(2u))·2u',    u' = √(2/π)·(1 + 3·0.044715·x²)
///
/// Accuracy is that of `FastMath.exp` (2 ulp) through one division: within a few 1e-7
/// relative of the float64 formula (`FastMathTests`).
extension FastMath {
    static let sqrtTwoOverPi: Float = 0.7978845608028654
    static let tanhCubic: Float = 0.044715

    /// σ(2u(x)) and 2u'(x) per lane.
    @_transparent
    static func tanhGate(_ x: V) -> (gate: V, slope: V) {
        let x2 = x * x
        let twoU = 2 * sqrtTwoOverPi * (x + tanhCubic * x2 * x)
        let gate = 1 / (1 + exp(-twoU))
        let slope = 2 * sqrtTwoOverPi * (1 + 3 * tanhCubic * x2)
        return (gate, slope)
    }

    /// `y = x·σ(2u)` for `count` values.
    public static func geluTanh(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + V.scalarCount <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: v * tanhGate(v).gate, as: V.self)
            i += V.scalarCount
        }
        if i < count { tail(count - i, input: x + i, output: y + i) { v in v * tanhGate(v).gate } }
    }

    /// `dx = dy · (σ + x·σ·(1 − σ)·2u')`; `dx` may alias `dy`.
    public static func geluTanhBackward(
        _ x: UnsafePointer<Float>, outputGrad dy: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        @inline(__always) func derivative(_ v: V) -> V {
            let (gate, slope) = tanhGate(v)
            return gate + v * gate * (1 - gate) * slope
        }
        var i = 0
        while i + V.scalarCount <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
            let g = UnsafeRawPointer(dy + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(dx + i).storeBytes(of: g * derivative(v), as: V.self)
            i += V.scalarCount
        }
        while i < count {
            dx[i] = dy[i] * derivative(V(repeating: x[i]))[0]
            i += 1
        }
    }
}
