/// Layer normalisation over the last dimension:
/// `y = (x − mean) · rstd · γ + β`, `rstd = 1 / sqrt(var + ε)` with the biased variance,
/// as `torch.nn.LayerNorm`.
///
/// Shapes: `x`, `y` `[N, C]`; `γ`, `β` `[C]`; the cache `mean`, `rstd` `[N]`.
///
/// The row kernels sum in `FastMath.V` lanes (a scalar float sum is one dependent add per
/// element, which the compiler may not reorder: LayerNorm was latency-bound). The mean and
/// variance are compensated sums: an error in either moves every output of the row the same
/// way, so it adds up coherently in the next layer's dot products (the GPT-2 golden logits
/// showed it at 3e-5 relative with plain lane sums).
public enum LayerNorm {
    typealias V = FastMath.V

    /// Normalises every row of `input` into `output` and records `mean` and `rstd` for the
    /// backward pass. `output` may not alias `input`.
    public static func forward(
        input: MatrixView, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float,
        output: MatrixView, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        pool: ThreadPool
    ) {
        let c = input.cols
        pool.parallelFor(input.rows, grain: 32) { rows in
            for r in rows {
                let x = input.row(r)
                (mean[r], rstd[r]) = normalizeRow(
                    x, sum: sum(x, count: c), weight: weight, bias: bias, epsilon: epsilon, into: output.row(r),
                    count: c)
            }
        }
    }

    /// Gradients of `forward`, with `x̂ = (x − mean)·rstd` and `g = dy·γ`:
    /// `dx = rstd · (g − mean(g) − x̂ · mean(g·x̂))` (overwrites `inputGrad`, which may alias
    /// `outputGrad`), `dγ += Σ_rows dy·x̂`, `dβ += Σ_rows dy` (skipped when `nil`: frozen).
    public static func backward(
        outputGrad: MatrixView, input: MatrixView, weight: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        inputGrad: MatrixView,
        weightGrad: UnsafeMutablePointer<Float>?, biasGrad: UnsafeMutablePointer<Float>?,
        pool: ThreadPool
    ) {
        backward(
            outputGrad: outputGrad, input: input, weight: weight, mean: mean, rstd: rstd, inputGrad: inputGrad,
            weightGrad: weightGrad, biasGrad: biasGrad, pool: pool, afterRow: nil)
    }

    /// `backward`, calling `afterRow(r)` once row r of `inputGrad` is final (while it is in
    /// cache: `ResidualLayerNorm` copies it into the branch's gradient there).
    static func backward(
        outputGrad: MatrixView, input: MatrixView, weight: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, inputGrad: MatrixView,
        weightGrad: UnsafeMutablePointer<Float>?, biasGrad: UnsafeMutablePointer<Float>?,
        pool: ThreadPool, afterRow: ((Int) -> Void)?
    ) {
        let c = input.cols
        let chunks = pool.chunkCount(input.rows, grain: 32)
        let wantsParameterGrads = weightGrad != nil || biasGrad != nil
        // Per-chunk partial sums of dγ and dβ, added in chunk order (deterministic).
        withUnsafeTemporaryAllocation(of: Float.self, capacity: wantsParameterGrads ? 2 * chunks * c : 1) { partial in
            let partial = partial.baseAddress!
            if wantsParameterGrads { partial.initialize(repeating: 0, count: 2 * chunks * c) }
            pool.forEachChunk(input.rows, grain: 32) { chunk, rows in
                let dGamma = partial + 2 * chunk * c, dBeta = dGamma + c
                for r in rows {
                    backwardRow(
                        outputGrad.row(r), input: input.row(r), weight: weight, mean: mean[r], rstd: rstd[r],
                        into: inputGrad.row(r), weightGrad: wantsParameterGrads ? dGamma : nil,
                        biasGrad: wantsParameterGrads ? dBeta : nil, count: c)
                    afterRow?(r)
                }
            }
            guard wantsParameterGrads else { return }
            for chunk in 0..<chunks {
                let dGamma = partial + 2 * chunk * c, dBeta = dGamma + c
                if let weightGrad { for j in 0..<c { weightGrad[j] += dGamma[j] } }
                if let biasGrad { for j in 0..<c { biasGrad[j] += dBeta[j] } }
            }
        }
    }

    // MARK: Row kernels

    /// A sum in lanes with each lane's rounding error kept beside it (Knuth's TwoSum), read
    /// out in Double: as accurate as summing in Double, without converting every element.
    struct CompensatedLanes {
        var sum = V(repeating: 0), error = V(repeating: 0)

        @inline(__always)
        mutating func add(_ x: V) {
            let t = sum + x
            let xPart = t - sum
            error += (sum - (t - xPart)) + (x - xPart)
            sum = t
        }

