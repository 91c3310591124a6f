import Foundation
import TestSupport
import Testing

@testable import Training

/// The sweep's file queue: claims are exclusive, a claim nobody holds is abandoned, records
/// make a job final (a `stopped` one does not), and a killed holder frees its claim.
@Suite struct TrialQueueTests {
    typealias Job = TrialSchedule.Job

    func queue() throws -> TrialQueue {
        TrialQueue(output: try Fixtures.temporaryDirectory("queue").path)
    }

    func result(_ job: Job, _ status: String) -> Sweep.Result {
        Sweep.Result(
            trial: job.trial, rung: job.rung, values: [("learning-rate", "1e-4")], metric: 0.5, steps: 4, seconds: 1,
            status: status)
    }

    @Test func claimsAreExclusiveAndAReleasedOneIsAbandoned() throws {
        let q = try queue()
        let job = Job(trial: 2, rung: 1)
        let claim = try q.locked { try q.claim(job, abandoned: false) }
        #expect(q.isStarted)
        #expect(throws: CheckpointError.self) { try q.locked { try q.claim(job, abandoned: false) } }
        var state = try q.locked { try q.state() }
        #expect(state.claimed == [job] && state.abandoned.isEmpty)
        claim.release()
        state = try q.locked { try q.state() }
        #expect(state.abandoned == [job])
        let again = try q.locked { try q.claim(job, abandoned: true) }
        #expect(try q.locked { try q.state() }.abandoned.isEmpty)
        try q.record(result(job, "paused"), claim: again)
        state = try q.locked { try q.state() }
        #expect(state.abandoned.isEmpty && state.results.map(\.job) == [job])
        #expect(state.results.first?.status == "paused" && state.results.first?.values.first?.value == "1e-4")
    }

    @Test func aStoppedJobIsRerunAndAFinishedOneIsNot() throws {
        let q = try queue()
        let stopped = Job(trial: 0, rung: 0), finished = Job(trial: 1, rung: 0)
        let a = try q.locked { try q.claim(stopped, abandoned: false) }
        let b = try q.locked { try q.claim(finished, abandoned: false) }
        try q.record(result(stopped, "stopped"), claim: a)
        try q.record(result(finished, "finished"), claim: b)
        let state = try q.locked { try q.state() }
        #expect(state.abandoned == [stopped])
        #expect(state.results.map(\.status) == ["stopped", "finished"])
    }

    /// A holder killed with SIGKILL (here a shell that opened the claim, locked it with
    /// flock(1) and became `sleep`, holding it as a sweep's rank does) leaves its claim
    /// abandoned: the kernel drops the lock with the last process holding the open file.
    @Test func aKilledHolderLeavesItsClaimAbandoned() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/flock") else { return }
        let q = try queue()
        let job = Job(trial: 5, rung: 0)
        try q.locked { try q.claim(job, abandoned: false) }.release()
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", #"exec 9<>"$0"; /usr/bin/flock 9; exec sleep 60"#, q.path(job, "claim")]
        try holder.run()
        var held = false
        for _ in 0..<200 where !held {
            held = try q.locked { try q.state() }.abandoned.isEmpty
            if !held { usleep(25_000) }
        }
        #expect(held, "flock(1) did not take the claim")
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        #expect(try q.locked { try q.state() }.abandoned == [job])
    }

    @Test func fileNamesGiveTheJob() {
        #expect(TrialQueue.job(named: "trial-12.rung-3.claim") == Job(trial: 12, rung: 3))
        #expect(TrialQueue.job(named: "trial-1.rung-0.json") == Job(trial: 1, rung: 0))
        #expect(TrialQueue.job(named: "lock") == nil)
        #expect(TrialQueue.job(named: "trial-x.rung-0.json") == nil)
    }
}
