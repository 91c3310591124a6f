import Training

/// One command of `ddp-train`: its name, the line `ddp-train --help` shows for it, and its
/// own `--help` text.
struct CommandEntry: Sendable {
    let name: String
    let summary: String
    let help: @Sendable () -> String
}

/// The commands, and how the first arguments pick one. A new command is one row of `table`
/// (and its case in main.swift); the top-level help is generated from the table.
enum Commands {
    static let table: [CommandEntry] = [
        CommandEntry(
            name: "train", summary: "fine-tune a model on labelled text, data-parallel over the MPI ranks",
            help: { TrainCommand.parser.help(defaults: TrainingOptions()) }),
        CommandEntry(
            name: "evaluate", summary: "loss and the task's metrics of a fine-tuned model on a labelled file",
            help: { EvaluateCommand.parser.help(defaults: InferenceOptions()) }),
        CommandEntry(
            name: "predict", summary: "predictions for every row of a file, as JSON lines",
            help: { PredictCommand.parser.help(defaults: InferenceOptions()) }),
        CommandEntry(
            name: "embed", summary: "sentence embeddings of every row of a file (.npy, .safetensors or .jsonl)",
            help: { EmbedCommand.parser.help(defaults: EmbedOptions()) }),
        CommandEntry(
            name: "sweep", summary: "hyper-parameter sweep: one trial per point of a space, groups of ranks in one job",
            help: { SweepCommand.parser.help(defaults: SweepOptions()) }),
        CommandEntry(
            name: "generate", summary: "continue prompts with a language model (greedy or sampled), as JSON lines",
            help: { GenerateCommand.parser.help(defaults: GenerateOptions()) }),
        CommandEntry(
            name: "explain", summary: "which tokens made each prediction: integrated gradients, as JSON lines",
            help: { ExplainCommand.parser.help(defaults: ExplainOptions()) }),
        CommandEntry(
            name: "inspect", summary: "a model directory's configuration, parameter counts and tokenizer",
            help: { InspectCommand.parser.help(defaults: InferenceOptions()) }),
        CommandEntry(
            name: "report", summary: "rebuild a run's report.html from its metrics.jsonl and report-data.json",
            help: { ReportCommand.help }),
    ]

    static func entry(_ name: String) -> CommandEntry? {
        table.first { $0.name == name }
    }

    /// The top-level help: every command with its summary.
    static var usage: String {
        let width = (table.map(\.name.count).max() ?? 0) + 3
        let rows = table.map { "  " + $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + $0.summary }
        return
            (["usage: ddp-train <command> [options]", "", "commands:"] + rows + [
                "",
                "With no arguments, runs the demo job: the pretrained all-MiniLM-L6-v2 (from tools/setup.sh)",
                "fine-tuned on the small sentiment data set in data/demo, output in runs/demo.",
                "Options without a command are those of train.",
                "Run `ddp-train <command> --help` for the options of each command.",
            ]).joined(separator: "\n")
    }

    /// What the arguments ask for.
    enum Invocation: Equatable {
        /// Print this and exit 0.
        case help(String)
        /// Run `command` with `arguments`; `named` is false when the command was implied
        /// (no arguments: the demo job; options first: train).
        case run(command: String, arguments: [String], named: Bool)
        /// A usage error (exit 64), the message complete.
        case usageError(String)
    }

    static func isHelpFlag(_ argument: String) -> Bool { argument == "--help" || argument == "-h" }

    /// `ddp-train`, `ddp-train --help | -h | help [command]`, `ddp-train <command> [--help]`,
    /// and the older `ddp-train --option ...`, which is `train`.
    static func route(_ arguments: [String]) -> Invocation {
        guard let first = arguments.first else { return .run(command: "demo", arguments: [], named: false) }
        if first == "help" || isHelpFlag(first) {
            guard arguments.count > 1 else { return .help(usage) }
            guard let entry = entry(arguments[1]) else {
                return .usageError("unknown command \"\(arguments[1])\"\n\n" + usage)
            }
            return .help(entry.help())
        }
        if first.hasPrefix("--") {
            return arguments.contains(where: isHelpFlag)
                ? .help(usage)
                : .run(command: "train", arguments: arguments, named: false)
        }
        guard let entry = entry(first) else { return .usageError("unknown command \"\(first)\"\n\n" + usage) }
        let rest = Array(arguments.dropFirst())
        if rest.contains(where: isHelpFlag) { return .help(entry.help()) }
        return .run(command: first, arguments: rest, named: true)
    }

    /// An option error of a command that was implied, not named: says which command read the
    /// options, and lists the commands, in case the user meant another.
    static func impliedCommandError(_ message: String, command: String) -> String {
        message + "\n\n(no command was given, so these options were read as those of `ddp-train \(command)`)\n\n"
            + usage
    }
}
