import Foundation
import Training

/// The job `ddp-train` runs with no arguments: the pretrained model from set-up fine-tuned on
/// the small sentiment data set shipped in `data/demo`, written to `runs/demo`.
enum DemoJob {
    static func options() throws -> TrainingOptions {
        let data = try demoDataDirectory()
        var options = TrainingOptions()
        options.train = data + "/train.tsv"
        options.validation = data + "/validation.tsv"
        options.output = "runs/demo"
        options.epochs = 3
        options.batchSize = 16
        options.learningRate = 1e-4
        options.warmupRatio = 0.1
        options.weightDecay = 0.01
        options.maxLength = 64
        options.loggingSteps = 5
        options.saveSteps = 0
        return options
    }

    /// `$DDP_TRAIN_DEMO_DATA`, else `data/demo` of the source tree the executable was built
    /// in (`<repo>/.build/<config>/ddp-train`), else `./data/demo`.
    static func demoDataDirectory() throws -> String {
        let manager = FileManager.default
        if let env = ProcessInfo.processInfo.environment["DDP_TRAIN_DEMO_DATA"], !env.isEmpty { return env }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates: [String] = []
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("data/demo").path)
            directory = directory.deletingLastPathComponent()
        }
        candidates.append(manager.currentDirectoryPath + "/data/demo")
        if let found = candidates.first(where: { manager.fileExists(atPath: $0 + "/train.tsv") }) { return found }
        throw UsageError(
            "the demo data set (data/demo/train.tsv of the ddp-train sources) was not found; set DDP_TRAIN_DEMO_DATA "
                + "or give --train"
        )
    }
}
