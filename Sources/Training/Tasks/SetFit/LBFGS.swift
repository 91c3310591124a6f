/// Limited-memory BFGS (Nocedal & Wright, "Numerical Optimization", 2nd ed., algorithms 7.4
/// and 7.5) with a backtracking Armijo line search, for small smooth convex problems such as
/// fitting a logistic-regression head. All arithmetic is in `Double`.
struct LBFGS {
    /// Pairs `(s, y)` kept for the inverse-Hessian estimate.
    var memory = 10
    /// Stop when `max |∇f| ≤ tolerance`.
    var tolerance = 1e-9
    var maxIterations = 2000

    struct Result {
        var x: [Double]
        var value: Double
        var gradientMax: Double
        var iterations: Int
        var converged: Bool
    }

    /// Minimises `f` from `start`; `f(x, &gradient)` returns the value and writes the gradient.
    func minimize(from start: [Double], _ f: ([Double], inout [Double]) -> Double) -> Result {
        let n = start.count
        var x = start, g = [Double](repeating: 0, count: n)
        var value = f(x, &g)
        var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
        var iteration = 0
        var trialG = [Double](repeating: 0, count: n)
        while iteration < maxIterations {
            if maxAbs(g) <= tolerance {
                return Result(x: x, value: value, gradientMax: maxAbs(g), iterations: iteration, converged: true)
            }
            iteration += 1
            // Two-loop recursion: direction = −H·g.
            var q = g
            var alpha = [Double](repeating: 0, count: s.count)
            for i in stride(from: s.count - 1, through: 0, by: -1) {
                alpha[i] = rho[i] * dot(s[i], q)
                for j in 0..<n { q[j] -= alpha[i] * y[i][j] }
            }
            let gamma = s.isEmpty ? 1 / max(norm(g), 1e-300) : dot(s.last!, y.last!) / dot(y.last!, y.last!)
            for j in 0..<n { q[j] *= gamma }
            for i in 0..<s.count {
                let beta = rho[i] * dot(y[i], q)
                for j in 0..<n { q[j] += s[i][j] * (alpha[i] - beta) }
            }
            var direction = q.map { -$0 }
            var slope = dot(g, direction)
            if slope >= 0 {  // not a descent direction (numerical trouble): restart from −g
                direction = g.map { -$0 }
                slope = -dot(g, g)
                s.removeAll()
                y.removeAll()
                rho.removeAll()
            }
            // Backtracking until f(x + t·d) ≤ f(x) + 1e-4 · t · gᵀd.
            var step = 1.0, trial = x, trialValue = value
            var accepted = false
            for _ in 0..<60 {
                for j in 0..<n { trial[j] = x[j] + step * direction[j] }
                trialValue = f(trial, &trialG)
                if trialValue <= value + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            guard accepted else { break }
            let sk = (0..<n).map { trial[$0] - x[$0] }, yk = (0..<n).map { trialG[$0] - g[$0] }
            let curvature = dot(sk, yk)
            if curvature > 1e-12 * dot(yk, yk).squareRoot() * dot(sk, sk).squareRoot() {
                if s.count == memory {
                    s.removeFirst()
                    y.removeFirst()
                    rho.removeFirst()
                }
                s.append(sk)
                y.append(yk)
                rho.append(1 / curvature)
            }
            let previous = value
            (x, value, g) = (trial, trialValue, trialG)
            if previous - value <= 1e-16 * max(abs(previous), 1) && maxAbs(g) <= tolerance * 1e3 { break }
        }
        return Result(
            x: x, value: value, gradientMax: maxAbs(g), iterations: iteration, converged: maxAbs(g) <= tolerance)
    }

    private func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }

    private func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

    private func maxAbs(_ a: [Double]) -> Double { a.reduce(0) { max($0, abs($1)) } }
}
