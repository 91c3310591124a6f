import Testing
@testable import Model
@testable import Training

/// Whether a run keeps the source checkpoint's head: a second stage on the same labels
/// continues from it; Hub checkpoints often have no `problem_type`, which transformers infers.
@Suite struct LabelSetTests {
    static func source(labels: [String], problemType: String?, architecture: String = "BertForSequenceClassification")
        -> HuggingFaceConfig
    {
        let bert = BertConfig(
            vocabSize: 50, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 64)
        return HuggingFaceConfig(bert: bert, architectures: [architecture], labels: labels, problemType: problemType)
    }

    @Test func keepsAHeadWithoutProblemTypeForTheSameLabels() {
        let (labels, keeps) = Trainer.labelSet(
            task: ClassificationTask(), names: ["1", "0", "1"],
            source: Self.source(labels: ["0", "1"], problemType: nil))
        #expect(keeps)
        #expect(labels.names == ["0", "1"])
    }

    @Test func keepsARegressionHeadWithoutProblemType() {
        #expect(
            Trainer.labelSet(
                task: RegressionTask(), names: ["0.5"], source: Self.source(labels: ["LABEL_0"], problemType: nil)
            ).keepsHead)
    }

    @Test func replacesAHeadOfAnotherTaskOrLabelSet() {
        #expect(
            !Trainer.labelSet(
                task: ClassificationTask(), names: ["a", "b"],
                source: Self.source(labels: ["0", "1"], problemType: nil)
            ).keepsHead)
        #expect(
            !Trainer.labelSet(
                task: MultiLabelTask(), names: ["0", "1"], source: Self.source(labels: ["0", "1"], problemType: nil)
            ).keepsHead)
        #expect(
            !Trainer.labelSet(
                task: ClassificationTask(), names: ["0", "1"],
                source: Self.source(labels: ["0", "1"], problemType: "multi_label_classification")
            ).keepsHead)
        #expect(
            !Trainer.labelSet(
                task: ClassificationTask(), names: ["0", "1"],
                source: Self.source(labels: ["0", "1"], problemType: nil, architecture: "BertModel")
            ).keepsHead)
    }
}
