import Foundation
import Testing
@testable import Model
@testable import Parallel
@testable import Reports
@testable import Training

/// The logging window's per-rank breakdown: real steps of the tiny model measured as the
/// trainer measures them, and their gather to rank 0 (a singleton MPI process: the multi-rank
/// gather is in the parallel checks, every rank's keys in the training checks).
@Suite(.serialized) struct LogWindowTests {
    @Test func stepPartsAddUpToAtMostTheStep() throws {
        try MPITestThread.run { communicator in
            let engine = try StepEngineTests.engine(communicator)
            let data = StepEngineTests.dataset()
            var window = Trainer.LogWindow(start: monotonicSeconds(), step: 0)
            for step in 0..<3 {
                let shares = [Array(0..<16)[...], Array(16..<32)[...]]
                let begins = monotonicSeconds()
                let result = try engine.step(
                    microBatches: shares, examples: data, globalLossUnits: 32,
                    dropout: DropoutKey(seed: 1, step: UInt64(step)), learningRate: 1e-4, maxGradNorm: 1)
                window.add(
                    result, seconds: monotonicSeconds() - begins, samples: 32,
                    reducedBytes: engine.reducedElementCount * 4)
            }
            let elapsed = monotonicSeconds() - window.start
            let values = window.values(elapsed: elapsed, peakMiB: peakResidentMiB())
            let named = Dictionary(uniqueKeysWithValues: zip(RankMetrics.Part.allCases, values))
            let parts = RankMetrics.Part.stepParts.map { named[$0]! }
            #expect(parts.allSatisfy { $0 > 0 }, "every part measured: \(named)")
            #expect(parts.reduce(0, +) <= named[.step]! * (1 + 1e-9), "parts \(parts) exceed the step \(named[.step]!)")
            #expect(abs(named[.samplesPerSecond]! - 96 / elapsed) < 1e-9 * named[.samplesPerSecond]!)
            #expect(named[.reducedBytes]! == Double(engine.reducedElementCount * 4) && named[.reducedBytes]! > 0)
            #expect(named[.peakMemory]! > 1, "peak memory \(named[.peakMemory]!) MiB")
            #expect(window.steps == 3 && window.samples == 96)
        }
    }

    @Test func gatherNamesEachValueByRank() throws {
        try MPITestThread.run { communicator in
            let values = RankMetrics.Part.allCases.indices.map { Double($0) + 0.5 }
            let record = try Trainer.LogWindow.gather(values, on: communicator)
            #expect(record.count == values.count * communicator.size)
            for (i, part) in RankMetrics.Part.allCases.enumerated() {
                #expect(record[RankMetrics.key(part, rank: 0)] == values[i])
            }
            #expect(record["communication_wait_seconds_rank_0"] == 3.5)
        }
    }
}