        @inline(__always)
        var total: Double {
            var total = 0.0
            for k in 0..<V.scalarCount { total += Double(sum[k]) + Double(error[k]) }
            return total
        }
    }

    /// `Σ x[0 ..< count]`, compensated.
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, count c: Int) -> Double {
        var lanes = CompensatedLanes()
        var j = 0
        while j + V.scalarCount <= c {
            lanes.add(UnsafeRawPointer(x + j).loadUnaligned(as: V.self))
            j += V.scalarCount
        }
        var total = lanes.total
        while j < c { total += Double(x[j]); j += 1 }
        return total
    }

    /// One row of `forward` given the row's sum: two passes over a row that sits in L1 (the
    /// centred sum of squares, as accurate as Welford; then the output). Returns the cache.
    @inline(__always)
    static func normalizeRow(
        _ x: UnsafePointer<Float>, sum: Double, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        epsilon: Float, into y: UnsafeMutablePointer<Float>, count c: Int
    ) -> (mean: Float, rstd: Float) {
        let m = Float(sum / Double(c))
        var lanes = CompensatedLanes()
        var j = 0
        while j + V.scalarCount <= c {
            let d = UnsafeRawPointer(x + j).loadUnaligned(as: V.self) - m
            lanes.add(d * d)
            j += V.scalarCount
        }
        var squares = lanes.total
        while j < c {
            let d = Double(x[j] - m)
            squares += d * d
            j += 1
        }
        let s = Float(1 / (squares / Double(c) + Double(epsilon)).squareRoot())
        j = 0
        while j + V.scalarCount <= c {
            let xhat = (UnsafeRawPointer(x + j).loadUnaligned(as: V.self) - m) * s
            let out =
                xhat * UnsafeRawPointer(weight + j).loadUnaligned(as: V.self)
                + UnsafeRawPointer(bias + j).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(y + j).storeBytes(of: out, as: V.self)
            j += V.scalarCount
        }
        while j < c {
            y[j] = (x[j] - m) * s * weight[j] + bias[j]
            j += 1
        }
        return (m, s)
    }

    /// One row of `backward`: the two row sums (and `dγ`, `dβ` when given) in one pass, then
    /// `dx` (which may alias `dy`).
    @inline(__always)
    static func backwardRow(
        _ dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, weight: UnsafePointer<Float>, mean m: Float,
        rstd s: Float, into dx: UnsafeMutablePointer<Float>, weightGrad dGamma: UnsafeMutablePointer<Float>?,
        biasGrad dBeta: UnsafeMutablePointer<Float>?, count c: Int
    ) {
        var gLanes = V(repeating: 0), gxLanes = V(repeating: 0)
        var j = 0
        while j + V.scalarCount <= c {
            let xhat = (UnsafeRawPointer(x + j).loadUnaligned(as: V.self) - m) * s
            let d = UnsafeRawPointer(dy + j).loadUnaligned(as: V.self)
            let g = d * UnsafeRawPointer(weight + j).loadUnaligned(as: V.self)
            gLanes += g
            gxLanes += g * xhat
            if let dGamma, let dBeta {
                let gamma = UnsafeMutableRawPointer(dGamma + j), beta = UnsafeMutableRawPointer(dBeta + j)
                gamma.storeBytes(of: gamma.loadUnaligned(as: V.self) + d * xhat, as: V.self)
                beta.storeBytes(of: beta.loadUnaligned(as: V.self) + d, as: V.self)
            }
            j += V.scalarCount
        }
        var meanG = gLanes.sum(), meanGX = gxLanes.sum()
        let vectorEnd = j
        while j < c {
            let xhat = (x[j] - m) * s
            let g = dy[j] * weight[j]
            meanG += g
            meanGX += g * xhat
            if let dGamma, let dBeta {
                dGamma[j] += dy[j] * xhat
                dBeta[j] += dy[j]
            }
            j += 1
        }
        meanG /= Float(c)
        meanGX /= Float(c)
        j = 0
        while j < vectorEnd {
            let xhat = (UnsafeRawPointer(x + j).loadUnaligned(as: V.self) - m) * s
            let g =
                UnsafeRawPointer(dy + j).loadUnaligned(as: V.self)
                * UnsafeRawPointer(weight + j).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(dx + j).storeBytes(of: s * (g - meanG - xhat * meanGX), as: V.self)
            j += V.scalarCount
        }
        while j < c {
            let xhat = (x[j] - m) * s
            dx[j] = s * (dy[j] * weight[j] - meanG - xhat * meanGX)
            j += 1
        }
    }
}
