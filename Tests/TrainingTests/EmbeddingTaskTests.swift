import Model
import Testing
import Text

@testable import Training

/// The pieces of `--task embedding` below the multi-rank checks: examples of several texts in
/// an `EncodedDataset`, the row transposition between the model's `[examples × columns]`
/// order and the losses' column blocks, and which options a task accepts.
@Suite struct EmbeddingTaskTests {
    /// Two examples of three texts: example lengths are summed, the longest is a sequence's,
    /// and a batch gets the texts in order with sample ids `example · 3 + column`.
    @Test func examplesOfSeveralTexts() {
        var dataset = EncodedDataset(file: "triplets.tsv", targets: .values([.nan, .nan]), textsPerExample: 3)
        func encoding(_ ids: [Int32]) -> Encoding { Encoding(ids: ids, typeIds: ids.map { _ in 0 }) }
        dataset.append([encoding([1, 2, 3]), encoding([4, 5]), encoding([6])], line: 2)
        dataset.append([encoding([7]), encoding([8, 9, 10, 11]), encoding([12, 13])], line: 3)
        #expect(dataset.count == 2)
        #expect(dataset.length(0) == 6 && dataset.length(1) == 7)
        #expect(dataset.longest == 4)
        #expect(dataset.lossUnits(1) == 1)
        let batch = PackedBatch(sequenceCapacity: 3, tokenCapacity: 16)
        dataset.append(1, epoch: 0, to: batch, targets: TargetBuffer(integerCapacity: 1, floatCapacity: 1))
        #expect(batch.sequenceCount == 3 && batch.tokenCount == 7)
        #expect((0..<3).map { batch.sampleIds[$0] } == [3, 4, 5])
        #expect((0..<3).map(batch.length) == [1, 4, 2])
        #expect(batch.tokenIds[1] == 8)
    }

    /// Rows `[examples × columns, dim]` read into column blocks and written back unchanged.
    @Test func rowsTransposeIntoColumnsAndBack() {
        let examples = 3, columns = 2, dim = 2
        let rows: [Float] = (0..<(examples * columns * dim)).map(Float.init)
        var blocks = [Float](repeating: -1, count: rows.count)
        var back = [Float](repeating: -1, count: rows.count)
        blocks.withUnsafeMutableBufferPointer { b in
            let part = EmbeddingColumns(b.baseAddress!, columns: columns, rows: examples, dim: dim)
            EmbeddingBatchLoss.read(rows, columns: columns, into: part)
            // Column 0 holds each example's first text: rows 0, 2, 4 of the model's order.
            #expect(Array(b[0..<6]) == [0, 1, 4, 5, 8, 9])
            #expect(Array(b[6..<12]) == [2, 3, 6, 7, 10, 11])
            back.withUnsafeMutableBufferPointer {
                EmbeddingBatchLoss.write(part, columns: columns, into: $0.baseAddress!)
            }
        }
        #expect(back == rows)
    }

    /// The embedding and SetFit options are refused by tasks that would ignore them.
    @Test func taskOptionsAreRefusedElsewhere() throws {
        var options = TrainingOptions()
        try options.refuseEmbeddingSettings(for: "classification")
        options.loss = "triplet"
        #expect(throws: OptionError("--loss does not apply to --task classification")) {
            try options.refuseEmbeddingSettings(for: "classification")
        }
        options.loss = nil
        options.crossRankNegatives = false
        #expect(throws: OptionError.self) { try options.refuseEmbeddingSettings(for: "regression") }
        options.crossRankNegatives = true
        options.numIterations = 5
        #expect(throws: OptionError("--num-iterations does not apply to --task embedding")) {
            try options.refuseSetFitSettings(for: "embedding")
        }
    }

    /// The evaluation metric that suits each loss's data.
    @Test func bestMetricFollowsTheData() throws {
        let metric = { (name: String) in try EmbeddingTask(loss: EmbeddingLossChoice(name: name)).defaultBestMetric }
        #expect(try metric("multiple-negatives-ranking") == "eval_mrr_at_10")
        #expect(try metric("cosine-similarity") == "eval_spearman_cosine")
        #expect(try metric("contrastive") == "eval_cosine_accuracy")
    }
}
