/// Vectorised `exp` and GELU on vector lanes (`V`), for the two element-wise costs that
/// rival the GEMMs at BERT sizes: softmax (≈75 M `exp` per step at 32 × 128) and GELU
/// (≈38 M `erf` forward and again backward). glibc's scalar `expf` (≈3 ns) and `erff`
/// (≈10 ns) would cost about as much as the matrix products.
///
/// Accuracy, checked against libm in `FastMathTests` over dense grids: `exp` within 2 ulp
/// (relative 2e-7) over its whole range; GELU within (1e-6 + 1e-7·x²) relative — the x²
/// term is float's own conditioning of e^{−x²/2} — plus 1e-30 absolute in the far negative
/// tail, its derivative within the same bound of the magnitude of its terms
/// Φ(x) + |x·φ(x)| (it crosses zero near x = −0.75). The libm references stay in
/// `VectorMath`.
public enum FastMath {
    /// One vector register of floats on the build's target: 16 lanes where it has AVX-512,
    /// else 8 (AVX2 has 16 registers of 8 lanes: 16-lane code would take two of them per
    /// value and spill in the GELU's polynomial). Element-wise results do not depend on the
    /// width (every lane computes the same function; tails go through a padded vector); sums
    /// along a row (softmax, LayerNorm) round differently per width.
    #if DDP_BUILD_AVX512
        typealias V = SIMD16<Float>
        typealias VInt = SIMD16<Int32>
    #else
        typealias V = SIMD8<Float>
        typealias VInt = SIMD8<Int32>
    #endif

    // MARK: exp

    static let log2e: Float = 1.44269504088896341
    /// ln 2 split in a part exact in float (few mantissa bits) and the rest, so that
    /// `x − n·ln2` loses nothing for |n| ≤ 128 (Cody–Waite reduction).
    static let ln2High: Float = 0.693145751953125
    static let ln2Low: Float = 1.428606765330187045e-06

    /// `e^x` per lane: e^r (`reducedExp`) scaled by 2ⁿ through the exponent bits. Inputs below
    /// −87.3 give 0, above 88.7 give +∞ (as `expf` around float's range).
    @_transparent
    static func exp(_ x: V) -> V {
        // Only concrete lane operations (compare, select, add, multiply, bit casts, integer
        // shifts): the generic SIMD conversions and `clamped` of the standard library do
        // not vectorise and cost more than the whole function.
        var c = x.replacing(with: -87.5, where: x .< -87.5)
        c = c.replacing(with: 88.7, where: c .> 88.7)
        let (p, integer) = reducedExp(c)
        let half = integer &>> 1
        let scale1 = unsafeBitCast((half &+ 127) &<< 23, to: V.self)
        let scale2 = unsafeBitCast((integer &- half &+ 127) &<< 23, to: V.self)
        var result = p * scale1 * scale2
        result.replace(with: 0, where: x .< -87.3)
        result.replace(with: Float.infinity, where: x .> 88.7)
        return result
    }

    /// What `exp` and `expNonPositive` share: x = n·ln2 + r with |r| ≤ ln2/2, e^r by its
    /// Taylor series to r⁷ (truncation < 6e-9 relative), and n as an integer per lane.
    @_transparent
    static func reducedExp(_ x: V) -> (expR: V, n: VInt) {
        // n = round(x·log2 e) by the 1.5·2²³ trick: the sum's low mantissa bits hold n.
        let magic = V(repeating: 12_582_912)
        let shifted = x * log2e + magic
        let n = shifted - magic
        let r = x - n * ln2High - n * ln2Low
        var p = V(repeating: 1.0 / 5040)
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        return (p, unsafeBitCast(shifted, to: VInt.self) &- 0x4B40_0000)
    }

    /// `e^x` per lane for x ≤ 0 — softmax's shifted scores and the GELU's exponents — with
    /// `exp`'s reduction and polynomial but one clamp and one scaling: for x in [−87.3, 0],
    /// n is in [−126, 0] and 2ⁿ a normal float. Below −87.3 (−∞ included) it gives 0.
    @_transparent
    static func expNonPositive(_ x: V) -> V {
        let (p, integer) = reducedExp(x.replacing(with: -87.3, where: x .< -87.3))
        let scale = unsafeBitCast((integer &+ 127) &<< 23, to: V.self)
        return (p * scale).replacing(with: 0, where: x .< -87.3)
    }

    // MARK: GELU

    /// Coefficients of P(t) in erfc(z) = t·exp(−z² + P(t)), t = 1/(1 + z/2), highest degree
    /// first; fitted by `tools/fit_gelu.py` (erfc within 1.5e-8 relative on z ∈ [0, 9]).
    static let erfcCoefficients: [Float] = [
        -1.5858186430e-01, 1.0733814821e+00, -3.0589048388e+00, 4.6571041317e+00, -3.9664601575e+00,
        1.9402658892e+00, -8.3252719469e-01, 2.6089751054e-01, 3.4807405775e-01, 1.0023531015e+00,
        -1.2656021170e+00,
    ]

