import Foundation
import Testing

@testable import Training

/// The sweep's scheduling rule: trial order without ASHA; with ASHA, rung steps, the bound on
/// promotions, promotion of the top 1/η recorded so far, interrupted jobs first.
@Suite struct TrialScheduleTests {
    typealias Job = TrialSchedule.Job

    /// Runs a schedule with one group: takes a job, records it with `metric(trial, rung)`
    /// (paused below `lastRung`, finished there), until there is none. Returns the jobs in order.
    func runAlone(_ schedule: TrialSchedule, lastRung: Int, metric: (Int, Int) -> Double) -> [Job] {
        var records: [TrialSchedule.Record] = [], claimed = Set<Job>(), order: [Job] = []
        while let job = schedule.next(records: records, claimed: claimed, abandoned: []) {
            #expect(!claimed.contains(job), "\(job) taken twice")
            claimed.insert(job)
            order.append(job)
            records.append(
                .init(
                    job: job, outcome: job.rung < lastRung ? .paused : .finished,
                    metric: metric(job.trial, job.rung)))
            if order.count > 100 { break }
        }
        return order
    }

    @Test func rungStepsGrowByTheReductionFactor() {
        let asha = TrialSchedule(trialCount: 9, minResource: 2, reductionFactor: 3, greaterIsBetter: true)
        #expect((0..<3).map { asha.pauseStep(rung: $0) } == [2, 6, 18])
        #expect([0, 1, 2].map { asha.promotionLimit(fromRung: $0) } == [3, 1, 0])
        let ten = TrialSchedule(trialCount: 10, minResource: 1, reductionFactor: 2, greaterIsBetter: true)
        #expect([0, 1, 2, 3].map { ten.promotionLimit(fromRung: $0) } == [5, 2, 1, 0])
        #expect(TrialSchedule(trialCount: 4, greaterIsBetter: true).pauseStep(rung: 0) == nil)
    }

    @Test func withoutHalvingEveryTrialRunsOnceInOrder() {
        let grid = TrialSchedule(trialCount: 4, greaterIsBetter: true)
        let order = runAlone(grid, lastRung: 0) { t, _ in Double(t) }
        #expect(order == (0..<4).map { Job(trial: $0, rung: 0) })
    }

    /// Worked by hand from Algorithm 2 with the bound ⌊9/3⌋ = 3, ⌊9/9⌋ = 1:
    /// rung-0 metrics 0.5 0.9 0.7 0.6 0.95 0.1 0.8 0.3 0.2 (trials 0–8).
    /// After 3 results the top ⌊3/3⌋ = 1 is trial 1 → promoted; after 5, trial 4 (0.95);
    /// after 9 the top 3 are 4, 1, 6 → trial 6; rung 1 then has 3 results, its best goes on.
    @Test func oneGroupPromotesAsTheAlgorithmSays() {
        let rung0 = [0.5, 0.9, 0.7, 0.6, 0.95, 0.1, 0.8, 0.3, 0.2]
        let rung1: [Int: Double] = [1: 0.91, 4: 0.97, 6: 0.85]
        let asha = TrialSchedule(trialCount: 9, minResource: 2, reductionFactor: 3, greaterIsBetter: true)
        let order = runAlone(asha, lastRung: 2) { t, rung in rung == 0 ? rung0[t] : rung == 1 ? rung1[t]! : 1 }
        let expected =
            [(0, 0), (1, 0), (2, 0), (1, 1), (3, 0), (4, 0), (4, 1), (5, 0), (6, 0), (7, 0), (8, 0)]
            .map { Job(trial: $0.0, rung: $0.1) } + [Job(trial: 6, rung: 1), Job(trial: 4, rung: 2)]
        #expect(order == expected)
    }

