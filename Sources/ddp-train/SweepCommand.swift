import Foundation
import Training

/// Options of `sweep`: its own, and every `train` option as the base configuration.
struct SweepOptions {
    var base = TrainingOptions()
    var space: String? = nil
    var trials: Int = 8
    var ranksPerTrial: Int = 1
    var scheduler: String = "grid"
    var minResource: Int? = nil
    var reductionFactor: Int = 3

    /// Checks the sweep's own options (before any MPI work; the space is read later, by every rank).
    func check() throws {
        guard space != nil else { throw UsageError("--space FILE.json is required") }
        guard trials >= 1 else { throw UsageError("--trials \(trials): expected at least 1") }
        guard ranksPerTrial >= 1 else { throw UsageError("--ranks-per-trial \(ranksPerTrial): expected at least 1") }
        guard reductionFactor >= 2 else {
            throw UsageError("--reduction-factor \(reductionFactor): expected an integer of at least 2")
        }
        if scheduler == "asha" {
            guard let minResource, minResource >= 1 else {
                throw UsageError("--scheduler asha needs --min-resource STEPS (the steps of the first rung, ≥ 1)")
            }
            guard trials >= reductionFactor else {
                throw UsageError(
                    "--scheduler asha: --trials \(trials) is fewer than --reduction-factor \(reductionFactor), "
                        + "so no trial would be promoted past the first rung")
            }
        } else if minResource != nil {
            throw UsageError("--min-resource is for --scheduler asha (not \(scheduler))")
        }
    }

    /// The train options, applied to `base`.
    static var trainOptions: [Option<SweepOptions>] {
        TrainCommand.parser.options.filter { $0.name != "config" }.map { option in
            Option<SweepOptions>(
                name: option.name, valueName: option.valueName, help: option.help,
                apply: { try option.apply(&$0.base, $1) }, show: { option.show($0.base) })
        }
    }
}

enum SweepCommand {
    static var parser: OptionParser<SweepOptions> {
        OptionParser<SweepOptions>(
            command: "sweep",
            summary: """
                Trains one model per point of a hyper-parameter space inside this MPI job: the ranks split into
                groups of --ranks-per-trial; each group trains a trial data-parallel, then takes the next from
                the queue in OUTPUT/queue (shared with other jobs of the same sweep, e.g. a Slurm job array).
                With --scheduler asha, trials pause at rungs of --min-resource × η^k steps and only the top 1/η
                go on. Writes OUTPUT/trial-<t>/, sweep.jsonl, sweep.md (sorted by --metric) and OUTPUT/best.
                Every train option sets the base configuration.
                """,
            options: [
                .configFile(),
                .path(
                    "space", \.space,
                    "JSON object: option name → list of values, {\"low\", \"high\"[, \"log\"]} or "
                        + "{\"choice\": [...]}."),
                .choice(
                    "scheduler", \.scheduler, ["grid", "random", "asha"],
                    "grid: every combination of the lists; random: --trials draws from --seed; asha: the same "
                        + "draws, with asynchronous successive halving."),
                .int("trials", \.trials, "Trials drawn by the random and asha schedulers."),
                .int("ranks-per-trial", \.ranksPerTrial, "Ranks training each trial (must divide the job's ranks)."),
                .int("min-resource", \.minResource, "ASHA: steps of the first rung (rung k: this × η^k)."),
                .int(
                    "reduction-factor", \.reductionFactor,
                    "ASHA: η, the ratio of successive rungs' steps; the top 1/η of a rung go on."),
                Option<SweepOptions>(
                    name: "metric", valueName: "NAME",
                    help: "The metric trials are ranked by (same as --metric-for-best-model).",
                    apply: { $0.base.metricForBestModel = $1 }, show: { $0.base.metricForBestModel }),
            ] + SweepOptions.trainOptions)
    }

    /// Runs the sweep; true when a stop request cut it short (exit 75, resumable).
    static func run(_ options: SweepOptions, communicator: Communicator) throws -> Bool {
        try options.check()
        let space = try SearchSpace.read(options.space!)
        let trials =
            options.scheduler == "grid"
            ? try space.grid() : space.random(count: options.trials, seed: UInt64(options.base.seed))
        let table = TrainCommand.parser
        let base = options.base
        var sweep = Sweep(
            trials: trials, ranksPerTrial: options.ranksPerTrial, output: base.output,
            metric: base.bestMetricKey, greaterIsBetter: base.bestMetricIncreases,
            options: { trial, output in
                var trialOptions = base
                for (name, value) in trial {
                    guard let option = table.options.first(where: { $0.name == name && $0.name != "config" }) else {
                        throw UsageError("--space: unknown train option \"\(name)\"" + table.suggestion(for: name))
                    }
                    try option.apply(&trialOptions, value)
                }
                trialOptions.output = output
                return trialOptions
            })
        sweep.resumes = base.resume != nil
        if options.scheduler == "asha" {
            sweep.minResource = options.minResource
            sweep.reductionFactor = options.reductionFactor
        }
        if communicator.rank == 0 {
            print(
                "sweep: \(trials.count) trials, \(communicator.size / max(options.ranksPerTrial, 1)) groups of "
                    + "\(options.ranksPerTrial) rank(s), metric \(base.bestMetricKey)"
                    + (sweep.minResource.map { ", ASHA rungs at \($0) × \(options.reductionFactor)^k steps" } ?? ""))
        }
        let (results, stopped) = try sweep.run(world: communicator) { trial, event in
            if case .notice(let text) = event { print("trial \(trial): \(text)") }
            if case .stopping(let reason) = event { print("trial \(trial): \(reason)") }
            if case .started(let summary) = event, let from = summary.resumedFrom {
                print("trial \(trial): resumed from \(from) at step \(summary.startStep)")
            }
            if case .finished(let result) = event {
                let how = result.paused ? "paused at its rung" : result.preempted ? "stopped" : "finished"
                print("trial \(trial): \(how), \(result.steps) steps in \(String(format: "%.1f", result.seconds)) s")
            }
        }
        guard communicator.rank == 0 else { return stopped }
        print((try? String(contentsOfFile: base.output + "/sweep.md", encoding: .utf8)) ?? "")
        if try base.reportDestinations().contains(.html) {
            // The trials table and curves; a page that cannot be written does not fail the sweep.
            do { print("report: " + (try SweepReport.rebuild(directory: base.output))) } catch { print("\(error)") }
        }
        print(
            "\(Set(results.map(\.trial)).count) trials, \(results.count) jobs: \(base.output)/sweep.jsonl, "
                + "sweep.md, best"
        )
        if stopped { print("sweep stopped on request; rerun the same command with --resume auto to finish it") }
        return stopped
    }
}
