import Foundation
import TestSupport
import Testing

@testable import Model

/// GPT-2 checkpoints out and in: the saved file is the Hugging Face layout of the head's
/// class (transformers' own save, tensor for tensor), loading errors name the key, and with
/// `DDP_TRAIN_GPT2_EXPORT=DIR` the test leaves models for `tools/check_gpt2_interop.py`.
@Suite struct GPT2CheckpointTests {
    /// Saves `model` as a Hugging Face directory with the logits of a probe batch.
    static func export(_ model: GPT2Model, config: HuggingFaceConfig, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try model.savedConfig(config).write(to: directory + "/config.json")
        try model.saveWeights(to: directory + "/model.safetensors")
        let v = Int32(model.config.vocabSize)
        let ids: [[Int32]] = [[5, 17, 3, 44, 9, 9, 21], [100, 1, 2], [60, 61, 62, 63, 64, 65, 66, 67, 68, 69]].map {
            $0.map { $0 % v }
        }
        let batch = PackedBatch(sequenceCapacity: 3, tokenCapacity: 32)
        for (s, row) in ids.enumerated() { batch.append(ids: row, sample: UInt64(s)) }
        model.forward(batch, dropout: nil)
        let flatIds = ids.flatMap { $0.map(Float.init) }, lengths = ids.map { Float($0.count) }
        let logits = model.logits
        try flatIds.withUnsafeBufferPointer { i in
            try lengths.withUnsafeBufferPointer { l in
                try SafeTensorsWriter.write(
                    [
                        SafeTensorsEntry(name: "ids", shape: [flatIds.count], data: i),
                        SafeTensorsEntry(name: "lengths", shape: [3], data: l),
                        SafeTensorsEntry(
                            name: "logits", shape: [batch.tokenCount, logits.outputs],
                            data: UnsafeBufferPointer(start: logits.values, count: batch.tokenCount * logits.outputs)),
                    ], metadata: ["written by": "GPT2CheckpointTests"], to: directory + "/ddp-logits.safetensors")
            }
        }
    }

    @Test(arguments: [("tiny-gpt2", TaskHead.languageModel), ("tiny-bare", .none), ("tiny-untied", .languageModel)])
    func savesTheFileTransformersSaves(_ fixture: String, head: TaskHead) throws {
        let (model, _) = try GPT2Fixture.model(fixture, head: head)
        let directory = try Fixtures.temporaryDirectory("gpt2-save")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try HuggingFaceConfig(contentsOf: Fixtures.url("gpt2/\(fixture)/config.json").path)
        try Self.export(model, config: config, to: directory.path)
        let original = try GPT2Fixture.file("\(fixture)/model.safetensors")
        let saved = try SafeTensorsFile(contentsOf: directory.path + "/model.safetensors")
        #expect(saved.names.sorted() == original.names.sorted())
        for name in original.names {
            #expect(saved.info(name)?.shape == original.info(name)?.shape, "\(name)")
            #expect(try saved.floats(name) == original.floats(name), "\(name)")
        }
        let reread = try HuggingFaceConfig(contentsOf: directory.path + "/config.json")
        #expect(reread == model.savedConfig(config))
        #expect(reread.architectures == [head.architecture(in: GPT2Family())])
        #expect(reread.preservedKeys.contains("summary_type") && reread.preservedKeys.contains("transformers_version"))
        if let export = ProcessInfo.processInfo.environment["DDP_TRAIN_GPT2_EXPORT"], head == .languageModel {
            try Self.export(model, config: config, to: export + "/" + fixture)
        }
    }

    @Test func aSequenceHeadSavesItsClassWithAPadId() throws {
        let (model, _) = try GPT2Fixture.model("tiny-gpt2", head: .sequence(outputs: 2))
        var config = try HuggingFaceConfig(contentsOf: Fixtures.url("gpt2/tiny-gpt2/config.json").path)
        config.labels = ["neg", "pos"]
        let saved = model.savedConfig(config)
        #expect(saved.architectures == ["GPT2ForSequenceClassification"])
        #expect(saved.padTokenId == 100 && saved.labels == ["neg", "pos"])
        let text = try saved.jsonText()
        #expect(text.contains(#""model_type": "gpt2""#) && text.contains(#""n_inner": 64"#))
    }

