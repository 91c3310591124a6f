import Foundation
import JSON
import Parallel

/// A hyper-parameter sweep inside one MPI job: the world is split into groups of
/// `ranksPerTrial` ranks (`Communicator.split`), and each group trains its trials one after
/// another, data-parallel, with the same `Trainer` as `train` — so a trial's model is the one
/// the same options give alone at that rank count. Trial t runs on group t mod G. Each trial
/// writes `output/trial-<t>/`; world rank 0 gathers the results and writes `sweep.jsonl` (a
/// line per trial), `sweep.md` (a table sorted by the metric) and `best` (a link to the best
/// trial's directory). Nothing here knows the task or the model family.
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

    public struct Result: Sendable {
        public var trial: Int
        public var values: SearchSpace.Trial
        public var metric: Double?
        public var steps: Int
        public var seconds: Double
        public var status: String
        public var message: String?
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

    /// Runs every trial; `emit(trial, event)` hears each trial's events on its group's rank 0.
    /// Returns the results in trial order on world rank 0 (empty elsewhere).
    public func run(world: Communicator, emit: @escaping (Int, TrainingEvent) -> Void) throws -> [Result] {
        guard ranksPerTrial >= 1, world.size % ranksPerTrial == 0 else {
            throw OptionError(
                "--ranks-per-trial \(ranksPerTrial): must divide the \(world.size) ranks of the job into groups")
        }
        let groups = world.size / ranksPerTrial
        let group = try world.split(color: world.rank / ranksPerTrial, key: world.rank)
        defer { try? group.finalize() }
        var mine: [Result] = []
        for t in trials.indices where t % groups == world.rank / ranksPerTrial {
            mine.append(try runTrial(t, on: group, emit: emit))
        }
        // Each group's rank 0 holds its results; world rank 0 gathers them.
        let lines = group.rank == 0 ? mine.map(Self.jsonLine).joined(separator: "\n") : ""
        var all: [Result] = []
        for rank in 0..<world.size {
            let text = try world.broadcast(string: world.rank == rank ? lines : nil, root: rank)
            if world.rank == 0 && !text.isEmpty { all += try text.split(separator: "\n").map(Self.result) }
        }
        guard world.rank == 0 else { return [] }
        all.sort { $0.trial < $1.trial }
        try write(all)
        return all
    }

    /// One trial on `group`; a failure (bad option value, non-finite loss, a data error) is
    /// recorded with its message and the sweep goes on. Failures are agreed within the group
    /// by the trainer, so every rank of the group records the same outcome.
    private func runTrial(_ t: Int, on group: Communicator, emit: @escaping (Int, TrainingEvent) -> Void) throws
        -> Result
    {
        let directory = output + "/trial-\(t)"
        let started = monotonicSeconds()
        var result = Result(
            trial: t, values: trials[t], metric: nil, steps: 0, seconds: 0, status: "failed", message: nil)
        do {
            let options = try self.options(trials[t], directory)
            let trainer = try Trainer(
                options: options, communicator: group, emit: { event in if group.rank == 0 { emit(t, event) } })
            let run = try trainer.run()
            result.steps = run.steps
            result.metric = Self.lastValue(of: metric, in: directory + "/metrics.jsonl")
            result.status = run.preempted ? "stopped" : "finished"
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
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var last: Double?
        for line in text.split(separator: "\n") {
            if let value = (try? JSONParser.parse(String(line)))?[key]?.doubleValue { last = value }
        }
        return last
    }
}
