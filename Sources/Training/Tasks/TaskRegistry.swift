import Model

/// The tasks `--task` can name, in the order `--help` lists them. Adding a task is one
/// entry here and its own folder (see `Tasks/README.md`).
public enum TaskRegistry {
    public static let all: [any FineTuningTask] = [
        ClassificationTask(),
        RegressionTask(),
        MultiLabelTask(),
        TokenClassificationTask(),
        CausalLMTask(),
        EmbeddingTask(),
        SetFitTask(),
    ]

    /// The default of `--task`.
    public static var defaultTask: any FineTuningTask { all[0] }

    public static var names: [String] { all.map(\.name) }

    /// The task called `name`, or an error listing the choices.
    public static func task(named name: String) throws -> any FineTuningTask {
        guard let task = all.first(where: { $0.name == name }) else {
            throw OptionError("--task \(name): expected one of \(names.joined(separator: ", "))")
        }
        return task
    }

    /// The task a saved model was fine-tuned for, from its `config.json`.
    public static func task(savedAs config: HuggingFaceConfig) -> (any FineTuningTask)? {
        all.first { $0.isSaved(as: config) }
    }

    /// The task the model in `directory` was fine-tuned for, as it has it (a SetFit model
    /// with its head): from its `config.json` and the task's own files.
    public static func task(savedIn directory: ModelDirectory) throws -> (any FineTuningTask)? {
        try all.first { $0.isSaved(in: directory) }?.loaded(from: directory)
    }
}
