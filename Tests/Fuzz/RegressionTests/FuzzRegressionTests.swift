import Foundation
import FuzzHarnesses
import TestSupport
import Testing

/// Every committed input of every fuzz harness — the seed corpora and each input that once
/// crashed a parser (`crash-*`, kept after the fix) — runs through its harness without a
/// trap: a regression crashes this test process.
@Suite struct FuzzRegressionTests {
    static let corpus = Fixtures.repository.appendingPathComponent("Tests/Fuzz/corpus").path

    static func inputs(_ harness: String) -> [String] {
        let directory = corpus + "/" + harness
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted().map {
            directory + "/" + $0
        }
    }

    @Test(arguments: FuzzHarness.all.map(\.name))
    func committedInputsRunWithoutATrap(harness name: String) throws {
        let harness = try #require(FuzzHarness.named(name))
        let inputs = Self.inputs(name)
        #expect(!inputs.isEmpty, "Tests/Fuzz/corpus/\(name) has no seed inputs")
        let scratch = try Fixtures.temporaryDirectory("fuzz-\(name)").path
        for input in inputs {
            harness.run([UInt8](try Data(contentsOf: URL(fileURLWithPath: input))), scratch: scratch)
        }
    }
}
