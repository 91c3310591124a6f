/// Which job a free group of ranks trains next: a job is one trial up to one rung.
///
/// Without successive halving (`minResource` nil: grid, random) every trial has one job, its
/// whole run, taken in trial order. With asynchronous successive halving (ASHA, Li et al.
/// 2020, "A System for Massively Parallel Hyperparameter Tuning", Algorithm 2), rung k ends at
/// `minResource · η^k` steps (the last rung at the trial's own last step); a job of rung k
/// trains the trial from rung k − 1's checkpoint to rung k's step and pauses there. A free
/// group takes, from the highest rung down, the best paused trial of rung k that is in the
/// top ⌊n_k / η⌋ of the n_k metrics recorded at rung k so far and not yet promoted; if there
/// is none, the next trial not yet started at rung 0. No group waits for a rung to fill.
///
/// One bound is added to the paper's rule because the trials are a fixed list of N (the paper
/// draws new ones for ever): at most ⌊N / η^(k+1)⌋ trials are promoted past rung k, so the
/// sweep spends at most what synchronous successive halving would, and with distinct metrics
/// exactly N → ⌊N/η⌋ → ⌊N/η²⌋ … trials reach the rungs (once rung k has all its results, its
/// top ⌊n_k/η⌋ hold enough trials not yet promoted to fill the bound). The price of asynchrony
/// stays the paper's: an early promotion may later fall out of its rung's top.
///
/// A pure function of what is recorded, so every group (and every job of a Slurm job array)
/// decides alike from the same records; the queue (`TrialQueue`) serialises the decisions.
public struct TrialSchedule: Sendable, Equatable {
    public var trialCount: Int
    /// Steps of rung 0; nil: no successive halving, each trial one job to its last step.
    public var minResource: Int?
    /// η: the factor between rungs' steps, and 1/η the fraction promoted.
    public var reductionFactor: Int
    public var greaterIsBetter: Bool

    public init(trialCount: Int, minResource: Int? = nil, reductionFactor: Int = 3, greaterIsBetter: Bool) {
        self.trialCount = trialCount
        self.minResource = minResource
        self.reductionFactor = reductionFactor
        self.greaterIsBetter = greaterIsBetter
    }

    public struct Job: Hashable, Comparable, Sendable, CustomStringConvertible {
        public var trial: Int
        public var rung: Int
        public init(trial: Int, rung: Int) {
            self.trial = trial
            self.rung = rung
        }
        public static func < (a: Job, b: Job) -> Bool { (a.trial, a.rung) < (b.trial, b.rung) }
        public var description: String { "trial \(trial) rung \(rung)" }
    }

    /// How a job ended, as far as scheduling cares.
    public enum Outcome: Sendable, Equatable {
        /// Reached its rung's step before the trial's last step: may be promoted.
        case paused
        /// Ran to the trial's last step (or stopped early by its own early stopping).
        case finished
        /// Threw; its metric (if any) does not compete.
        case failed
    }

    public struct Record: Sendable, Equatable {
        public var job: Job
        public var outcome: Outcome
        public var metric: Double?
        public init(job: Job, outcome: Outcome, metric: Double?) {
            self.job = job
            self.outcome = outcome
            self.metric = metric
        }
    }

    /// The step at which a job of `rung` pauses; nil: it runs to the trial's last step.
    public func pauseStep(rung: Int) -> Int? {
        guard let minResource else { return nil }
        var step = minResource
        for _ in 0..<rung {
            let (next, overflow) = step.multipliedReportingOverflow(by: reductionFactor)
            if overflow { return nil }
            step = next
        }
        return step
    }

    /// At most this many trials go on from `rung` to the next: ⌊N / η^(rung+1)⌋.
    public func promotionLimit(fromRung rung: Int) -> Int {
        var limit = trialCount
        for _ in 0...rung { limit /= reductionFactor }
        return limit
    }

    /// The next job to run, or nil when there is none now (jobs still running elsewhere may
    /// make a promotion possible later; the group that records them takes it).
    ///
    /// - Parameters:
    ///   - records: the final record of every job that ended (paused, finished, failed).
    ///   - claimed: every job ever claimed (running, ended, or abandoned).
    ///   - abandoned: claimed jobs with no final record whose holder is gone (a dead or
    ///     stopped job); they come first, lowest first, as they were decided already.
    public func next(records: [Record], claimed: Set<Job>, abandoned: [Job]) -> Job? {
        if let job = abandoned.min() { return job }
        if minResource != nil, let top = records.map(\.job.rung).max() {
            for rung in stride(from: top, through: 0, by: -1) {
                let promoted = claimed.filter { $0.rung == rung + 1 }.count
                guard promoted < promotionLimit(fromRung: rung) else { continue }
                let leaders = ranked(records.filter { $0.job.rung == rung })
                    .prefix(leaderCount(recordedAt: rung, records))
                if let pick = leaders.first(where: {
                    $0.outcome == .paused && !claimed.contains(Job(trial: $0.job.trial, rung: rung + 1))
                }) {
                    return Job(trial: pick.job.trial, rung: rung + 1)
                }
            }
        }
        return (0..<trialCount).lazy.map { Job(trial: $0, rung: 0) }.first { !claimed.contains($0) }
    }

    /// ⌊n_k / η⌋, n_k the metrics recorded at `rung` by jobs that did not fail.
    func leaderCount(recordedAt rung: Int, _ records: [Record]) -> Int {
        ranked(records.filter { $0.job.rung == rung }).count / reductionFactor
    }

    /// Records that compete (a finite metric, not failed), best first; equal metrics by trial.
    public func ranked(_ records: [Record]) -> [Record] {
        records.filter { $0.outcome != .failed && $0.metric?.isFinite == true }.sorted { a, b in
            let (x, y) = (a.metric!, b.metric!)
            return x != y ? (greaterIsBetter ? x > y : x < y) : a.job.trial < b.job.trial
        }
    }
}
