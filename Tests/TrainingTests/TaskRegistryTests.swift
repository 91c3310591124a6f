import Model
import Testing

@testable import Training

/// The registry is the one place tasks are listed: names are unique, a saved model is
/// recognised as exactly the task that saved it, and the old rules of transformers'
/// `problem_type` inference hold (a missing `problem_type`: one label is regression, more are
/// single-label classification).
@Suite struct TaskRegistryTests {
    static func saved(by task: any FineTuningTask, labels: [String]) -> HuggingFaceConfig {
        let bert = BertConfig(
            vocabSize: 10, hiddenSize: 4, numHiddenLayers: 1, numAttentionHeads: 1,
            intermediateSize: 8)
        return HuggingFaceConfig(
            bert: bert, architectures: [task.head(labels: labels.count).architecture(in: BertFamily())],
            labels: labels, problemType: task.problemType)
    }

    @Test func namesAreUniqueAndResolve() throws {
        #expect(Set(TaskRegistry.names).count == TaskRegistry.all.count)
        for name in TaskRegistry.names { #expect(try TaskRegistry.task(named: name).name == name) }
        #expect(throws: OptionError.self) { try TaskRegistry.task(named: "tagging") }
    }

    /// Tasks that save a bare body (embedding, SetFit) are not recognised by `config.json`:
    /// an embedding model is read by `embed`, a SetFit model by its `head.safetensors`.
    @Test func aSavedModelIsRecognisedAsTheTaskThatSavedIt() {
        for task in TaskRegistry.all where !task.head(labels: 2).savesBareBody {
            let labels = task.minimumLabels == 1 ? ["LABEL_0"] : ["a", "b", "c"]
            let config = Self.saved(by: task, labels: labels)
            let matching = TaskRegistry.all.filter { $0.isSaved(as: config) }.map(\.name)
            #expect(matching == [task.name], "\(task.name) is recognised as \(matching)")
        }
    }

    @Test func aMissingProblemTypeIsInferredAsTransformersDoes() {
        var config = Self.saved(by: ClassificationTask(), labels: ["LABEL_0"])
        config.problemType = nil
        #expect(TaskRegistry.task(savedAs: config)?.name == "regression")
        config = Self.saved(by: ClassificationTask(), labels: ["no", "yes"])
        config.problemType = nil
        #expect(TaskRegistry.task(savedAs: config)?.name == "classification")
        // A bare encoder has no task.
        config.architectures = ["BertModel"]
        #expect(TaskRegistry.task(savedAs: config) == nil)
    }
}