    /// `Φ(x)` (the normal CDF) per lane, through `erfc(z) = t·exp(−z² + P(t))` with one `exp`.
    /// Using erfc for both signs keeps relative accuracy in the tails, where `½(1 + erf)`
    /// would cancel.
    @_transparent
    static func normalCDF(_ x: V) -> V {
        var z = x.replacing(with: -x, where: x .< 0) * 0.70710678118654752
        z.replace(with: 9, where: z .> 9)
        let t = 1 / (1 + 0.5 * z)
        let c = erfcCoefficients
        var p = V(repeating: c[0])
        p = p * t + c[1]; p = p * t + c[2]; p = p * t + c[3]; p = p * t + c[4]; p = p * t + c[5]
        p = p * t + c[6]; p = p * t + c[7]; p = p * t + c[8]; p = p * t + c[9]; p = p * t + c[10]
        // −z² = −x²/2 from x itself (z = x/√2 rounds, which e^{−z²} would magnify by 2z²), with
        // x² exactly as xx + xxError (the product's rounding error through a fused
        // multiply-add), so the exponent carries only the rounding of its sum.
        let xx = x * x
        let xxError = (-xx).addingProduct(x, x)
        let halfErfc = 0.5 * t * expNonPositive(p - 0.5 * xx - 0.5 * xxError)
        // Φ(x) = ½·erfc(|x|/√2) for x < 0, 1 − ½·erfc(x/√2) for x ≥ 0.
        return halfErfc.replacing(with: 1 - halfErfc, where: x .>= 0)
    }

    /// `y = x·Φ(x)` for `count` values.
    public static func gelu(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + V.scalarCount <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: v * normalCDF(v), as: V.self)
            i += V.scalarCount
        }
        if i < count { tail(count - i, input: x + i, output: y + i) { v in v * normalCDF(v) } }
    }

    /// `dx = dy · (Φ(x) + x·φ(x))` from the forward pass's input `x` and output `y = x·Φ(x)`;
    /// `dx` may alias `dy`. Φ is recovered as `y / x` (a few ulp from the forward's Φ) and,
    /// for |x| < 2⁻¹⁰, as `½ + x·φ(0)` (off by φ(0)·|x|³/6 < 1e-10), so the backward pass costs
    /// one `exp` (for φ) instead of the whole erfc again. Where `x·Φ(x)` underflows (x < −13)
    /// both terms are below 1e-37.
    public static func geluBackward(
        _ x: UnsafePointer<Float>, output y: UnsafePointer<Float>, outputGrad dy: UnsafePointer<Float>,
        into dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        while i + V.scalarCount <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
            let out = UnsafeRawPointer(y + i).loadUnaligned(as: V.self)
            let g = UnsafeRawPointer(dy + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(dx + i).storeBytes(of: g * geluDerivative(v, output: out), as: V.self)
            i += V.scalarCount
        }
        while i < count {
            dx[i] = dy[i] * geluDerivative(V(repeating: x[i]), output: V(repeating: y[i]))[0]
            i += 1
        }
    }

    /// `Φ(x) + x·φ(x)` per lane from x and `x·Φ(x)` (see `geluBackward`).
    @_transparent
    static func geluDerivative(_ v: V, output out: V) -> V {
        let magnitude = v.replacing(with: -v, where: v .< 0)
        let cdf = (out / v).replacing(with: 0.5 + v * 0.39894228040143268, where: magnitude .< 0.0009765625)
        return cdf + v * expNonPositive(-0.5 * v * v) * 0.39894228040143268
    }

    /// Applies `f` to the last `count` (< `V.scalarCount`) values through a padded vector.
    @inline(__always)
    static func tail(_ count: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, _ f: (V) -> V) {
        var v = V(repeating: 0)
        for j in 0..<count { v[j] = input[j] }
        let r = f(v)
        for j in 0..<count { output[j] = r[j] }
    }

    // MARK: softmax

    /// Softmax of one row in place, `exp` vectorised.
    public static func softmaxInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        guard count > 0 else { return }
        var maxVector = V(repeating: -.infinity)
        var i = 0
        while i + V.scalarCount <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
            maxVector.replace(with: v, where: v .> maxVector)
            i += V.scalarCount
        }
        var maxValue = maxVector.max()
        while i < count { maxValue = Swift.max(maxValue, x[i]); i += 1 }
        let m = V(repeating: maxValue)
        var sumVector = V(repeating: 0)
        i = 0
        while i + V.scalarCount <= count {
            let e = expNonPositive(UnsafeRawPointer(x + i).loadUnaligned(as: V.self) - m)
            UnsafeMutableRawPointer(x + i).storeBytes(of: e, as: V.self)
            sumVector += e
            i += V.scalarCount
        }
        var sum = sumVector.sum()
        if i < count {
            var v = V(repeating: -.infinity)
            for j in 0..<(count - i) { v[j] = x[i + j] }
            let e = expNonPositive(v - m)
            for j in 0..<(count - i) { x[i + j] = e[j]; sum += e[j] }
        }
        let inverse = 1 / sum
        i = 0
        while i + V.scalarCount <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(x + i).storeBytes(of: v * inverse, as: V.self)
            i += V.scalarCount
        }
        while i < count { x[i] *= inverse; i += 1 }
    }
}
