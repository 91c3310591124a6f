import Foundation
import TestSupport
import Testing

/// The golden files of Tests/Fixtures/tasks, written by tools/make_task_fixtures.py.
enum TaskFixtures {
    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        try Fixtures.decode("tasks/" + name, as: T.self, generator: "tools/make_task_fixtures.py")
    }
}

/// `|actual − expected| ≤ tolerance · max(1, |expected|)`; nil expected means NaN (the
/// fixtures write NaN as null). NaN never passes otherwise.
func expectValue(
    _ actual: Double, _ expected: Double?, tolerance: Double = 1e-12, _ name: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let expected else {
        #expect(actual.isNaN, "\(name): \(actual), expected NaN", sourceLocation: sourceLocation)
        return
    }
    #expect(
        abs(actual - expected) <= tolerance * max(1, abs(expected)), "\(name): \(actual), expected \(expected)",
        sourceLocation: sourceLocation)
}

/// Precision, recall and F1 as the fixtures write them.
struct PRF: Decodable {
    var precision: Double?
    var recall: Double?
    var f1: Double?
}
