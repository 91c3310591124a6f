/// GPT-2 checkpoints in Hugging Face layout: keys with the `transformer.` prefix (every
/// `GPT2…` class with a head) or without it (`GPT2Model`), `Conv1D` weights `[in, out]`,
/// the causal-mask buffers `attn.bias` / `attn.masked_bias` of older saves skipped, and
/// `lm_head.weight` absent when tied to `wte`.
extension GPT2Model {
    static let bodyPrefix = "transformer."

    /// Canonical name (no body prefix) → key in `names`, and the buffers skipped.
    static func classify(_ names: some Sequence<String>, file: String) throws -> (
        keys: [String: String], ignored: [String]
    ) {
        var keys: [String: String] = [:], ignored: [String] = []
        var prefixed: String?, bare: String?
        for key in names.sorted() {
            if key.hasSuffix(".attn.bias") || key.hasSuffix(".attn.masked_bias") {
                ignored.append(key)
                continue
            }
            let hasPrefix = key.hasPrefix(bodyPrefix)
            let name = hasPrefix ? String(key.dropFirst(bodyPrefix.count)) : key
            if let earlier = keys[name] {
                throw WeightLoadError(
                    "\(file): tensor \"\(key)\" names the same parameter \"\(name)\" as \"\(earlier)\"")
            }
            keys[name] = key
            if GPT2Layout.isHeadParameter(name) { continue }
            if hasPrefix { prefixed = prefixed ?? key } else { bare = bare ?? key }
        }
        if let prefixed, let bare {
            throw WeightLoadError(
                "\(file): keys mix names with the \"transformer.\" prefix (\"\(prefixed)\") and without it "
                    + "(\"\(bare)\"); expected one form")
        }
        return (keys, ignored)
    }

    /// Copies the parameters in `file` into the parameter slab, transposing `Conv1D` weights.
    ///
    /// Every body parameter must be present with its Hugging Face shape. The head
    /// (`lm_head`, `score`, `classifier`) is loaded when `loadHead` and the file has it;
    /// otherwise it is reported missing. A tied model ignores a saved `lm_head.weight` (it is
    /// `wte`). Errors name the file, the key and the shapes.
    public func loadWeights(from file: SafeTensorsFile, loadHead: Bool = true) throws -> WeightLoadReport {
        var (keys, ignored) = try GPT2Model.classify(file.names, file: file.file)
        if config.tieWordEmbeddings, let tied = keys.removeValue(forKey: "lm_head.weight") { ignored.append(tied) }
        var report = WeightLoadReport(ignoredBuffers: ignored.sorted())
        var used = Set<String>(), missingBody: [String] = []
        let prefix = GPT2Family.keyPrefix(layout.head)
        for entry in layout.table.entries where !entry.isAdapter {
            let name = entry.name.hasPrefix(prefix) ? String(entry.name.dropFirst(prefix.count)) : entry.name
            let isHead = GPT2Layout.isHeadParameter(name)
            guard let fileKey = isHead ? (loadHead ? keys[name] : nil) : keys[name] else {
                if isHead { report.missing.append(entry.name) } else { missingBody.append(name) }
                continue
            }
            let info = try file.tensor(fileKey)
            let transposed = GPT2Layout.isConv1D(entry.name)
            let expected = transposed ? [entry.shape[1], entry.shape[0]] : entry.shape
            guard info.shape == expected else {
                throw WeightLoadError(
                    "\(file.file): tensor \"\(fileKey)\" has shape \(info.shape), the model expects \(expected) for "
                        + entry.name
                        + (isHead
                            ? " (the checkpoint's head has another label set: fine-tune it again with --reinit-head)"
                            : ""))
            }
            let target = parameters.base + entry.offset
            if transposed {
                let stored = FloatSlab(count: entry.count)
                try file.read(fileKey, shape: expected, into: stored.buffer)
                GPT2Model.transpose(stored.base, rows: expected[0], cols: expected[1], into: target)
            } else {
                try file.read(
                    fileKey, shape: expected, into: UnsafeMutableBufferPointer(start: target, count: entry.count))
            }
            used.insert(fileKey)
        }
        if !missingBody.isEmpty {
            let shown = missingBody.prefix(5).joined(separator: ", ")
            throw WeightLoadError(
                "\(file.file): \(missingBody.count) parameter\(missingBody.count == 1 ? " is" : "s are") missing "
                    + "(\(shown)\(missingBody.count > 5 ? ", …" : "")); is this a GPT-2 checkpoint with "
                    + "\(config.nLayer) layers?")
        }
        report.unused = keys.values.filter { !used.contains($0) }.sorted()
        return report
    }

    /// Writes every parameter under its Hugging Face key in the head's class layout
    /// (`Conv1D` weights transposed back to `[in, out]`; no `lm_head.weight` when tied; LoRA
    /// adapters merged), F32 safetensors, fsynced.
    public func saveWeights(to path: String, metadata: [String: String] = ["format": "pt"]) throws {
        let merged = mergedAdapterWeights()
        var copies: [FloatSlab] = []
        let entries = layout.table.entries.filter { !$0.isAdapter }.map { entry -> SafeTensorsEntry in
            let source = merged[entry.name]?.base ?? parameters.base + entry.offset
            guard GPT2Layout.isConv1D(entry.name) else {
                return SafeTensorsEntry(
                    name: entry.name, shape: entry.shape, data: UnsafeBufferPointer(start: source, count: entry.count))
            }
            let copy = FloatSlab(count: entry.count)
            GPT2Model.transpose(source, rows: entry.shape[0], cols: entry.shape[1], into: copy.base)
            copies.append(copy)
            return SafeTensorsEntry(
                name: entry.name, shape: [entry.shape[1], entry.shape[0]], data: UnsafeBufferPointer(copy.buffer))
        }
        // The entries point into `merged` and `copies`: keep them alive until written.
        try withExtendedLifetime((merged, copies)) {
            try SafeTensorsWriter.write(entries, metadata: metadata, to: path)
        }
    }

    /// `output[j, i] = input[i, j]` for an `[rows, cols]` input.
    static func transpose(
        _ input: UnsafePointer<Float>, rows: Int, cols: Int, into output: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<rows {
            for j in 0..<cols { output[j * rows + i] = input[i * cols + j] }
        }
    }
}
