import Foundation
import TestSupport
import Testing
@testable import Model

/// The vectorised functions against libm (in Double) over dense grids, tails included.
@Suite struct FastMathTests {
    static func grid(from low: Float, to high: Float, count: Int) -> [Float] {
        (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
    }

    /// The worst relative error of `f` against libm's exp over `xs`, `f` applied a vector at a
    /// time; below −87.3 it must give 0 and above 88.7 +∞.
    static func worstExpError(_ xs: [Float], _ f: (FastMath.V) -> FastMath.V) -> Double {
        let w = FastMath.V.scalarCount
        var worst = 0.0
        for start in stride(from: 0, to: xs.count - w, by: w) {
            var v = FastMath.V()
            for j in 0..<w { v[j] = xs[start + j] }
            let e = f(v)
            for j in 0..<w {
                let x = Double(xs[start + j])
                if x < -87.3 { #expect(e[j] == 0, "exp(\(x))"); continue }
                if x > 88.7 { #expect(e[j] == .infinity, "exp(\(x))"); continue }
                worst = max(worst, abs(Double(e[j]) / Foundation.exp(x) - 1))
            }
        }
        return worst
    }

    @Test func expMatchesLibm() {
        let xs = Self.grid(from: -87, to: 88, count: 200_003) + [-1e-30, 0, 1e-30, -100, 100, -87.4, 88.75]
        let worst = Self.worstExpError(xs) { FastMath.exp($0) }
        #expect(worst < 2.5e-7, "worst relative error of exp: \(worst)")
    }

    @Test func expOfNonPositiveArgumentsMatchesLibm() {
        let xs = Self.grid(from: -88, to: 0, count: 200_003) + [-1e-30, -0.0, -87.29, -87.31, -100, -.infinity]
        let worst = Self.worstExpError(xs) { FastMath.expNonPositive($0) }
        #expect(worst < 2.5e-7, "worst relative error of expNonPositive: \(worst)")
    }

    @Test func geluAndDerivativeMatchDoubleReference() {
        let xs = Self.grid(from: -14, to: 14, count: 100_001) + [0, -0.0, 1e-20, -1e-20, 40, -40]
        var y = [Float](repeating: 0, count: xs.count), dx = [Float](repeating: 0, count: xs.count)
        let ones = [Float](repeating: 1, count: xs.count)
        FastMath.gelu(xs, into: &y, count: xs.count)
        FastMath.geluBackward(xs, output: y, outputGrad: ones, into: &dx, count: xs.count)
        var worstValue = 0.0, worstDerivative = 0.0
        for (i, xf) in xs.enumerated() {
            let x = Double(xf)
            let cdf = 0.5 * Foundation.erfc(-x / 2.0.squareRoot())
            let value = x * cdf
            let derivative = cdf + x * Foundation.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
            // Errors in units of the bound 1e-6 + 1e-7·x² relative (8 ulp) — the x² term is the
            // conditioning of e^{−x²/2} in float: x² itself rounds to ε·x² — with 1e-30
            // absolute for the far tail (|GELU| ~ 1e-29 at x = −11). The derivative is measured
            // against the magnitude of its two terms, Φ(x) + |x·φ(x)|, as it crosses zero near
            // x = −0.75.
            let bound = 1e-6 + 1e-7 * x * x
            let pdfTerm = abs(x * Foundation.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot())
            worstValue = max(worstValue, max(0, abs(Double(y[i]) - value) - 1e-30) / (abs(value) + 1e-300) / bound)
            worstDerivative = max(
                worstDerivative, max(0, abs(Double(dx[i]) - derivative) - 1e-30) / (cdf + pdfTerm + 1e-300) / bound)
        }
        #expect(worstValue <= 1, "worst GELU error, in units of the bound: \(worstValue)")
        #expect(worstDerivative <= 1, "worst GELU' error, in units of the bound: \(worstDerivative)")
    }

    @Test(arguments: [1, 5, 16, 17, 128, 131])
    func softmaxMatchesReference(count: Int) {
        var random = TestRandom(seed: UInt64(count))
        let x = random.array(count, scale: 20)
        var fast = x, reference = x
        FastMath.softmaxInPlace(&fast, count: count)
        VectorMath.softmaxInPlace(&reference, count: count)
        expectClose(fast, reference, absolute: 1e-9, relative: 1e-6, "softmax of \(count)")
    }
}
