import Foundation
import TestSupport
import Testing

@testable import Model

/// The GPT-2 fixtures of `tools/make_gpt2_fixtures.py` and what the tests do with them.
enum GPT2Fixture {
    static let generator = "tools/make_gpt2_fixtures.py"

    static func file(_ relative: String) throws -> SafeTensorsFile {
        try SafeTensorsFile(contentsOf: Fixtures.existing("gpt2/" + relative, generator: generator).path)
    }

    static func config(_ directory: String) throws -> GPT2Config {
        let path = try Fixtures.existing("gpt2/\(directory)/config.json", generator: generator).path
        return try #require(try HuggingFaceConfig(contentsOf: path).gpt2)
    }

    /// A model of the fixture `directory` with `head`, its weights loaded (head included when
    /// the file has it), activations for `capacity` tokens.
    static func model(_ directory: String, head: TaskHead, capacity: Int = 32, pool: ThreadPool = .serial) throws
        -> (GPT2Model, WeightLoadReport)
    {
        let model = GPT2Model(layout: GPT2Layout(config: try config(directory), head: head), pool: pool)
        let report = try model.loadWeights(from: file("\(directory)/model.safetensors"))
        model.reserve(maxSequences: 4, maxTokens: capacity, maxLength: min(capacity, model.config.nPositions))
        return (model, report)
    }

    /// The padded `input.ids` `[B, T]` of a golden file with `input.lengths`, packed.
    static func batch(_ golden: SafeTensorsFile) throws -> (PackedBatch, lengths: [Int], width: Int) {
        let ids = try golden.floats("input.ids"), lengths = try golden.floats("input.lengths").map { Int($0) }
        let width = ids.count / lengths.count
        let batch = PackedBatch(sequenceCapacity: lengths.count, tokenCapacity: ids.count)
        for (b, n) in lengths.enumerated() {
            batch.append(ids: ids[(b * width)..<(b * width + n)].map { Int32($0) }, sample: UInt64(b))
        }
        return (batch, lengths, width)
    }

    /// Next-token labels of a packed batch: row r predicts the token of row r + 1 of the same
    /// sequence; each sequence's last row predicts nothing (−100).
    static func nextTokenLabels(_ batch: PackedBatch) -> [Int32] {
        (0..<batch.tokenCount).map { r in
            let s = Int(batch.rowSequence[r])
            return r + 1 < batch.offset(s) + batch.length(s) ? batch.tokenIds[r + 1] : -100
        }
    }

    /// Forward, the causal-LM loss (mean next-token cross-entropy, as transformers'
    /// `ForCausalLMLoss`), its gradient into the logits, and backward of everything.
    static func causalLoss(_ model: GPT2Model, _ batch: PackedBatch, dropout: DropoutKey? = nil) -> Double {
        model.forward(batch, dropout: dropout)
        let labels = nextTokenLabels(batch)
        let predicted = labels.filter { $0 >= 0 }.count
        let logits = model.logits
        let sum = labels.withUnsafeBufferPointer {
            CrossEntropy.forwardBackward(
                logits: logits.values, labels: $0.baseAddress!, rows: labels.count, classes: logits.outputs,
                gradScale: 1 / Float(predicted), logitsGrad: logits.gradient)
        }
        model.gradients.zero()
        model.backward(batch, dropout: dropout, trainable: .all(layers: model.config.nLayer))
        return sum / Double(predicted)
    }

    /// A table entry's values in Hugging Face layout (`Conv1D` weights transposed back).
    static func huggingFaceValues(_ entry: ParameterEntry, in slab: FloatSlab) -> [Float] {
        let values = Array(UnsafeBufferPointer(start: slab.base + entry.offset, count: entry.count))
        guard GPT2Layout.isConv1D(entry.name) else { return values }
        var out = [Float](repeating: 0, count: entry.count)
        let rows = entry.shape[0], cols = entry.shape[1]
        for i in 0..<rows { for j in 0..<cols { out[j * rows + i] = values[i * cols + j] } }
        return out
    }

    /// The real tokens' rows of padded `[B, T, K]` reference logits.
    static func unpadded(_ reference: [Float], lengths: [Int], width: Int, classes k: Int) -> [Float] {
        var rows: [Float] = []
        for (b, n) in lengths.enumerated() { rows += reference[(b * width * k)..<((b * width + n) * k)] }
        return rows
    }

    /// Gradient tolerance of the golden tests: 1e-5 relative plus 1e-5 × the tensor's largest
    /// magnitude (elements far below a tensor's scale carry cancellation noise in both).
    static func expectGradient(
        _ ours: [Float], _ expected: [Float], _ name: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let scale = expected.map(abs).max() ?? 0
        expectClose(ours, expected, absolute: 1e-5 * scale, relative: 1e-5, name, sourceLocation: sourceLocation)
    }
}
