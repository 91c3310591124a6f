import Foundation
import TestSupport
import Testing

@testable import Training

/// The sweep's search space: reading, the grid's order, reproducible random draws, errors.
@Suite struct SearchSpaceTests {
    func space(_ json: String) throws -> SearchSpace {
        let directory = try Fixtures.temporaryDirectory("space")
        let path = directory.appendingPathComponent("space.json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return try SearchSpace.read(path)
    }

    @Test func gridIsRowMajorOverTheKeysAsListed() throws {
        let s = try space(#"{"learning_rate": [1e-5, 3e-5], "lr-scheduler": ["linear", "cosine", "constant"]}"#)
        #expect(s.names == ["learning-rate", "lr-scheduler"])
        let grid = try s.grid().map { $0.map(\.value) }
        #expect(grid.count == 6)
        #expect(grid[0] == ["1e-5", "linear"])
        #expect(grid[1] == ["1e-5", "cosine"])
        #expect(grid[3] == ["3e-5", "linear"])
        #expect(grid[5] == ["3e-5", "constant"])
    }

    @Test func randomDrawsAreReproducibleAndInRange() throws {
        let s = try space(
            #"{"weight-decay": {"low": 1e-4, "high": 1e-1, "log": true}, "dropout": {"low": 0, "high": 0.2},"#
                + #" "lr-scheduler": {"choice": ["linear", "cosine"]}}"#)
        let a = s.random(count: 200, seed: 7), b = s.random(count: 200, seed: 7)
        #expect(a.map { $0.map(\.value) } == b.map { $0.map(\.value) })
        #expect(a.map { $0.map(\.value) } != s.random(count: 200, seed: 8).map { $0.map(\.value) })
        let decays = a.map { Double($0[0].value)! }, dropouts = a.map { Double($0[1].value)! }
        #expect(decays.allSatisfy { (1e-4...1e-1).contains($0) })
        #expect(dropouts.allSatisfy { (0...0.2).contains($0) })
        // Log-uniform: about half the draws below the geometric middle (1e-4 · 1e-1)^½ ≈ 3.2e-3.
        let below = decays.filter { $0 < 3.1623e-3 }.count
        #expect((70...130).contains(below), "\(below) of 200 below the geometric middle")
        #expect(Set(a.map { $0[2].value }) == ["linear", "cosine"])
        // The first trial does not depend on how many are drawn.
        #expect(s.random(count: 1, seed: 7)[0].map(\.value) == a[0].map(\.value))
    }

    @Test func badSpacesSayWhatIsWrong() throws {
        #expect(throws: OptionError.self) { try space(#"[1, 2]"#) }
        #expect(throws: OptionError.self) { try space(#"{"learning-rate": []}"#) }
        #expect(throws: OptionError.self) { try space(#"{"learning-rate": {"low": 1, "high": 0}}"#) }
        #expect(throws: OptionError.self) { try space(#"{"learning-rate": {"low": 0, "high": 1, "log": true}}"#) }
        #expect(throws: OptionError.self) { try space(#"{"learning-rate": [[1]]}"#) }
        let ranged = try space(#"{"learning-rate": {"low": 1e-5, "high": 1e-4}}"#)
        #expect(throws: OptionError.self) { try ranged.grid() }
    }
}
