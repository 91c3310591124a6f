import Testing

/// Checks every element with `|a − e| ≤ absolute + relative·|e|`; NaN never passes. Reports
/// the worst element (the one furthest beyond its allowance) with its index and `name`.
public func expectClose(
    _ actual: UnsafeBufferPointer<Float>, _ expected: UnsafeBufferPointer<Float>,
    absolute: Float, relative: Float, _ name: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.count == expected.count else {
        Issue.record(
            "\(name): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
        return
    }
    var worst = -1
    var worstExcess: Float = 0
    for i in 0..<actual.count {
        let a = actual[i], e = expected[i]
        let allowed = absolute + relative * abs(e)
        let error = abs(a - e)
        if !(error <= allowed) {  // also catches NaN
            let excess = error.isNaN ? .infinity : error - allowed
            if worst < 0 || excess > worstExcess {
                worst = i
                worstExcess = excess
            }
        }
    }
    if worst >= 0 {
        let element = "element \(worst) is \(actual[worst]), expected \(expected[worst])"
        Issue.record("\(name): \(element) (abs \(absolute), rel \(relative))", sourceLocation: sourceLocation)
    }
}

/// `expectClose` on arrays.
public func expectClose(
    _ actual: [Float], _ expected: [Float], absolute: Float, relative: Float, _ name: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    actual.withUnsafeBufferPointer { a in
        expected.withUnsafeBufferPointer { e in
            expectClose(a, e, absolute: absolute, relative: relative, name, sourceLocation: sourceLocation)
        }
    }
}

/// Every element within `tolerance` × the largest magnitude of `expected`; NaN never passes.
/// For sums whose rounding depends on the order of terms, where small elements carry the
/// absolute error of the large ones.
public func expectClose(
    _ actual: [Float], _ expected: [Float], relativeToLargest tolerance: Float, _ name: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.count == expected.count else {
        Issue.record(
            "\(name): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
        return
    }
    let scale = expected.map(abs).max() ?? 0
    let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
    if !(worst <= tolerance * scale) {
        Issue.record(
            "\(name): largest difference \(worst) exceeds \(tolerance) × \(scale)",
            sourceLocation: sourceLocation)
    }
}
