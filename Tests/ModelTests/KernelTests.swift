import TestSupport
import Testing
@testable import Model

/// Every fast kernel against its naive reference, on odd shapes.
@Suite struct KernelTests {
    @Test(arguments: [(1, 1, 1), (3, 5, 7), (17, 13, 9), (64, 33, 129), (2, 300, 5)])
    func gemmMatchesNaive(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var random = TestRandom(seed: UInt64(m * 10_000 + n * 100 + k))
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                for beta: Float in [0, 1] {
                    // Strided views: one padding column in every operand.
                    let (ar, ac) = transposeA ? (k, m) : (m, k)
                    let (br, bc) = transposeB ? (n, k) : (k, n)
                    let a = FloatSlab(random.array(ar * (ac + 1)))
                    let b = FloatSlab(random.array(br * (bc + 1)))
                    let initial = random.array(m * (n + 1))
                    let fast = FloatSlab(initial), naive = FloatSlab(initial)
                    let av = MatrixView(a.base, rows: ar, cols: ac, rowStride: ac + 1)
                    let bv = MatrixView(b.base, rows: br, cols: bc, rowStride: bc + 1)
                    BLAS.gemm(
                        av, transposeA: transposeA, bv, transposeB: transposeB,
                        into: MatrixView(fast.base, rows: m, cols: n, rowStride: n + 1), alpha: 0.75, beta: beta)
                    BLAS.naiveGemm(
                        av, transposeA: transposeA, bv, transposeB: transposeB,
                        into: MatrixView(naive.base, rows: m, cols: n, rowStride: n + 1), alpha: 0.75, beta: beta)
                    expectClose(
                        fast.array, naive.array, absolute: 1e-5, relative: 1e-5,
                        "gemm \(m)x\(n)x\(k) tA=\(transposeA) tB=\(transposeB) beta=\(beta)")
                }
            }
        }
    }

    @Test func vectorRandomBitsEqualScalar() {
        for key: UInt64 in [0, 1, 0xDEAD_BEEF_0123_4567, .max] {
            for start: UInt32 in [0, 17, 4_000_000_000] {
                let v = CounterRNG.bits16(key: key, counter: start)
                for lane in 0..<16 {
                    #expect(v[lane] == CounterRNG.bits(key: key, counter: start &+ UInt32(lane)))
                }
            }
        }
    }

    @Test(arguments: [Float(0.1), 0.5, 0.9])
    func dropoutMatchesReferenceMaskAndRate(p: Float) {
        let count = 100_003  // odd: exercises the vector body and the scalar tail
        var values = [Float](repeating: 1, count: count)
        let key = DropoutKey(seed: 42, step: 3).stream(sample: 11, site: .embeddings)
        values.withUnsafeMutableBufferPointer {
            Dropout.apply($0.baseAddress!, count: count, probability: p, key: key, firstCounter: 5)
        }
        let mask = Dropout.referenceMask(count: count, probability: p, key: key, firstCounter: 5)
        let expected = mask.map { $0 / (1 - p) }
        expectClose(values, expected, absolute: 0, relative: 1e-6, "dropout p=\(p)")
        let keptFraction = Double(mask.reduce(0, +)) / Double(count)
        // Binomial standard deviation is < 0.0016 here; allow 4σ.
        #expect(abs(keptFraction - Double(1 - p)) < 0.0064, "kept \(keptFraction), expected \(1 - p)")
    }

    /// Every tail length after the vector body (attention rows have any number of keys), and
    /// the two-output form the attention backward pass uses, against the scalar reference.
    @Test func dropoutTailsOfEveryLengthMatchReference() {
        let p: Float = 0.3
        let key = DropoutKey(seed: 7, step: 2).stream(sample: 5, site: .attentionProbabilities(layer: 1))
        var random = TestRandom(seed: 99)
        for count in 1...50 {
            let source = random.array(count)
            let secondIn = random.array(count)
            var destination = [Float](repeating: .nan, count: count)
            var second = secondIn
            source.withUnsafeBufferPointer { from in
                destination.withUnsafeMutableBufferPointer { into in
                    second.withUnsafeMutableBufferPointer { also in
                        Dropout.apply(
                            from: from.baseAddress!, into: into.baseAddress!, alsoTo: also.baseAddress!, count: count,
                            probability: p, key: key, firstCounter: 1000 + UInt32(count))
                    }
                }
            }
            let mask = Dropout.referenceMask(count: count, probability: p, key: key, firstCounter: 1000 + UInt32(count))
            expectClose(
                destination, zip(source, mask).map { $0 * $1 / (1 - p) }, absolute: 0, relative: 1e-6, "n=\(count)")
            expectClose(
                second, zip(secondIn, mask).map { $0 * $1 / (1 - p) }, absolute: 0, relative: 1e-6, "n=\(count)")
        }
    }

    @Test func dropoutStreamsDifferBySampleSiteAndStep() {
        let base = DropoutKey(seed: 1, step: 1)
        let keys = [
            base.stream(sample: 0, site: .embeddings),
            base.stream(sample: 1, site: .embeddings),
            base.stream(sample: 0, site: .attentionOutput(layer: 0)),
            DropoutKey(seed: 1, step: 2).stream(sample: 0, site: .embeddings),
            DropoutKey(seed: 2, step: 1).stream(sample: 0, site: .embeddings),
        ]
        #expect(Set(keys).count == keys.count)
        let masks = keys.map { Dropout.referenceMask(count: 256, probability: 0.5, key: $0, firstCounter: 0) }
        for i in 0..<masks.count {
            for j in (i + 1)..<masks.count {
                let agree = zip(masks[i], masks[j]).filter { $0 == $1 }.count
                #expect(agree > 90 && agree < 166, "masks \(i) and \(j) agree on \(agree) of 256")
            }
        }
    }

    @Test func layerNormMatchesDoubleReference() {
        let rows = 7, cols = 37
        var random = TestRandom(seed: 5)
        let x = FloatSlab(random.array(rows * cols, scale: 3))
        let gamma = FloatSlab(random.array(cols)), beta = FloatSlab(random.array(cols))
        let y = FloatSlab(count: rows * cols), mean = FloatSlab(count: rows), rstd = FloatSlab(count: rows)
        LayerNorm.forward(
            input: MatrixView(x.base, rows: rows, cols: cols), weight: gamma.base, bias: beta.base,
            epsilon: 1e-12, output: MatrixView(y.base, rows: rows, cols: cols),
            mean: mean.base, rstd: rstd.base, pool: .serial)
        var expected = [Float]()
        for r in 0..<rows {
            let row = (0..<cols).map { Double(x.base[r * cols + $0]) }
            let m = row.reduce(0, +) / Double(cols)
            let v = row.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(cols)
            for j in 0..<cols {
                expected.append(
                    Float((row[j] - m) / (v + 1e-12).squareRoot() * Double(gamma.base[j]) + Double(beta.base[j])))
            }
        }
        expectClose(y.array, expected, absolute: 1e-5, relative: 1e-5, "layer norm")
    }

    @Test func threadedKernelsEqualSerial() {
        // Row-split kernels give the same values with 1 and 3 threads (LayerNorm parameter
        // gradients are summed per chunk, so they agree to rounding only).
        let rows = 301, cols = 40
        var random = TestRandom(seed: 9)
        let x = random.array(rows * cols, scale: 2), dy = random.array(rows * cols)
        let gamma = random.array(cols), beta = random.array(cols)
        func run(_ pool: ThreadPool) -> ([Float], [Float], [Float]) {
            let xs = FloatSlab(x), y = FloatSlab(count: rows * cols), mean = FloatSlab(count: rows),
                rstd = FloatSlab(count: rows)
            let g = FloatSlab(gamma), b = FloatSlab(beta)
            LayerNorm.forward(
                input: MatrixView(xs.base, rows: rows, cols: cols), weight: g.base, bias: b.base, epsilon: 1e-5,
                output: MatrixView(y.base, rows: rows, cols: cols), mean: mean.base, rstd: rstd.base, pool: pool)
            let d = FloatSlab(dy), dg = FloatSlab(count: cols), db = FloatSlab(count: cols)
            LayerNorm.backward(
                outputGrad: MatrixView(d.base, rows: rows, cols: cols),
                input: MatrixView(xs.base, rows: rows, cols: cols),
                weight: g.base, mean: mean.base, rstd: rstd.base, inputGrad: MatrixView(d.base, rows: rows, cols: cols),
                weightGrad: dg.base, biasGrad: db.base, pool: pool)
            return (y.array, d.array, dg.array + db.array)
        }
        let serial = run(.serial), threaded = run(ThreadPool(threads: 3))
        #expect(serial.0 == threaded.0)
        #expect(serial.1 == threaded.1)
        expectClose(threaded.2, serial.2, absolute: 1e-4, relative: 1e-5, "LayerNorm parameter gradients")
    }
}
