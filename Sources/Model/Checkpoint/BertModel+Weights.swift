/// What loading a checkpoint into a model found.
public struct WeightLoadReport: Equatable, Sendable {
    /// Parameters of the model not present in the file (e.g. a new classifier head); the
    /// caller initialises them.
    public var missing: [String] = []
    /// Tensors in the file the model has no place for (a pooler for a token head, a
    /// pre-training head, or a classifier replaced with `--reinit-head`).
    public var unused: [String] = []
    /// Buffers skipped by design (`embeddings.position_ids`).
    public var ignoredBuffers: [String] = []
}

/// A checkpoint cannot be loaded into this model: the message names the file, the tensor and
/// what was expected.
public struct WeightLoadError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension BertModel {
    /// The key a table entry is looked up under among a checkpoint's canonical names
    /// (`encoder.layer.0.…`, `classifier.weight`): the entry name without the `bert.` prefix.
    static func canonicalName(_ tableName: String, head: TaskHead) -> String {
        let prefix = BertFamily.keyPrefix(head)
        return !prefix.isEmpty && tableName.hasPrefix(prefix) ? String(tableName.dropFirst(prefix.count)) : tableName
    }

    /// Copies the parameters in `file` straight into the parameter slab.
    ///
    /// Every encoder parameter must be present with the model's shape. The classifier is
    /// loaded when `loadHead` and the file has one; otherwise it is reported missing. A
    /// head in the file with another label count is an error unless `loadHead` is false.
    public func loadWeights(from file: SafeTensorsFile, loadHead: Bool = true) throws -> WeightLoadReport {
        let keys = try CheckpointKeys(fileKeys: file.names, file: file.file)
        var report = WeightLoadReport(ignoredBuffers: keys.ignoredBuffers)
        var used = Set<String>()
        var missingEncoder: [String] = []
        for entry in layout.table.entries where !entry.isAdapter {
            let name = BertModel.canonicalName(entry.name, head: layout.head)
            let isHead = entry.group == .head
            let fileKey = isHead ? (loadHead ? keys.head[name] : nil) : keys.encoder[name]
            guard let fileKey else {
                if isHead { report.missing.append(entry.name) } else { missingEncoder.append(name) }
                continue
            }
            let info = try file.tensor(fileKey)
            if info.shape != entry.shape {
                throw WeightLoadError(
                    "\(file.file): tensor \"\(fileKey)\" has shape \(info.shape), the model expects \(entry.shape) "
                        + "for \(entry.name)"
                        + (isHead
                            ? " (the checkpoint's head has another label set: fine-tune it again with --reinit-head)"
                            : ""))
            }
            try file.read(
                fileKey, shape: entry.shape,
                into: UnsafeMutableBufferPointer(start: parameters.base + entry.offset, count: entry.count))
            used.insert(fileKey)
        }
        if !missingEncoder.isEmpty {
            let shown = missingEncoder.prefix(5).joined(separator: ", ")
            throw WeightLoadError(
                "\(file.file): \(missingEncoder.count) encoder "
                    + "parameter\(missingEncoder.count == 1 ? " is" : "s are") missing "
                    + "(\(shown)\(missingEncoder.count > 5 ? ", …" : "")); is this a BERT checkpoint with "
                    + "\(config.numHiddenLayers) layers?"
            )
        }
        report.unused = (Array(keys.encoder.values) + Array(keys.head.values) + keys.unknown).filter {
            !used.contains($0)
        }.sorted()
        return report
    }

    /// Writes every parameter of the Hugging Face model under its key (F32 safetensors,
    /// fsynced). LoRA adapters are merged into their base weights, `W + (α/r)·B·A`, so the
    /// file is a plain model any `transformers` user loads.
    public func saveWeights(to path: String, metadata: [String: String] = ["format": "pt"]) throws {
        let merged = mergedAdapterWeights()
        // The entries point into the merged copies: keep them alive until written (Swift
        // may otherwise release `merged` right after its last use, the map below).
        try withExtendedLifetime(merged) {
            let entries = layout.table.entries.filter { !$0.isAdapter }.map { entry in
                let data =
                    merged[entry.name].map { UnsafeBufferPointer($0.buffer) }
                    ?? UnsafeBufferPointer(start: parameters.base + entry.offset, count: entry.count)
                return SafeTensorsEntry(name: entry.name, shape: entry.shape, data: data)
            }
            try SafeTensorsWriter.write(entries, metadata: metadata, to: path)
        }
    }

    /// The base weights with their adapters merged in, by table name.
    func mergedAdapterWeights() -> [String: FloatSlab] {
        guard let lora = layout.lora else { return [:] }
        var merged: [String: FloatSlab] = [:]
        for l in 0..<config.numHiddenLayers {
            for target in lora.targets {
                let name = layout.baseWeightName(target, layer: l)
                let (fanIn, fanOut) = BertLayout.shape(of: target, config: config)
                merged[name] = AdapterFiles.merged(
                    weight: parameters.base + layout.table[name]!.offset, pair: weights.layers[l].adapters[target]!,
                    fanIn: fanIn, fanOut: fanOut, lora: lora)
            }
        }
        return merged
    }

    /// The prefix PEFT gives every key of an adapter file.
    public static let peftPrefix = AdapterFiles.peftPrefix

    /// Writes the LoRA adapters and the classifier in PEFT's form (see `AdapterFiles`).
    public func saveAdapters(to path: String) throws {
        try AdapterFiles.save(table: layout.table, parameters: parameters, to: path)
    }

    /// Reads adapters (and the classifier) written by `saveAdapters` or by PEFT.
    public func loadAdapters(from file: SafeTensorsFile) throws {
        try AdapterFiles.load(table: layout.table, parameters: parameters, from: file)
    }

    /// PEFT's initialisation: `A` Kaiming-uniform, `B` zero.
    public func initializeAdapters(seed: UInt64) {
        AdapterFiles.initialize(table: layout.table, parameters: parameters, seed: seed)
    }
}
