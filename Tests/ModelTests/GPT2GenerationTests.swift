import Foundation
import TestSupport
import Testing

@testable import Model

/// The key/value-cached path (`CausalLanguageModel`) against the full forward pass: the
/// logits of a prompt's last position, and of every token appended after it, equal the full
/// pass's logits at that position over the whole sequence, to float rounding (1e-5).
@Suite struct GPT2GenerationTests {
    /// The full forward's logits at each sequence's last position, `[S, V]`.
    static func fullLastLogits(_ model: GPT2Model, _ sequences: [[Int32]]) -> [[Float]] {
        let batch = PackedBatch(sequenceCapacity: sequences.count, tokenCapacity: sequences.map(\.count).reduce(0, +))
        for (s, ids) in sequences.enumerated() { batch.append(ids: ids, sample: UInt64(s)) }
        model.forward(batch, dropout: nil)
        let v = model.config.vocabSize
        return (0..<sequences.count).map { s in
            let row = batch.offset(s) + batch.length(s) - 1
            return Array(UnsafeBufferPointer(start: model.logits.values + row * v, count: v))
        }
    }

    static func rows(_ view: MatrixView) -> [[Float]] {
        (0..<view.rows).map { Array(UnsafeBufferPointer(start: view.row($0), count: view.cols)) }
    }

    @Test(arguments: ["tiny-gpt2", "tiny-untied"])
    func prefillThenStepsEqualTheFullForward(_ fixture: String) throws {
        let (model, _) = try GPT2Fixture.model(fixture, head: .languageModel, capacity: 48)
        var sequences: [[Int32]] = [[5, 17, 3, 44, 9], [1, 2], [33, 33, 33, 8, 7, 30, 11, 4]]
        let cache = try model.makeCache(maxSequences: 3, maxLength: 16)
        var cached = Self.rows(try model.prefill(sequences, cache: cache))
        for step in 0..<4 {
            let full = Self.fullLastLogits(model, sequences)
            for s in 0..<3 {
                expectClose(cached[s], full[s], absolute: 1e-5, relative: 1e-5, "\(fixture) step \(step) sequence \(s)")
            }
            // Greedy next tokens (any tokens would do), then one cached step; sequence 1
            // sits out every other step, as a finished sequence would.
            let next = cached.map { row in Int32(row.indices.max { row[$0] < row[$1] }! % 40 + 1) }
            let active = step % 2 == 0 ? [0, 1, 2] : [0, 2]
            for s in active { sequences[s].append(next[s]) }
            let logits = Self.rows(try model.step(active.map { next[$0] }, sequences: active, cache: cache))
            for (k, s) in active.enumerated() { cached[s] = logits[k] }
        }
        #expect(cache.lengths == sequences.map(\.count))
    }

    @Test func requestsTheCacheCannotServeAreErrors() throws {
        let (model, _) = try GPT2Fixture.model("tiny-gpt2", head: .languageModel)
        #expect(throws: GenerationError.self) { try model.makeCache(maxSequences: 1, maxLength: 65) }
        let cache = try model.makeCache(maxSequences: 1, maxLength: 4)
        #expect(throws: GenerationError.self) { try model.prefill([[1, 2, 3, 4, 5]], cache: cache) }
        #expect(throws: GenerationError.self) { try model.prefill([[]], cache: cache) }
        #expect(throws: GenerationError.self) { try model.prefill([[1], [2]], cache: cache) }
        #expect(throws: GenerationError.self) { try model.prefill([[101]], cache: cache) }
        _ = try model.prefill([[1, 2, 3]], cache: cache)
        #expect(throws: GenerationError.self) { try model.step([1], sequences: [1], cache: cache) }
        _ = try model.step([4], sequences: [0], cache: cache)
        let full = #expect(throws: GenerationError.self) { try model.step([5], sequences: [0], cache: cache) }
        #expect(full?.description.contains("sequence 0 is full") == true)
        let (classifier, _) = try GPT2Fixture.model("tiny-gpt2", head: .sequence(outputs: 2))
        let other = try classifier.makeCache(maxSequences: 1, maxLength: 4)
        #expect(throws: GenerationError.self) { try classifier.prefill([[1]], cache: other) }
    }
}
