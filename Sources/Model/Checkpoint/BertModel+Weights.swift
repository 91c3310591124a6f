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
        let prefix = head.encoderPrefix
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
        for entry in layout.table.entries {
            let name = BertModel.canonicalName(entry.name, head: layout.head)
            let isHead = entry.group == .head
            let fileKey = isHead ? (loadHead ? keys.head[name] : nil) : keys.encoder[name]
            guard let fileKey else {
                if isHead { report.missing.append(entry.name) } else { missingEncoder.append(name) }
                continue
            }
            let info = try file.tensor(fileKey)
            if info.shape != entry.shape {
                throw WeightLoadError("\(file.file): tensor \"\(fileKey)\" has shape \(info.shape), the model expects \(entry.shape) for \(entry.name)"
                    + (isHead ? " (the checkpoint's head has another label set: fine-tune it again with --reinit-head)" : ""))
            }
            try file.read(fileKey, shape: entry.shape,
                          into: UnsafeMutableBufferPointer(start: parameters.base + entry.offset, count: entry.count))
            used.insert(fileKey)
        }
        if !missingEncoder.isEmpty {
            let shown = missingEncoder.prefix(5).joined(separator: ", ")
            throw WeightLoadError("\(file.file): \(missingEncoder.count) encoder parameter\(missingEncoder.count == 1 ? " is" : "s are") missing (\(shown)\(missingEncoder.count > 5 ? ", …" : "")); is this a BERT checkpoint with \(config.numHiddenLayers) layers?")
        }
        report.unused = (Array(keys.encoder.values) + Array(keys.head.values) + keys.unknown).filter { !used.contains($0) }.sorted()
        return report
    }

    /// Writes every parameter under its Hugging Face key (F32 safetensors, fsynced).
    public func saveWeights(to path: String, metadata: [String: String] = ["format": "pt"]) throws {
        let entries = layout.table.entries.map {
            SafeTensorsEntry(name: $0.name, shape: $0.shape,
                             data: UnsafeBufferPointer(start: parameters.base + $0.offset, count: $0.count))
        }
        try SafeTensorsWriter.write(entries, metadata: metadata, to: path)
    }
}