    /// Metrics rising with the trial number: the early leaders fill the bound, later better trials
    /// are not promoted (the price of not waiting), and smaller-is-better ranks the other way.
    @Test func theBoundHoldsWhenEarlyLeadersFallBehind() {
        let rising = TrialSchedule(trialCount: 9, minResource: 1, reductionFactor: 3, greaterIsBetter: true)
        let order = runAlone(rising, lastRung: 2) { t, rung in Double(t) + Double(rung) / 10 }
        #expect(Set(order.filter { $0.rung == 1 }.map(\.trial)) == [2, 3, 4])
        #expect(order.filter { $0.rung == 2 }.map(\.trial) == [4])
        let falling = TrialSchedule(trialCount: 9, minResource: 1, reductionFactor: 3, greaterIsBetter: false)
        let lowest = runAlone(falling, lastRung: 2) { t, rung in Double(t) + Double(rung) / 10 }
        // The first three results are 0, 1, 2: trial 0 leads, then 1 and 2 as the rung grows.
        #expect(Set(lowest.filter { $0.rung == 1 }.map(\.trial)) == [0, 1, 2])
        #expect(lowest.filter { $0.rung == 2 }.map(\.trial) == [0])
    }

    /// Several groups finishing in a random order: no job twice; every promotion of a trial was
    /// into a rung while it was in the top ⌊n/η⌋ of the n results recorded at its rung; with
    /// distinct metrics exactly 9 → 3 → 1 trials reach the rungs.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func asynchronousGroupsKeepTheRule(seed: UInt64) {
        var generator = SystemRandomNumberGeneratorSeeded(seed)
        let metrics = (0..<9).map { _ in (0..<3).map { _ in Double.random(in: 0..<1, using: &generator) } }
        let asha = TrialSchedule(trialCount: 9, minResource: 1, reductionFactor: 3, greaterIsBetter: true)
        var records: [TrialSchedule.Record] = [], claimed = Set<Job>(), running: [Job] = []
        func take() {
            guard let job = asha.next(records: records, claimed: claimed, abandoned: []) else { return }
            #expect(!claimed.contains(job))
            if job.rung > 0 {
                let here = asha.ranked(records.filter { $0.job.rung == job.rung - 1 })
                let top = here.prefix(here.count / 3).map(\.job.trial)
                #expect(top.contains(job.trial), "\(job) promoted from outside the top \(top)")
            }
            claimed.insert(job)
            running.append(job)
        }
        for _ in 0..<3 { take() }  // three groups
        while !running.isEmpty {
            let done = running.remove(at: Int.random(in: 0..<running.count, using: &generator))
            let metric = metrics[done.trial][done.rung]
            records.append(.init(job: done, outcome: done.rung < 2 ? .paused : .finished, metric: metric))
            take()
            if running.count < 3 { take() }  // an idle group asks again only after a record; here: now
        }
        #expect((0..<3).map { rung in claimed.filter { $0.rung == rung }.count } == [9, 3, 1])
    }

    @Test func interruptedJobsComeFirstAndFailuresDoNotCompete() {
        let asha = TrialSchedule(trialCount: 6, minResource: 2, reductionFactor: 3, greaterIsBetter: true)
        let claimed: Set<Job> = [Job(trial: 0, rung: 0), Job(trial: 1, rung: 0), Job(trial: 2, rung: 0)]
        #expect(
            asha.next(records: [], claimed: claimed, abandoned: [Job(trial: 2, rung: 0), Job(trial: 1, rung: 0)])
                == Job(trial: 1, rung: 0))
        var records: [TrialSchedule.Record] = [
            .init(job: Job(trial: 0, rung: 0), outcome: .failed, metric: 0.99),
            .init(job: Job(trial: 1, rung: 0), outcome: .paused, metric: 0.5),
            .init(job: Job(trial: 2, rung: 0), outcome: .paused, metric: .nan),
        ]
        // One competing result: ⌊1/3⌋ = 0 leaders, so a new trial.
        #expect(asha.next(records: records, claimed: claimed, abandoned: []) == Job(trial: 3, rung: 0))
        records += [
            .init(job: Job(trial: 3, rung: 0), outcome: .paused, metric: 0.7),
            .init(job: Job(trial: 4, rung: 0), outcome: .paused, metric: 0.6),
        ]
        let more = claimed.union([Job(trial: 3, rung: 0), Job(trial: 4, rung: 0)])
        #expect(asha.next(records: records, claimed: more, abandoned: []) == Job(trial: 3, rung: 1))
    }
}

/// A seeded SplitMix64 generator, so that each argument replays the same interleaving.
struct SystemRandomNumberGeneratorSeeded: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
