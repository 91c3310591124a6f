import Foundation
import JSON
import Parallel

/// A hyper-parameter sweep: the world is split into groups of `ranksPerTrial` ranks
/// (`Communicator.split`); each group takes a job from the sweep's queue (`TrialQueue`, files
/// in `output/queue/`), trains it data-parallel with the same `Trainer` as `train` — so a
/// trial's model is the one the same options give alone at that rank count — records it and
/// takes the next, so a group that finishes early is not left idle. Which job comes next is
/// `TrialSchedule`'s rule (trial order; with ASHA, promotions first). Several jobs of a Slurm
/// job array may run the same sweep: they share the queue through the file system.
///
/// Each trial writes `output/trial-<t>/` (metrics, checkpoints, final model, and `trial.json`,
/// its latest record). When its groups are done, world rank 0 writes `sweep.jsonl` (a line per
/// trial and rung), `sweep.md` (a table sorted by the metric) and `best` from every record in
/// the queue — so the job that ends last writes the whole table. Nothing here knows the task
/// or the model family.
///
/// Resuming (`resumes`): recorded jobs are not rerun; a job claimed but not finished by a job
/// that died or was stopped is rerun, resuming from the trial's checkpoints. Without it, an
/// output directory that already holds a sweep is refused. A stop request (SIGUSR1) stops the
/// running jobs at a checkpoint, as in `train`; their groups take no further job and `stopped`
/// is true.
public struct Sweep {
    public var trials: [SearchSpace.Trial]
    public var ranksPerTrial: Int
    public var output: String
    /// The options of trial t: the base options with its values applied, writing to `output`
    /// (built by the command line, which knows the option table).
    public var options: (SearchSpace.Trial, _ output: String) throws -> TrainingOptions
    /// The metric and whether larger is better (the base options' `--metric-for-best-model`).
    public var metric: String
    public var greaterIsBetter: Bool
    /// ASHA's rung-0 steps and η; nil: each trial runs once to its last step.
    public var minResource: Int?
    public var reductionFactor = 3
    /// Whether a sweep already in `output` is continued (the base options' `--resume`).
    public var resumes = false

    public struct Result: Sendable {
        public var trial: Int
        public var rung = 0
        public var values: SearchSpace.Trial
        public var metric: Double?
        public var steps: Int
        public var seconds: Double
        /// paused (at its rung; ASHA), finished, failed, or stopped (interrupted: rerun on resume).
        public var status: String
        public var message: String?

        public var job: TrialSchedule.Job { TrialSchedule.Job(trial: trial, rung: rung) }
        var isFinal: Bool { status != "stopped" }
        var outcome: TrialSchedule.Outcome {
            status == "paused" ? .paused : status == "finished" ? .finished : .failed
        }
    }

    public init(
        trials: [SearchSpace.Trial], ranksPerTrial: Int, output: String, metric: String, greaterIsBetter: Bool,
        options: @escaping (SearchSpace.Trial, String) throws -> TrainingOptions
    ) {
        self.trials = trials
        self.ranksPerTrial = ranksPerTrial
        self.output = output
        self.metric = metric
        self.greaterIsBetter = greaterIsBetter
        self.options = options
    }

    public var schedule: TrialSchedule {
        TrialSchedule(
            trialCount: trials.count, minResource: minResource, reductionFactor: reductionFactor,
            greaterIsBetter: greaterIsBetter)
    }

    /// Runs jobs until the queue has none; `emit(trial, event)` hears each job's events on its
    /// group's rank 0. Returns every record of the queue on world rank 0 (empty elsewhere), and
    /// on every rank whether a stop request cut the sweep short.
    public func run(world: Communicator, emit: @escaping (Int, TrainingEvent) -> Void) throws
        -> (results: [Result], stopped: Bool)
    {
        guard ranksPerTrial >= 1, world.size % ranksPerTrial == 0 else {
            throw OptionError(
                "--ranks-per-trial \(ranksPerTrial): must divide the \(world.size) ranks of the job into groups")
        }
        SignalFlags.install()
        let queue = TrialQueue(output: output)
        try world.agreeing {
            guard world.rank == 0, !resumes, queue.isStarted else { return }
            throw OptionError(
                "--output \(output): holds a sweep already (\(queue.directory)); add --resume auto to continue it, "
                    + "or choose another --output")
        }
        // This process's name in the claims it makes, to tell its own running jobs from an array's.
        let run = try world.broadcast(
            string: world.rank == 0 ? "\(ProcessInfo.processInfo.hostName):\(getpid())" : nil, root: 0)
        let group = try world.split(color: world.rank / ranksPerTrial, key: world.rank)
        defer { try? group.finalize() }
        var stopped = false
        while !stopped {
            // Agreed in the group, so its ranks leave the loop together.
            if try group.allreduce(Int64(SignalFlags.stopRequested ? 1 : 0), operation: .max) != 0 {
                stopped = true
                break
            }
            // The group's rank 0 claims under the queue's lock; the others learn the job from it.
            var next = Next.done
            try group.agreeing {
                if group.rank == 0 { next = try take(from: queue, run: run) }
            }
            let text = try group.broadcast(string: group.rank == 0 ? next.text : nil, root: 0)
            if text == "wait" {
                // Every rank of the group sleeps (a blocking collective would spin on a core).
                usleep(1_000_000)
                continue
            }
            let numbers = text.split(separator: " ").compactMap { Int($0) }
            guard numbers.count == 2 else { break }
            let result = try runJob(TrialSchedule.Job(trial: numbers[0], rung: numbers[1]), on: group, emit: emit)
            stopped = result.status == "stopped"
            try group.agreeing {
                guard case .job(let claim) = next else { return }
                try queue.record(result, claim: claim)
                // Groups of this process waiting for work end too, instead of taking the stopped job.
                if stopped { try queue.markStopped(run: run) }
                let directory = output + "/trial-\(result.trial)"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try Self.replace(output + "/trial-\(result.trial)/trial.json", with: Self.jsonLine(result) + "\n")
            }
        }
        // Groups that ran out of trials wait here for the others, sleeping and outside the
        // collective watchdog's deadline (the last trials may run for hours).
        try world.waitForAll()
        let anyStopped = try world.allreduce(Int64(stopped ? 1 : 0), operation: .max) != 0
        guard world.rank == 0 else { return ([], anyStopped) }
        // Under the lock, so that the jobs of an array write their tables one after another.
        let all = try queue.locked {
            let (results, claimed, _) = try queue.state()
            let final = results.filter(\.isFinal)
            let records = final.map { TrialSchedule.Record(job: $0.job, outcome: $0.outcome, metric: $0.metric) }
            let complete =
                claimed == Set(final.map(\.job))
                && schedule.next(records: records, claimed: claimed, abandoned: []) == nil
            try write(results, complete: complete)
            return results
        }
        return (all, anyStopped)
    }

