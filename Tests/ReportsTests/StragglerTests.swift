import Testing

@testable import Reports

@Suite struct StragglerTests {
    /// A record of `steps` and `waits` per rank.
    static func record(steps: [Double], waits: [Double]) -> [String: Double] {
        var record: [String: Double] = [:]
        for (rank, (step, wait)) in zip(steps, waits).enumerated() {
            record[RankMetrics.key(.step, rank: rank)] = step
            record[RankMetrics.key(.communicationWait, rank: rank)] = wait
        }
        return record
    }

    @Test func theSlowRankIsTheOneTheOthersWaitFor() throws {
        // All steps take 1.5 s; rank 2 computes for 1.4 s while the others compute 1.0 and wait.
        let record = Self.record(steps: [1.5, 1.5, 1.5, 1.5], waits: [0.5, 0.5, 0.1, 0.5])
        let slow = try #require(Straggler.find(in: record, ranks: 4, threshold: 0.2))
        #expect(slow.rank == 2)
        #expect(abs(slow.seconds - 1.4) < 1e-12 && abs(slow.median - 1.0) < 1e-12 && abs(slow.lag - 0.4) < 1e-12)
    }

    @Test func withinTheThresholdNoneIsNamed() {
        let record = Self.record(steps: [1.5, 1.5, 1.5, 1.5], waits: [0.5, 0.5, 0.35, 0.5])
        #expect(Straggler.find(in: record, ranks: 4, threshold: 0.2) == nil)
        #expect(Straggler.find(in: record, ranks: 4, threshold: 0.1)?.rank == 2)
    }

    @Test func oneRankMissingKeysOrNoThresholdNameNone() {
        let record = Self.record(steps: [1.5, 1.5], waits: [1.0, 0.0])
        #expect(Straggler.find(in: record, ranks: 2, threshold: 0.2)?.rank == 1)
        #expect(Straggler.find(in: record, ranks: 1, threshold: 0.2) == nil)
        #expect(Straggler.find(in: record, ranks: 3, threshold: 0.2) == nil)
        #expect(Straggler.find(in: record, ranks: 2, threshold: 0) == nil)
    }
}
