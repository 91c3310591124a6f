import Model
import Testing
import Text

@testable import Training

/// What each task has `explain` attribute (`FineTuningTask.explanationTargets`).
@Suite struct ExplanationTargetTests {
    static let words = ["maria", "rossi", "lives", "in", "vienna"]

    static func context(labels: [String]) throws -> PredictionContext {
        let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "maria", "ross", "##i", "lives", "in", "vienna"]
        let tokenizer = try WordPieceTokenizer(
            vocabulary: Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($1, Int32($0)) }))
        let dataset = EncodedDataset(file: "x", sequences: [[2, 4, 5, 6, 7, 8, 9, 3]], labels: [0])
        return PredictionContext(
            data: TaskData(labelNames: [], texts: [], words: [words]) { _ in dataset }, dataset: dataset,
            labels: LabelSet(names: labels), tokenizer: tokenizer, maxLength: 16)
    }

    /// `[CLS] maria ross ##i lives in vienna [SEP]` tagged B-PER I-PER (I-PER) O O B-LOC: one
    /// target per entity, summing each word's tag logit at its first piece.
    @Test func tokenClassificationExplainsEachPredictedEntity() throws {
        let tags = ["O", "B-LOC", "B-PER", "I-PER"]
        let predicted = [0, 2, 3, 0, 0, 0, 1, 0]  // per piece; ##i (row 3) is not a first piece
        var logits: [Float] = []
        for tag in predicted { logits += (0..<4).map { $0 == tag ? 5 : 0 } }
        let context = try Self.context(labels: tags)
        let task = TokenClassificationTask()
        let targets = try task.explanationTargets(0, logits: logits[...], context: context, target: nil)
        #expect(targets.map(\.label) == ["PER", "LOC"])
        #expect(targets[0].terms == [.init(row: 1, column: 2), .init(row: 2, column: 3)])
        #expect(targets[1].terms == [.init(row: 6, column: 1)])
        #expect(targets[0].members.map(\.1) == ["\"maria rossi\"", "0", "1"])
        let locations = try task.explanationTargets(0, logits: logits[...], context: context, target: "LOC")
        #expect(locations.map(\.label) == ["LOC"])
        #expect(throws: OptionError.self) {
            try task.explanationTargets(0, logits: logits[...], context: context, target: "MISC")
        }
    }

    @Test func classificationTakesThePredictedOrTheTargetLabel() throws {
        let context = try Self.context(labels: ["negative", "positive"])
        let task = ClassificationTask()
        let predicted = try task.explanationTargets(0, logits: [0.5, 2][...], context: context, target: nil)
        #expect(predicted.map(\.label) == ["positive"] && predicted[0].terms == [.init(row: 0, column: 1)])
        let asked = try task.explanationTargets(0, logits: [0.5, 2][...], context: context, target: "negative")
        #expect(asked[0].terms == [.init(row: 0, column: 0)])
        #expect(throws: OptionError.self) {
            try task.explanationTargets(0, logits: [0.5, 2][...], context: context, target: "neutral")
        }
    }

    @Test func regressionExplainsTheValue() throws {
        let context = try Self.context(labels: ["value"])
        let targets = try RegressionTask().explanationTargets(0, logits: [3][...], context: context, target: nil)
        #expect(targets.map(\.label) == ["value"] && targets[0].terms == [.init(row: 0, column: 0)])
        #expect(throws: OptionError.self) {
            try RegressionTask().explanationTargets(0, logits: [3][...], context: context, target: "x")
        }
    }
}
