import Foundation
@testable import Model

/// Deterministic pseudo-random floats for test inputs (not the dropout generator).
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return CounterRNG.mix64(state)
    }
    /// Uniform in [-scale, scale).
    mutating func float(_ scale: Float = 1) -> Float {
        (Float(next() >> 40) / Float(1 << 24) * 2 - 1) * scale
    }
    mutating func fill(_ p: UnsafeMutablePointer<Float>, count: Int, scale: Float = 1) {
        for i in 0..<count { p[i] = float(scale) }
    }
    mutating func array(_ count: Int, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in float(scale) }
    }
}

extension FloatSlab {
    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        for (i, v) in values.enumerated() { base[i] = v }
    }
    var array: [Float] { Array(buffer) }
}

/// The analytic gradients at slab elements `indices` beside central differences of `loss`
/// (step `h`, each element restored after): what a whole-model gradient check compares.
func centralDifferences(
    parameters: FloatSlab, gradients: FloatSlab, at indices: [Int], h: Float = 1e-2, loss: () -> Double
) -> (analytic: [Float], numeric: [Float]) {
    var analytic: [Float] = [], numeric: [Float] = []
    for i in indices {
        analytic.append(gradients.base[i])
        let saved = parameters.base[i]
        parameters.base[i] = saved + h
        let up = loss()
        parameters.base[i] = saved - h
        let down = loss()
        parameters.base[i] = saved
        numeric.append(Float((up - down) / Double(2 * h)))
    }
    return (analytic, numeric)
}
