import Foundation
import Model

/// What `ddp-train inspect` prints about a model directory: the configuration, the exact
/// parameter count in total and by group, the weights file and the tokenizer.
public enum ModelInspection {
    public static func lines(modelPath: String) throws -> [String] {
        let directory = try ModelDirectory(modelPath)
        let config = directory.config
        let family = ModelFamilies.family(of: config)
        let head =
            [TaskHead.token(outputs: config.labels.count), .sequence(outputs: config.labels.count), .languageModel]
            .first { $0.isSaved(in: config.architectures) } ?? .none
        let table = try family.parameterTable(config: config, head: head, lora: nil)
        let file = try SafeTensorsFile(contentsOf: directory.weightsPath)
        var lines = [
            "model \(directory.path)",
            "  architecture \(config.architectures.joined(separator: ", ")) (\(head.architecture(in: family)) layout)",
        ]
        lines += config.summary.map { "  " + $0 }
        if !config.labels.isEmpty {
            lines.append("  labels \(config.labels)" + (config.problemType.map { " (\($0))" } ?? ""))
        }
        if let task = TaskRegistry.task(savedAs: config) { lines.append("  task \(task.name)") }
        lines.append("  trained length \(TrainedLength.defaultMaxLength(of: directory)) tokens")
        if let pipeline = directory.sentenceTransformers {
            lines.append(
                "  sentence-transformers: \(pipeline.pooling.summary), max_seq_length "
                    + (pipeline.maxSeqLength.map(String.init) ?? "unset")
                    + (pipeline.doLowerCase ? ", lower-cased" : ""))
        }
        if let error = directory.sentenceTransformersError {
            lines.append("  sentence-transformers files not usable for embed: \(error)")
        }
        lines.append("  parameters \(table.count)")
        for (group, count) in table.countsByGroup {
            lines.append("    \(group.description.padding(toLength: 12, withPad: " ", startingAt: 0)) \(count)")
        }
        lines.append("  weights \(directory.weightsPath): \(file.tensors.count) tensors")
        lines.append("  tokenizer: \(directory.tokenizer.summary)")
        return lines
    }
}