    /// What a group does next: a job (claimed), wait (none now, but this process still runs
    /// jobs whose results may promote a trial), or nothing (the group is done; a job of an
    /// array ends rather than hold its nodes idle).
    enum Next {
        case job(TrialQueue.Claim)
        case wait
        case done

        var text: String {
            switch self {
            case .job(let claim): return "\(claim.job.trial) \(claim.job.rung)"
            case .wait: return "wait"
            case .done: return ""
            }
        }
    }

    /// The next job by the schedule, claimed under the queue's lock.
    private func take(from queue: TrialQueue, run: String) throws -> Next {
        try queue.locked {
            if queue.isStopped(run: run) { return .done }
            let (results, claimed, abandoned) = try queue.state()
            let final = results.filter(\.isFinal)
            let records = final.map { TrialSchedule.Record(job: $0.job, outcome: $0.outcome, metric: $0.metric) }
            guard let job = schedule.next(records: records, claimed: claimed, abandoned: abandoned) else {
                // Only ASHA can make work later: a result still to come may promote a trial.
                guard minResource != nil else { return .done }
                let running = claimed.subtracting(final.map(\.job)).subtracting(abandoned)
                return running.contains { queue.run(of: $0) == run } ? .wait : .done
            }
            guard job.trial < trials.count else {
                throw OptionError(
                    "\(queue.path(job, "claim")): trial \(job.trial) is not in this sweep's \(trials.count) trials; "
                        + "resume with the same --space, --scheduler, --trials and --seed")
            }
            return .job(try queue.claim(job, abandoned: abandoned.contains(job), run: run))
        }
    }

    /// One job on `group`: the trial from its checkpoints (if any) to the rung's step or its
    /// last step. A failure (bad option value, non-finite loss, a data error) is recorded with
    /// its message and the sweep goes on; failures are agreed within the group by the trainer,
    /// so every rank of the group records the same outcome.
    private func runJob(
        _ job: TrialSchedule.Job, on group: Communicator, emit: @escaping (Int, TrainingEvent) -> Void
    ) throws -> Result {
        let t = job.trial, directory = output + "/trial-\(t)"
        let started = monotonicSeconds()
        var result = Result(
            trial: t, rung: job.rung, values: trials[t], metric: nil, steps: 0, seconds: 0, status: "failed")
        do {
            var options = try self.options(trials[t], directory)
            // A fresh trial directory starts fresh; a rung above 0, or a rerun, continues.
            options.resume = "auto"
            let trainer = try Trainer(
                options: options, communicator: group, emit: { event in if group.rank == 0 { emit(t, event) } })
            trainer.pauseAtStep = schedule.pauseStep(rung: job.rung)
            let run = try trainer.run()
            result.steps = run.steps
            result.status = run.paused ? "paused" : run.preempted ? "stopped" : "finished"
            let metrics = directory + "/metrics.jsonl"
            result.metric =
                run.paused
                ? Self.value(of: metric, atStep: run.steps, in: metrics) : Self.lastValue(of: metric, in: metrics)
        } catch let error as MPIError {
            throw error
        } catch {
            result.message = "\(error)"
        }
        result.seconds = monotonicSeconds() - started
        return result
    }

    /// The last value of `key` in a metrics.jsonl (nil when never logged).
    static func lastValue(of key: String, in path: String) -> Double? {
        value(of: key, atStep: nil, in: path)
    }

    /// The last value of `key` logged at `step` (any step when nil).
    static func value(of key: String, atStep step: Int?, in path: String) -> Double? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var last: Double?
        for line in text.split(separator: "\n") {
            guard let record = try? JSONParser.parse(String(line)) else { continue }
            if let step, record["step"]?.integerValue != step { continue }
            if let value = record[key]?.doubleValue { last = value }
        }
        return last
    }
}
