import Foundation
import Model

/// Compares two model.safetensors files tensor by tensor.
struct WeightComparison {
    var identicalBytes: Bool
    /// max |a − b| over all tensors, divided by max |a|.
    var maxRelativeDifference: Float
    var tensorCount: Int
    var problem: String?

    init(_ a: String, _ b: String, skipping skipped: String? = nil) {
        identicalBytes = FileManager.default.contentsEqual(atPath: a, andPath: b)
        maxRelativeDifference = .infinity
        tensorCount = 0
        do {
            let fa = try SafeTensorsFile(contentsOf: a), fb = try SafeTensorsFile(contentsOf: b)
            guard fa.names == fb.names else {
                problem = "different tensors: \(fa.names.count) vs \(fb.names.count)"
                return
            }
            var difference: Float = 0, scale: Float = 0
            for name in fa.names where skipped.map({ !name.contains($0) }) ?? true {
                let x = try fa.floats(name), y = try fb.floats(name)
                guard x.count == y.count else { problem = "\(name): sizes differ"; return }
                for i in 0..<x.count {
                    difference = max(difference, abs(x[i] - y[i]))
                    scale = max(scale, abs(x[i]))
                }
            }
            maxRelativeDifference = difference / max(scale, 1e-30)
            tensorCount = fa.names.count
        } catch {
            problem = "\(error)"
        }
    }
}
