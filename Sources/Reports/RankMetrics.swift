import Foundation

/// The per-rank keys of a training record: where each rank's step time went in the logging
/// window, its throughput, the bytes it reduced and its peak memory. Written by the trainer
/// (one gather to rank 0 at each logging step) as `<part>_rank_<r>` in `metrics.jsonl`,
/// hence `train/<part>_rank_<r>` in TensorBoard, and read back here for the report.
public enum RankMetrics {
    /// One measured quantity of a rank. Times are seconds per optimizer step, means over the
    /// logging window, on the monotonic clock.
    public enum Part: String, CaseIterable, Sendable {
        /// The whole `StepEngine.step` call.
        case step = "step_seconds"
        /// Forward passes and the loss (with the gradient zeroing before the first).
        case forward = "forward_seconds"
        /// Backward passes (buckets' allreduces start and are polled inside them).
        case backward = "backward_seconds"
        /// Blocked on the gradient sums after backward (the part of the allreduce not hidden
        /// behind it), and a sharded optimizer's allgather of the update.
        case communicationWait = "communication_wait_seconds"
        /// Penalties, the global norm, clipping and the AdamW update.
        case optimizer = "optimizer_seconds"
        /// This rank's samples over the window's wall time (evaluation and logging included).
        case samplesPerSecond = "samples_per_second"
        /// Gradient bytes this rank put into the reduction, per step.
        case reducedBytes = "reduced_bytes_per_step"
        /// Peak resident memory of the process so far (`getrusage` `ru_maxrss`), in MiB.
        case peakMemory = "peak_memory_mib"

        /// The parts of a step, in the order they run; their sum is at most `step`.
        public static let stepParts: [Part] = [.forward, .backward, .communicationWait, .optimizer]

        /// How the report names it.
        public var title: String {
            switch self {
            case .step: "step"
            case .forward: "forward"
            case .backward: "backward"
            case .communicationWait: "communication wait"
            case .optimizer: "optimizer"
            case .samplesPerSecond: "samples/s"
            case .reducedBytes: "bytes reduced per step"
            case .peakMemory: "peak memory"
            }
        }
    }

    /// `forward_seconds_rank_3`.
    public static func key(_ part: Part, rank: Int) -> String { "\(part.rawValue)_rank_\(rank)" }

    /// Whether `key` is one of the per-rank keys (`<part>_rank_<r>`).
    public static func isRankKey(_ key: String) -> Bool {
        guard let marker = key.range(of: "_rank_", options: .backwards),
            Part(rawValue: String(key[..<marker.lowerBound])) != nil
        else { return false }
        return Int(key[marker.upperBound...]) != nil
    }

    /// The ranks present in `records` (those with a step time), ascending.
    public static func ranks(in records: [[String: Double]]) -> [Int] {
        var ranks = Set<Int>()
        for record in records {
            for key in record.keys where key.hasPrefix(Part.step.rawValue + "_rank_") {
                if let rank = Int(key.dropFirst(Part.step.rawValue.count + 6)) { ranks.insert(rank) }
            }
        }
        return ranks.sorted()
    }

    /// Per rank, the mean of each part over the records that have it (nil when none has it);
    /// the peak memory is the largest value, as it only grows.
    public static func summary(_ records: [[String: Double]]) -> [(rank: Int, values: [Part: Double])] {
        ranks(in: records).map { rank in
            var values: [Part: Double] = [:]
            for part in Part.allCases {
                let logged = records.compactMap { $0[key(part, rank: rank)] }.filter(\.isFinite)
                guard !logged.isEmpty else { continue }
                values[part] = part == .peakMemory ? logged.max()! : logged.reduce(0, +) / Double(logged.count)
            }
            return (rank, values)
        }
    }
}
