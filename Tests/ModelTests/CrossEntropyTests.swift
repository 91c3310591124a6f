import Foundation
import Testing
@testable import Model

/// `CrossEntropy.forwardBackward` against a direct `Double` evaluation of its definition, at
/// vocabulary-sized rows (the SIMD path and its tail), with label smoothing, ignored rows and
/// rows shared among threads; the loss does not depend on the thread count.
@Suite struct CrossEntropyTests {
    /// loss_i = −Σ_k q_k · log softmax(z_i)_k and its gradient (softmax − q) · scale, in Double.
    static func reference(_ z: [Float], labels: [Int32], classes k: Int, epsilon: Double, scale: Double)
        -> (loss: Double, grad: [Double])
    {
        var loss = 0.0
        var grad = [Double](repeating: 0, count: z.count)
        for (i, label) in labels.enumerated() where label >= 0 {
            let row = z[(i * k)..<((i + 1) * k)].map(Double.init)
            let largest = row.max()!
            let logSum = largest + log(row.reduce(0) { $0 + exp($1 - largest) })
            for j in 0..<k {
                let q = epsilon / Double(k) + (j == Int(label) ? 1 - epsilon : 0)
                loss -= q * (row[j] - logSum)
                grad[i * k + j] = (exp(row[j] - logSum) - q) * scale
            }
        }
        return (loss, grad)
    }

    @Test(arguments: [(1000, 0.0), (1037, 0.1), (13, 0.0), (16, 0.2)])
    func matchesDefinition(classes k: Int, epsilon: Double) {
        let rows = 7
        var state: UInt64 = 99
        let z: [Float] = (0..<(rows * k)).map { _ in
            state = CounterRNG.mix64(state &+ 0x9E37_79B9_7F4A_7C15)
            return Float(Int(state >> 40) % 2000 - 1000) / 100
        }
        let labels: [Int32] = (0..<rows).map { $0 == 3 ? -100 : Int32(($0 * 131) % k) }
        let expected = Self.reference(z, labels: labels, classes: k, epsilon: epsilon, scale: 0.25)
        var losses: [Double] = []
        for threads in [1, 2, 3] {
            var grad = [Float](repeating: .nan, count: rows * k)
            let loss = CrossEntropy.forwardBackward(
                logits: z, labels: labels, rows: rows, classes: k, labelSmoothing: Float(epsilon), gradScale: 0.25,
                logitsGrad: &grad, pool: ThreadPool(threads: threads))
            #expect(abs(loss - expected.loss) <= 1e-5 * abs(expected.loss))
            let worst = zip(grad, expected.grad).map { abs(Double($0) - $1) }.max()!
            #expect(worst <= 2e-7, "largest gradient difference \(worst)")
            losses.append(loss)
        }
        #expect(Set(losses).count == 1, "the loss depends on the thread count: \(losses)")
    }
}