    /// Rewrites the tiny model's file with `change` applied to its tensors.
    static func loadModified(_ change: (inout [(String, [Int], [Float])]) -> Void) throws -> WeightLoadError? {
        let original = try GPT2Fixture.file("tiny-gpt2/model.safetensors")
        var tensors = try original.names.sorted().map { ($0, original.info($0)!.shape, try original.floats($0)) }
        change(&tensors)
        let directory = try Fixtures.temporaryDirectory("gpt2-bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.path + "/model.safetensors"
        let slabs = tensors.map { FloatSlab($0.2) }
        try withExtendedLifetime(slabs) {
            try SafeTensorsWriter.write(
                zip(tensors, slabs).map {
                    SafeTensorsEntry(name: $0.0, shape: $0.1, data: UnsafeBufferPointer($1.buffer))
                },
                metadata: [:], to: path)
        }
        let model = GPT2Model(layout: GPT2Layout(config: try GPT2Fixture.config("tiny-gpt2"), head: .languageModel))
        do {
            _ = try model.loadWeights(from: SafeTensorsFile(contentsOf: path))
            return nil
        } catch let error as WeightLoadError {
            return error
        }
    }

    @Test func loadingErrorsNameTheTensor() throws {
        let missing = try Self.loadModified { $0.removeAll { $0.0 == "transformer.h.1.mlp.c_fc.weight" } }
        #expect(missing?.description.contains("h.1.mlp.c_fc.weight") == true, "\(String(describing: missing))")
        let transposed = try Self.loadModified { tensors in
            let i = tensors.firstIndex { $0.0 == "transformer.h.0.attn.c_attn.weight" }!
            tensors[i].1 = [96, 32]
        }
        #expect(
            transposed?.description.contains(#""transformer.h.0.attn.c_attn.weight" has shape [96, 32]"#) == true
                && transposed?.description.contains("expects [32, 96]") == true, "\(String(describing: transposed))")
        let mixed = try Self.loadModified { tensors in
            let i = tensors.firstIndex { $0.0 == "transformer.wpe.weight" }!
            tensors[i].0 = "wpe.weight"
        }
        #expect(mixed?.description.contains("mix names") == true, "\(String(describing: mixed))")
        // Older saves carry the causal-mask buffers and a tied lm_head.weight: skipped.
        let buffers = try Self.loadModified { tensors in
            tensors.append(("transformer.h.0.attn.bias", [1, 1, 4, 4], [Float](repeating: 1, count: 16)))
            tensors.append(("transformer.h.0.attn.masked_bias", [1], [-1e4]))
            tensors.append(("lm_head.weight", [101, 32], tensors.first { $0.0 == "transformer.wte.weight" }!.2))
        }
        #expect(buffers == nil)
    }

    static let validConfig: [String: String] = [
        "model_type": #""gpt2""#, "vocab_size": "101", "n_embd": "32", "n_layer": "2", "n_head": "4",
        "n_positions": "64",
    ]

    @Test(arguments: [
        (["n_embd": "30"], #""n_embd": 30 is not a multiple of n_head (4)"#),
        (["activation_function": #""relu""#], #""activation_function": "relu" is not supported"#),
        (["scale_attn_by_inverse_layer_idx": "true"], #""scale_attn_by_inverse_layer_idx": true"#),
        (["reorder_and_upcast_attn": "true"], #""reorder_and_upcast_attn": true"#),
        (["n_head": "null"], #""n_head": is null, expected an integer"#),
        (["n_positions": #""64""#], #""n_positions": expected an integer, found string"#),
        (["resid_pdrop": "1.5"], #""resid_pdrop": expected a probability in [0, 1), found 1.5"#),
        (["eos_token_id": "101"], #""eos_token_id": expected an id in 0..<101 (vocab_size), found 101"#),
        (["tie_word_embeddings": "1"], #""tie_word_embeddings": expected a boolean, found integer 1"#),
        (["n_inner": "0"], #""n_inner": expected a positive integer, found 0"#),
    ])
    func malformedConfigNamesTheKey(_ change: [String: String], _ message: String) {
        let members = Self.validConfig.merging(change) { $1 }.map { "\"\($0.key)\": \($0.value)" }
        let error = #expect(throws: HuggingFaceConfigError.self) {
            try HuggingFaceConfig(bytes: Array(("{" + members.joined(separator: ", ") + "}").utf8), file: "config.json")
        }
        #expect(error?.description.hasPrefix("config.json: " + message) == true, "\(String(describing: error))")
    }

    @Test func aMissingSizeIsNamed() {
        let members = Self.validConfig.filter { $0.key != "n_layer" }.map { "\"\($0.key)\": \($0.value)" }
        let error = #expect(throws: HuggingFaceConfigError.self) {
            try HuggingFaceConfig(bytes: Array(("{" + members.joined(separator: ", ") + "}").utf8), file: "c.json")
        }
        #expect(error?.description == #"c.json: "n_layer": missing; this key is required"#)
    }
}
