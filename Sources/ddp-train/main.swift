import Foundation
import Training

// ddp-train: data-parallel fine-tuning of BERT-family encoders over MPI.
//
//   mpirun -np 8 ddp-train                      the demo job (pretrained model + demo data)
//   mpirun -np 8 ddp-train train --train ...    fine-tune
//   ddp-train evaluate | predict | inspect      use a fine-tuned model
//
// Errors: usage and option errors exit 64, data errors 65, anything else 1; an error in
// the middle of training aborts the whole MPI job so that no rank is left waiting.
// A run stopped on SIGUSR1 at a checkpoint exits 75 (EX_TEMPFAIL: not finished, rerun
// with --resume auto), so that a batch script can tell it from a finished run.

let usage = """
usage: ddp-train [train | evaluate | predict | inspect] [options]

  train      fine-tune a model on labelled text, data-parallel over the MPI ranks
  evaluate   loss, accuracy, macro-F1 and per-class precision/recall on a labelled file
  predict    label, probabilities and logits for every row of a file (JSON lines)
  inspect    a model directory's configuration, parameter counts and tokenizer

With no arguments, runs the demo job: the pretrained all-MiniLM-L6-v2 (from tools/setup.sh)
fine-tuned on the small sentiment data set in data/demo, output in runs/demo.
Run `ddp-train <command> --help` for the options of each command.
"""

/// The rank before MPI is initialised (for printing usage errors once), from the launcher's
/// environment.
let launcherRank = ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"].lazy
    .compactMap { ProcessInfo.processInfo.environment[$0].flatMap(Int.init) }.first ?? 0

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
    case .other: return 1
    }
}

var arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first.map { $0.hasPrefix("--") ? "train" : $0 } ?? "demo"
if let first = arguments.first, !first.hasPrefix("--") { arguments.removeFirst() }

if arguments.contains("--help") || arguments.contains("-h") || command == "help" {
    if launcherRank == 0 {
        switch command {
        case "train": print(TrainCommand.parser.help(defaults: TrainingOptions()))
        case "evaluate": print(EvaluateCommand.parser.help(defaults: InferenceOptions()))
        case "predict": print(PredictCommand.parser.help(defaults: InferenceOptions()))
        case "inspect": print(InspectCommand.parser.help(defaults: InferenceOptions()))
        default: print(usage)
        }
    }
    exit(0)
}

// Parse every option before MPI starts: a typo costs no job start-up.
var trainOptions = TrainingOptions()
var inferenceOptions = InferenceOptions()
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
    case "inspect":
        try InspectCommand.parser.parse(arguments, into: &inferenceOptions)
        do { try InspectCommand.run(inferenceOptions) } catch { fail("\(error)", status: exitStatus(for: error)) }
        exit(0)
    default:
        throw UsageError("unknown command \"\(command)\"\n\n" + usage)
    }
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
    switch command {
    case "demo", "train":
        let reporter = ConsoleReporter()
        let trainer = try Trainer(options: trainOptions, communicator: communicator,
                                  emit: { event in if communicator.rank == 0 { reporter.handle(event) } })
        running = true
        preempted = try trainer.run().preempted
    case "evaluate":
        try EvaluateCommand.run(inferenceOptions, communicator: communicator)
    case "predict":
        try PredictCommand.run(inferenceOptions, communicator: communicator)
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
