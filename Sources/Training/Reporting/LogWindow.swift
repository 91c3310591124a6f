import Foundation
import Parallel
import Reports

extension Trainer {
    /// Sums of the steps since the last log line, on this rank: the loss, and what the
    /// report's per-rank breakdown needs (`RankMetrics`). Adding a step is a few additions,
    /// outside the step; nothing is allocated.
    struct LogWindow {
        /// `monotonicSeconds()` when the window opened.
        var start: Double
        /// The global step when it opened.
        var step: Int
        var lossSum = 0.0
        /// The loss's denominator on this rank (examples, labels or scored tokens).
        var lossUnits = 0
        /// Examples this rank trained on.
        var samples = 0
        var steps = 0
        /// Σ of each step's wall time inside `StepEngine.step`, and of its parts.
        var stepSeconds = 0.0
        var times = StepTimes()
        var reducedBytes = 0.0

        init(start: Double, step: Int) {
            self.start = start
            self.step = step
        }

        /// One step: its result, its wall time, this rank's examples and reduced bytes.
        mutating func add(_ result: StepResult, seconds: Double, samples: Int, reducedBytes: Int) {
            lossSum += result.localLossSum
            lossUnits += result.localLossUnits
            self.samples += samples
            steps += 1
            stepSeconds += seconds
            times.forward += result.times.forward
            times.backward += result.times.backward
            times.communication += result.times.communication
            times.optimizer += result.times.optimizer
            self.reducedBytes += Double(reducedBytes)
        }

        /// This rank's `RankMetrics` values, in `Part.allCases` order: means per step, the
        /// rate over `elapsed` seconds, and `peakMiB`.
        func values(elapsed: Double, peakMiB: Double) -> [Double] {
            let n = Double(max(steps, 1))
            return RankMetrics.Part.allCases.map { part in
                switch part {
                case .step: stepSeconds / n
                case .forward: times.forward / n
                case .backward: times.backward / n
                case .communicationWait: times.communication / n
                case .optimizer: times.optimizer / n
                case .samplesPerSecond: Double(samples) / max(elapsed, 1e-9)
                case .reducedBytes: reducedBytes / n
                case .peakMemory: peakMiB
                }
            }
        }
    }

    /// Every rank's window, gathered to rank 0 as the per-rank keys of the training record
    /// (empty on the other ranks). Collective: every rank calls it at every logging step.
    func gatheredRankMetrics(_ window: LogWindow, elapsed: Double) throws -> [String: Double] {
        try LogWindow.gather(window.values(elapsed: elapsed, peakMiB: peakResidentMiB()), on: communicator)
    }
}

extension Trainer.LogWindow {
    /// `values` (one rank's, `Part.allCases` order) of every rank, in one `MPI_Gather` of a
    /// few doubles per rank to rank 0, as `RankMetrics` keys there; empty on the other ranks.
    static func gather(_ values: [Double], on communicator: Communicator) throws -> [String: Double] {
        let parts = RankMetrics.Part.allCases
        precondition(values.count == parts.count, "\(values.count) values for \(parts.count) parts")
        let root = communicator.rank == 0
        var gathered = [Double](repeating: .nan, count: root ? parts.count * communicator.size : 0)
        try values.withUnsafeBufferPointer { mine in
            try gathered.withUnsafeMutableBufferPointer { try communicator.gather(mine, into: $0, root: 0) }
        }
        var record: [String: Double] = [:]
        for rank in 0..<(root ? communicator.size : 0) {
            for (i, part) in parts.enumerated() {
                record[RankMetrics.key(part, rank: rank)] = gathered[rank * parts.count + i]
            }
        }
        return record
    }
}

extension MetricsRecord {
    /// The record without its per-rank keys: what `log_history` in `trainer_state.json` keeps,
    /// so that a checkpoint's size does not grow with the ranks (`metrics.jsonl` and
    /// TensorBoard have them).
    var withoutRankMetrics: MetricsRecord { MetricsRecord(values.filter { !RankMetrics.isRankKey($0.key) }) }
}

/// The process's peak resident memory so far in MiB, from the kernel (`ru_maxrss`, KiB on
/// Linux): what the OS charged this rank, allocator slack included.
func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}
