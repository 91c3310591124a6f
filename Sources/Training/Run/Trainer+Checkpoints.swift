import Foundation
import Model
import Parallel

#if canImport(Glibc)
    import Glibc
#endif

/// Writing checkpoints and the final model (rank 0), agreed by every rank, and reading the
/// best checkpoint back.
extension Trainer {
    /// Rank 0 writes a checkpoint and every rank agrees on whether it was written. One that
    /// could not be (a full disk) stops every rank here with a `StorageError`, or with
    /// `--on-save-error continue` training goes on without it.
    func saveCheckpoint() throws {
        engine.applyDeferredUpdates()
        try engine.gatherOptimizerState()
        state.optimizerSteps = Dictionary(
            uniqueKeysWithValues: optimizer.stepCounts.map { ($0.key.description, $0.value) })
        let step = state.globalStep
        do {
            try communicator.agreeing {
                guard isRoot else { return }
                let path = try Checkpoints.write(
                    step: step, output: options.output, model: model, optimizer: optimizer,
                    state: state, config: outputConfig, tokenizerSource: source.path,
                    maxLength: maxLength)
                Checkpoints.prune(
                    output: options.output, keep: options.saveTotalLimit, protected: state.bestModelCheckpoint)
                emit(.checkpointSaved(path))
            }
        } catch let error where FailureKind(of: error) == .storage && options.onSaveError == .continue {
            let unsaved = Checkpoints.path(output: options.output, step: step)
            if state.bestModelCheckpoint == unsaved { state.bestModelCheckpoint = nil }
            if isRoot {
                emit(
                    .notice(
                        "step \(step): checkpoint not written, training goes on (--on-save-error continue): \(error)"))
            }
        }
    }

    /// Replaces the parameters with the best checkpoint's on every rank.
    func loadBestModel(_ checkpoint: String) throws {
        try communicator.agreeing {
            if isRoot { try Checkpoints.readModel(into: model, from: checkpoint) }
        }
        try communicator.broadcast(model.parameters.buffer, root: 0)
        if isRoot {
            emit(.notice("loaded the best model, \(checkpoint) (\(options.bestMetricKey) \(state.bestMetric ?? .nan))"))
        }
    }

    /// The trained model in Hugging Face form in the output directory itself (with the
    /// task's own files, `completion`), each file replaced atomically. Any failure to write
    /// is a `StorageError` naming the space needed.
    func writeFinalModel(adding completion: TaskCompletion? = nil) throws -> String {
        let needed = Checkpoints.estimatedBytes(model: model, tokenizerSource: source.path, optimizer: false)
        try StorageSpace.require(needed, toWrite: "the final model into \(options.output)", in: options.output)
        var directory: DurableDirectory?
        do {
            directory = try DurableDirectory(destination: options.output + "/.final-model")
            try ModelDirectory.write(
                model: model, config: outputConfig, tokenizerSource: source.path,
                maxLength: maxLength, into: directory!)
            try completion?.write(directory!.temporary)
            try moveFinalModelFiles(from: directory!)
        } catch {
            directory?.abandon()
            let free = StorageSpace.availableBytes(at: options.output).map(StorageSpace.describe) ?? "unknown"
            throw StorageError(
                "cannot write the final model into \(options.output): \(error) (it needs about "
                    + "\(StorageSpace.describe(needed)); \(free) free there now)")
        }
        return options.output
    }

    /// Renames each written file of the final model over its old version in the output.
    private func moveFinalModelFiles(from directory: DurableDirectory) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.temporary) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: options.output + "/" + name, isDirectory: &isDirectory),
                isDirectory.boolValue
            {
                // rename cannot replace a directory
                try FileManager.default.removeItem(atPath: options.output + "/" + name)
            }
            guard rename(directory.path(name), options.output + "/" + name) == 0 else {
                throw CheckpointError(
                    "rename \(directory.path(name)) into \(options.output): \(String(cString: strerror(errno)))")
            }
        }
        directory.abandon()
        try DurableDirectory.syncDirectory(options.output)
    }
}
