/// The slowest rank of a logging window, when it lags the others: its compute time per step
/// (the step without the communication wait — the time a rank spends on its own work, which
/// the others then wait for) against the median of all ranks.
public struct Straggler: Equatable, Sendable {
    public var rank: Int
    /// Its compute seconds per step, and the median over the ranks.
    public var seconds: Double
    public var median: Double
    /// `seconds − median`: what every other rank waits for each step.
    public var lag: Double { seconds - median }

    /// The keys the training record gets: `straggler_rank`, `straggler_lag_seconds`.
    public static let rankKey = "straggler_rank"
    public static let lagKey = "straggler_lag_seconds"

    /// The slowest rank of `record` (a training record with the per-rank keys of `ranks`
    /// ranks) when its compute exceeds the median by more than `threshold` (a fraction:
    /// 0.2 is 20 %); nil when none does, with one rank, or when the keys are missing.
    public static func find(in record: [String: Double], ranks: Int, threshold: Double) -> Straggler? {
        guard ranks > 1, threshold > 0 else { return nil }
        var compute: [(rank: Int, seconds: Double)] = []
        for rank in 0..<ranks {
            guard let step = record[RankMetrics.key(.step, rank: rank)],
                let wait = record[RankMetrics.key(.communicationWait, rank: rank)], step.isFinite, wait.isFinite
            else { return nil }
            compute.append((rank, max(step - wait, 0)))
        }
        let sorted = compute.map(\.seconds).sorted()
        let median =
            sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        // The lowest rank among equally slow ones, so that the answer does not depend on order.
        let slowest = compute.max { $0.seconds < $1.seconds || ($0.seconds == $1.seconds && $0.rank > $1.rank) }!
        guard median > 0, slowest.seconds > median * (1 + threshold) else { return nil }
        return Straggler(rank: slowest.rank, seconds: slowest.seconds, median: median)
    }
}
