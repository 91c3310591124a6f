/// LoRA adapters in PEFT's `adapter_model.safetensors` form, for any family: the adapter
/// matrices and the trained head under `base_model.model.` + their table name
/// (`base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight`,
/// `base_model.model.transformer.h.0.attn.c_attn.lora_A.weight`, …,
/// `base_model.model.classifier.weight`), and PEFT's initialisation.
public enum AdapterFiles {
    /// The prefix PEFT gives every key of an adapter file.
    public static let peftPrefix = "base_model.model."

    /// What an adapter file holds: the adapters and the head (PEFT's `modules_to_save`).
    static func isSaved(_ entry: ParameterEntry) -> Bool { entry.isAdapter || entry.group == .head }

    /// Writes the adapters and the head of `table` from `parameters`.
    public static func save(table: ParameterTable, parameters: FloatSlab, to path: String) throws {
        let entries = table.entries.filter(isSaved).map {
            SafeTensorsEntry(
                name: peftPrefix + $0.name, shape: $0.shape,
                data: UnsafeBufferPointer(start: parameters.base + $0.offset, count: $0.count))
        }
        try SafeTensorsWriter.write(entries, metadata: ["format": "pt"], to: path)
    }

    /// Reads adapters (and the head) written by `save` or by PEFT.
    public static func load(table: ParameterTable, parameters: FloatSlab, from file: SafeTensorsFile) throws {
        for entry in table.entries where isSaved(entry) {
            let key = peftPrefix + entry.name
            guard file.info(key) != nil else {
                throw WeightLoadError(
                    "\(file.file): no tensor \"\(key)\" — the adapter file does not match --lora-rank/--lora-targets")
            }
            try file.read(
                key, shape: entry.shape,
                into: UnsafeMutableBufferPointer(start: parameters.base + entry.offset, count: entry.count))
        }
    }

    /// PEFT's initialisation: `A` Kaiming-uniform (a = √5: U(−1/√in, 1/√in)), `B` zero.
    public static func initialize(table: ParameterTable, parameters: FloatSlab, seed: UInt64) {
        for entry in table.entries where entry.isAdapter {
            let p = parameters.base + entry.offset
            if entry.name.hasSuffix("lora_B.weight") {
                p.update(repeating: 0, count: entry.count)
            } else {
                let bound = 1 / Float(entry.shape[1]).squareRoot()
                let key = ParameterInitializer.key(seed: seed, name: entry.name)
                for i in 0..<entry.count {
                    let unit =
                        Float(CounterRNG.bits(key: key, counter: UInt32(truncatingIfNeeded: i)) >> 8) / 16_777_216
                    p[i] = (2 * unit - 1) * bound
                }
            }
        }
    }

    /// `W + s·B·A` for one adapted `[out, in]` weight, as a new slab.
    static func merged(
        weight: UnsafePointer<Float>, pair: LayerAdapters.Pair, fanIn: Int, fanOut: Int, lora: LoRAConfiguration
    ) -> FloatSlab {
        let copy = FloatSlab(count: fanIn * fanOut)
        copy.base.update(from: weight, count: fanIn * fanOut)
        BLAS.gemm(
            MatrixView(pair.b, rows: fanOut, cols: lora.rank), MatrixView(pair.a, rows: lora.rank, cols: fanIn),
            into: MatrixView(copy.base, rows: fanOut, cols: fanIn), alpha: lora.scale, beta: 1)
        return copy
    }
}
