import Foundation
import Reports
import Training

/// Options of `sweep`: its own, and every `train` option as the base configuration.
struct SweepOptions {
    var base = TrainingOptions()
    var space: String? = nil
    var trials: Int = 8
    var ranksPerTrial: Int = 1
    var scheduler: String = "grid"

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
                groups of --ranks-per-trial, each group trains its trials data-parallel (trial t on group t mod
                groups); writes OUTPUT/trial-<t>/, sweep.jsonl, sweep.md (sorted by --metric-for-best-model) and
                OUTPUT/best. Every train option sets the base configuration.
                """,
            options: [
                .configFile(),
                .path(
                    "space", \.space,
                    "JSON object: option name → list of values, {\"low\", \"high\"[, \"log\"]} or "
                        + "{\"choice\": [...]}."),
                .choice(
                    "scheduler", \.scheduler, ["grid", "random"],
                    "grid: every combination of the lists; random: "
                        + "--trials draws from --seed."),
                .int("trials", \.trials, "Trials drawn by the random scheduler."),
                .int("ranks-per-trial", \.ranksPerTrial, "Ranks training each trial (must divide the job's ranks)."),
            ] + SweepOptions.trainOptions)
    }

    /// Runs the sweep; true when a stop request cut it short (exit 75, resumable).
    static func run(_ options: SweepOptions, communicator: Communicator) throws -> Bool {
        guard let spacePath = options.space else { throw UsageError("--space FILE.json is required") }
        let space = try SearchSpace.read(spacePath)
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
        if communicator.rank == 0 {
            print(
                "sweep: \(trials.count) trials, \(communicator.size / max(options.ranksPerTrial, 1)) groups of "
                    + "\(options.ranksPerTrial) rank(s), metric \(base.bestMetricKey)")
        }
        let (results, stopped) = try sweep.run(world: communicator) { trial, event in
            if case .finished(let result) = event {
                print("trial \(trial): finished, \(result.steps) steps in \(String(format: "%.1f", result.seconds)) s")
            }
        }
        guard communicator.rank == 0 else { return stopped }
        print((try? String(contentsOfFile: base.output + "/sweep.md", encoding: .utf8)) ?? "")
        if try base.reportDestinations().contains(.html) {
            // The trials table and curves; a page that cannot be written does not fail the sweep.
            do { print("report: " + (try SweepReport.rebuild(directory: base.output))) } catch { print("\(error)") }
        }
        print("\(results.count) trials: \(base.output)/sweep.jsonl, sweep.md, best")
        if stopped { print("sweep stopped on request; rerun the same command with --resume auto to finish it") }
        return stopped
    }
}
