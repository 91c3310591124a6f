import Foundation
import Model

/// What `ddp-train inspect` prints about a model directory: the configuration, the exact
/// parameter count in total and by group, the weights file and the tokenizer.
public enum ModelInspection {
    public static func lines(modelPath: String) throws -> [String] {
        let directory = try ModelDirectory(modelPath)
        let config = directory.config
        let bert = config.bert
        let head =
            [TaskHead.token(outputs: bert.labels.count), .sequence(outputs: bert.labels.count)]
            .first { $0.isSaved(in: config.architectures) } ?? .none
        let table = ModelFamilies.family(of: config).parameterTable(config: config, head: head, lora: nil)
        let file = try SafeTensorsFile(contentsOf: directory.weightsPath)
        var lines = [
            "model \(directory.path)",
            "  architecture \(config.architectures.joined(separator: ", ")) (\(head.architecture) layout)",
            "  layers \(bert.numHiddenLayers), hidden \(bert.hiddenSize), heads \(bert.numAttentionHeads) × "
                + "\(bert.headSize), feed-forward \(bert.intermediateSize), activation \(bert.hiddenAct)",
            "  vocabulary \(bert.vocabSize), positions \(bert.maxPositionEmbeddings), token types "
                + "\(bert.typeVocabSize), layer-norm ε \(bert.layerNormEps)",
            "  dropout hidden \(bert.hiddenDropoutProb), attention \(bert.attentionProbsDropoutProb)"
                + (bert.classifierDropout.map { ", classifier \($0)" } ?? ""),
        ]
        if !bert.labels.isEmpty {
            lines.append("  labels \(bert.labels)" + (bert.problemType.map { " (\($0))" } ?? ""))
        }
        if let task = TaskRegistry.task(savedAs: config) { lines.append("  task \(task.name)") }
        lines.append("  trained length \(TrainedLength.defaultMaxLength(of: directory)) tokens")
        lines.append("  parameters \(table.count)")
        for (group, count) in table.countsByGroup {
            lines.append("    \(group.description.padding(toLength: 12, withPad: " ", startingAt: 0)) \(count)")
        }
        lines.append("  weights \(directory.weightsPath): \(file.tensors.count) tensors")
        lines.append("  tokenizer: \(directory.tokenizer.summary)")
        return lines
    }
}
