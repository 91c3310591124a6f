import Foundation
import Model

/// The checkpoints of a run: `<output>/checkpoint-<step>/`
/// holding a loadable Hugging Face model (config, weights, tokenizer), the AdamW moments
/// (`optimizer.safetensors`), `trainer_state.json`, and `manifest.json` written last.
public enum Checkpoints {
    public static let prefix = "checkpoint-"

    public static func path(output: String, step: Int) -> String { output + "/" + prefix + String(step) }

    /// Writes checkpoint `step` atomically (rank 0 only): a crash at any moment leaves the
    /// earlier checkpoints as they were and no `checkpoint-<step>` directory, or a complete one.
    /// Too little free space is found before anything is written; any failure to write
    /// throws a `StorageError` naming the checkpoint and the space it needs.
    @discardableResult
    public static func write(
        step: Int, output: String, model: any TrainableModel, optimizer: AdamW, state: TrainerState,
        config: HuggingFaceConfig, tokenizerSource: String, maxLength: Int
    ) throws -> String {
        let destination = path(output: output, step: step)
        let needed = estimatedBytes(model: model, tokenizerSource: tokenizerSource, optimizer: true)
        try StorageSpace.require(needed, toWrite: destination, in: output)
        let directory: DurableDirectory
        do {
            directory = try DurableDirectory(destination: destination)
        } catch {
            throw StorageError("cannot write \(destination): \(error)")
        }
        do {
            try ModelDirectory.write(
                model: model, config: config, tokenizerSource: tokenizerSource,
                maxLength: maxLength, into: directory)
            try writeOptimizer(optimizer, table: model.parameterTable, to: directory.path("optimizer.safetensors"))
            try directory.write(try state.jsonText(), as: TrainerState.fileName)
            if FaultInjection.crashInCheckpoint == step { abort() }
            try directory.write(try Manifest.make(for: directory.temporary).jsonText(), as: Manifest.fileName)
            try directory.commit()
        } catch {
            directory.abandon()
            let free = StorageSpace.availableBytes(at: output).map(StorageSpace.describe) ?? "unknown"
            throw StorageError(
                "cannot write \(destination): \(error) (it needs about \(StorageSpace.describe(needed)); "
                    + "\(free) free there now)")
        }
        return destination
    }

    /// Bytes a checkpoint (or, without `optimizer`, the final model) takes, a little over:
    /// the weights, the two AdamW moments, the tokenizer files copied beside them, and 1 MB
    /// for the safetensors headers, the config, the trainer state and the manifest.
    public static func estimatedBytes(model: any TrainableModel, tokenizerSource: String, optimizer: Bool) -> Int {
        let weights = model.parameterTable.count * MemoryLayout<Float>.stride
        let tokenizer = ModelDirectory.tokenizerFiles.reduce(0) { sum, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: tokenizerSource + "/" + name)
            return sum + ((attributes?[.size] as? Int) ?? 0)
        }
        return weights * (optimizer ? 3 : 1) + tokenizer + 1_000_000
    }

    /// AdamW moments as `exp_avg.<parameter>` and `exp_avg_sq.<parameter>` tensors.
    static func writeOptimizer(_ optimizer: AdamW, table: ParameterTable, to path: String) throws {
        var entries: [SafeTensorsEntry] = []
        for entry in table.entries {
            entries.append(
                SafeTensorsEntry(
                    name: "exp_avg." + entry.name, shape: entry.shape,
                    data: UnsafeBufferPointer(start: optimizer.firstMoment.base + entry.offset, count: entry.count)))
            entries.append(
                SafeTensorsEntry(
                    name: "exp_avg_sq." + entry.name, shape: entry.shape,
                    data: UnsafeBufferPointer(start: optimizer.secondMoment.base + entry.offset, count: entry.count)))
        }
        try SafeTensorsWriter.write(entries, metadata: ["format": "ddp-train-adamw"], to: path)
    }

    /// Reads a checkpoint's trained parameters into `model`: all of `model.safetensors`, or —
    /// for a LoRA model, whose `model.safetensors` holds merged weights — the adapters and
    /// the classifier from `adapter_model.safetensors` (the frozen base stays as loaded).
    public static func readModel(into model: any TrainableModel, from checkpoint: String) throws {
        if model.lora != nil {
            try model.loadAdapters(
                from: SafeTensorsFile(contentsOf: checkpoint + "/" + ModelDirectory.adapterWeightsFile))
        } else {
            _ = try model.loadWeights(
                from: SafeTensorsFile(contentsOf: checkpoint + "/model.safetensors"), loadHead: true)
        }
    }

    /// Reads the AdamW moments of a checkpoint into `optimizer` (same layout required).
    public static func readOptimizer(into optimizer: AdamW, table: ParameterTable, from checkpoint: String) throws {
        let file = try SafeTensorsFile(contentsOf: checkpoint + "/optimizer.safetensors")
        for entry in table.entries {
            try file.read(
                "exp_avg." + entry.name, shape: entry.shape,
                into: UnsafeMutableBufferPointer(start: optimizer.firstMoment.base + entry.offset, count: entry.count))
            try file.read(
                "exp_avg_sq." + entry.name, shape: entry.shape,
                into: UnsafeMutableBufferPointer(start: optimizer.secondMoment.base + entry.offset, count: entry.count))
        }
    }

    /// The complete checkpoints under `output` (named `checkpoint-<step>`, with a manifest),
    /// oldest first. Temporary directories of interrupted writes are not listed.
    public static func list(output: String) -> [(step: Int, path: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []
        return names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix(prefix), let step = Int(name.dropFirst(prefix.count)) else { return nil }
            let path = output + "/" + name
            guard FileManager.default.fileExists(atPath: path + "/" + Manifest.fileName) else { return nil }
            return (step, path)
        }.sorted { $0.0 < $1.0 }
    }

    /// Resolves `--resume`: `auto` is the newest complete checkpoint in `output` (nil when
    /// there is none: the run starts fresh); anything else is a checkpoint path, which must
    /// be complete. The chosen checkpoint's files are verified against its manifest.
    public static func resolve(_ resume: String, output: String) throws -> String? {
        let path: String
        if resume == "auto" {
            guard let newest = list(output: output).last else { return nil }
            path = newest.path
        } else {
            path = resume
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CheckpointError("--resume \(path): no such checkpoint directory")
            }
        }
        try Manifest.read(from: path).verify(directory: path)
        return path
    }

    /// Deletes the oldest checkpoints beyond `keep` (0: keep all), never `protected` (the
    /// best one).
    public static func prune(output: String, keep: Int, protected: String?) {
        guard keep > 0 else { return }
        var checkpoints = list(output: output).map(\.path).filter { $0 != protected }
        while checkpoints.count > keep {
            try? FileManager.default.removeItem(atPath: checkpoints.removeFirst())
        }
    }
}
