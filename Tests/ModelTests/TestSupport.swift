import Foundation
import Testing
@testable import Model

/// Where the golden files live: `Tests/Fixtures`, found from this source file.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// The pretrained all-MiniLM-L6-v2 directory set up by `tools/setup.sh`.
    static func miniLM() throws -> URL {
        let env = ProcessInfo.processInfo.environment
        let path = env["DDP_TRAIN_MODEL"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache/ddp-train/all-MiniLM-L6-v2")
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("model.safetensors").path) else {
            throw FixtureMissing(what: "pretrained all-MiniLM-L6-v2 at \(path): run tools/setup.sh (or set DDP_TRAIN_MODEL)")
        }
        return url
    }
}

struct FixtureMissing: Error, CustomStringConvertible {
    let what: String
    var description: String { "missing \(what)" }
}

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

/// Checks every element with `|a − e| ≤ absolute + relative·|e|`; NaN never passes. Reports
/// the worst element with its index and the name.
func expectClose(
    _ actual: UnsafeBufferPointer<Float>, _ expected: UnsafeBufferPointer<Float>,
    absolute: Float, relative: Float, _ name: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.count == expected.count else {
        Issue.record("\(name): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
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
        Issue.record("\(name): element \(worst) is \(actual[worst]), expected \(expected[worst]) (abs \(absolute), rel \(relative))",
                     sourceLocation: sourceLocation)
    }
}

func expectClose(
    _ actual: [Float], _ expected: [Float], absolute: Float, relative: Float, _ name: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    actual.withUnsafeBufferPointer { a in
        expected.withUnsafeBufferPointer { e in
            expectClose(a, e, absolute: absolute, relative: relative, name, sourceLocation: sourceLocation)
        }
    }
}

extension FloatSlab {
    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        for (i, v) in values.enumerated() { base[i] = v }
    }
    var array: [Float] { Array(buffer) }
}
