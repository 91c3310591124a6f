import Foundation
import Training

// ddp-train: data-parallel fine-tuning of BERT-family encoders over MPI.
//
//   mpirun -np 8 ddp-train                      the demo job (pretrained model + demo data)
//   mpirun -np 8 ddp-train train --train ...    fine-tune
//   ddp-train evaluate | predict | inspect      use a fine-tuned model
//
// Errors: usage and option errors exit 64, data errors 65, a checkpoint or model that cannot
// be written 74 (every rank stops at the same step), anything else 1; any other error in
// the middle of training aborts the whole MPI job so that no rank is left waiting.
// A run stopped on SIGUSR1 at a checkpoint exits 75 (EX_TEMPFAIL: not finished, rerun
// with --resume auto), so that a batch script can tell it from a finished run.

/// The environment as the launcher set it, before MPI_Init can add to it.
let launchEnvironment = ProcessInfo.processInfo.environment

/// The rank before MPI is initialised (for printing usage errors once), from the launcher's
/// environment.
let launcherRank =
    ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"].lazy
    .compactMap { launchEnvironment[$0].flatMap(Int.init) }.first ?? 0

/// Ends the program before MPI starts; every rank finds the same error, rank 0 prints it.
func fail(_ message: String, status: Int32) -> Never {
    if launcherRank == 0 {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }
    exit(status)
}

func exitStatus(for error: Error) -> Int32 {
    if error is UsageError { return 64 }
    switch FailureKind(of: error) {
    case .usage: return 64
    case .data: return 65
    case .storage: return 74
    case .other: return 1
    }
}

let command: String
let arguments: [String]
let commandNamed: Bool
switch Commands.route(Array(CommandLine.arguments.dropFirst())) {
case .help(let text):
    if launcherRank == 0 { print(text) }
    exit(0)
case .usageError(let message):
    fail(message, status: 64)
case .run(let name, let rest, let named):
    (command, arguments, commandNamed) = (name, rest, named)
}

// Parse every option before MPI starts: a typo costs no job start-up.
var trainOptions = TrainingOptions()
var inferenceOptions = InferenceOptions()
var generateOptions = GenerateOptions()
var explainOptions = ExplainOptions()
var sweepOptions = SweepOptions()
var embedOptions = EmbedOptions()
do {
    switch command {
    case "demo":
        trainOptions = try DemoJob.options()
    case "train":
        try TrainCommand.parser.parse(arguments, into: &trainOptions)
    case "evaluate":
        try EvaluateCommand.parser.parse(arguments, into: &inferenceOptions)
        try inferenceOptions.check(inputName: "validation")
    case "predict":
        try PredictCommand.parser.parse(arguments, into: &inferenceOptions)
        try inferenceOptions.check(inputName: "input")
    case "embed":
        try EmbedCommand.parser.parse(arguments, into: &embedOptions)
        try embedOptions.check()
    case "generate":
        try GenerateCommand.parser.parse(arguments, into: &generateOptions)
        try generateOptions.check()
    case "explain":
        try ExplainCommand.parser.parse(arguments, into: &explainOptions)
        try explainOptions.check()
    case "sweep":
        try SweepCommand.parser.parse(arguments, into: &sweepOptions)
        try sweepOptions.check()
        try sweepOptions.base.validate(worldSize: 1)
    case "report":
        do { try ReportCommand.run(arguments) } catch { fail("\(error)", status: exitStatus(for: error)) }
        exit(0)
    case "inspect":
        try InspectCommand.parser.parse(arguments, into: &inferenceOptions)
        do { try InspectCommand.run(inferenceOptions) } catch { fail("\(error)", status: exitStatus(for: error)) }
        exit(0)
    default:
        throw UsageError("unknown command \"\(command)\"\n\n" + Commands.usage)
    }
} catch let error as UsageError where !commandNamed && !arguments.isEmpty {
    fail(Commands.impliedCommandError(error.description, command: command), status: 64)
} catch {
    fail("\(error)", status: exitStatus(for: error))
}

let communicator: Communicator
do {
    communicator = try Communicator()
} catch {
    FileHandle.standardError.write(Data("[rank \(launcherRank)] error: MPI could not start: \(error)\n".utf8))
    exit(1)
}
var running = false
var preempted = false
do {
    // A rank stopped without exiting ends the job instead of leaving the others waiting.
    let timeout = command == "sweep" ? sweepOptions.base.collectiveTimeout : trainOptions.collectiveTimeout
    let watchdog = try CollectiveWatchdog.start(timeout: timeout, communicator: communicator)
    defer { withExtendedLifetime(watchdog) {} }
    switch command {
    case "demo", "train":
        let reporter = ConsoleReporter(
            progress: ProgressStyle.choose(
                environment: launchEnvironment, standardOutputIsTerminal: isatty(STDOUT_FILENO) != 0))
        let trainer = try Trainer(
            options: trainOptions, communicator: communicator,
            emit: { event in if communicator.rank == 0 { reporter.handle(event) } })
        running = true
        preempted = try trainer.run().preempted
    case "evaluate":
        try EvaluateCommand.run(inferenceOptions, communicator: communicator)
    case "predict":
        try PredictCommand.run(inferenceOptions, communicator: communicator)
    case "embed":
        try EmbedCommand.run(embedOptions, communicator: communicator)
    case "generate":
        try GenerateCommand.run(generateOptions, communicator: communicator)
    case "explain":
        try ExplainCommand.run(explainOptions, communicator: communicator)
    case "sweep":
        preempted = try SweepCommand.run(sweepOptions, communicator: communicator)
    default:
        break
    }
} catch let error as PeerFailure {
    // Every rank knows the failing rank's error; rank 0 prints it, all leave alike.
    if communicator.rank == 0 {
        FileHandle.standardError.write(Data("[rank \(error.rank)] error: \(error.message)\n".utf8))
    }
    try? communicator.finalize()
    exit(exitStatus(for: error))
} catch let error as StorageError {
    // Agreed by every rank before it was thrown (Trainer): all leave alike, no abort needed.
    FileHandle.standardError.write(Data("[rank \(communicator.rank)] error: \(error)\n".utf8))
    try? communicator.finalize()
    exit(exitStatus(for: error))
} catch {
    // Before training runs, errors are agreed (see Communicator.agreeing): the failing rank
    // holds the error, rank 0 prints it. During training an error is this rank's alone.
    if running || communicator.rank == 0 {
        FileHandle.standardError.write(Data("[rank \(communicator.rank)] error: \(error)\n".utf8))
    }
    if running && communicator.size > 1 {
        communicator.abort(code: 1)
    }
    try? communicator.finalize()
    exit(exitStatus(for: error))
}
try? communicator.finalize()
exit(preempted ? 75 : 0)
