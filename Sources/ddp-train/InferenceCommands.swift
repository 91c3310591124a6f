import Foundation
import Model
import Parallel
import Text
import Training

/// Options of `evaluate` and `predict`.
struct InferenceOptions {
    var model: String = ""
    var input: String? = nil
    var output: String? = nil
    var evalBatchSize: Int = 64
    var maxLength: Int = 128
    var textColumn: String? = nil
    var textPairColumn: String? = nil
    var labelColumn: String? = nil
    var threads: Int? = nil

    static func options(inputName: String, inputHelp: String, outputHelp: String) -> [Option<InferenceOptions>] {
        [
            .configFile(),
            .path("model", \.model, "Fine-tuned model directory or checkpoint (config.json, model.safetensors, tokenizer)."),
            .path(inputName, \.input, inputHelp),
            .path("output", \.output, outputHelp),
            .int("eval-batch-size", \.evalBatchSize, "Global batch size."),
            .int("max-length", \.maxLength, "Maximum tokens per example, [CLS] and [SEP] included."),
            .path("text-column", \.textColumn, "Text column name or 0-based index (default: detected).", valueName: "NAME"),
            .path("text-pair-column", \.textPairColumn, "Second text column for sentence pairs.", valueName: "NAME"),
            .path("label-column", \.labelColumn, "Label column name or index (default: detected).", valueName: "NAME"),
            .int("threads", \.threads, "Threads per rank (default: cores per node / ranks per node)."),
        ]
    }

    func check(inputName: String) throws {
        if model.isEmpty { throw UsageError("--model is required") }
        guard let input else { throw UsageError("--\(inputName) is required") }
        if !FileManager.default.fileExists(atPath: input) { throw UsageError("--\(inputName) \(input): no such file") }
        if evalBatchSize < 1 { throw UsageError("--eval-batch-size \(evalBatchSize): must be at least 1") }
        if maxLength < 2 { throw UsageError("--max-length \(maxLength): must be at least 2") }
    }

    var columns: ColumnSelection { ColumnSelection(text: textColumn, pair: textPairColumn, label: labelColumn) }
}

enum EvaluateCommand {
    static var parser: OptionParser<InferenceOptions> { OptionParser<InferenceOptions>(
        command: "evaluate",
        summary: "Evaluates a fine-tuned classifier on a labelled file: loss, accuracy, macro-F1, per-class precision and recall.",
        options: InferenceOptions.options(inputName: "validation", inputHelp: "Labelled data (.tsv, .csv, .jsonl).",
                                          outputHelp: "Also write the metrics as JSON to this file.")) }

    static func run(_ options: InferenceOptions, communicator: Communicator) throws {
        let session = try InferenceSession(modelPath: options.model, communicator: communicator, maxLength: options.maxLength,
                                           globalBatchSize: options.evalBatchSize, threads: options.threads)
        let dataset = try communicator.agreeing {
            try session.encode(try TextDatasetReader.read(options.input!, columns: options.columns), file: options.input!, requireLabels: true)
        }
        let metrics = try session.evaluate(dataset)
        guard communicator.rank == 0 else { return }
        let record = metrics.record(labels: session.labels, step: 0, epoch: 0)
        print(String(format: "%@ on %@: loss %.4f  accuracy %.4f  macro-F1 %.4f  (%d examples)",
                     options.model, options.input!, metrics.loss, metrics.accuracy, metrics.macroF1, metrics.total))
        for (c, name) in session.labels.names.enumerated() {
            print(String(format: "  %@: precision %.4f  recall %.4f  F1 %.4f", name, metrics.precision(c), metrics.recall(c), metrics.f1(c)))
        }
        if let output = options.output {
            var values = record.values
            values["step"] = nil
            values["epoch"] = nil
            try (MetricsRecord(values).jsonLine + "\n").write(toFile: output, atomically: true, encoding: .utf8)
            print("metrics written to \(output)")
        }
    }
}

enum PredictCommand {
    static var parser: OptionParser<InferenceOptions> { OptionParser<InferenceOptions>(
        command: "predict",
        summary: "Classifies every row of a file; writes one JSON line per row with label, probabilities and logits.",
        options: InferenceOptions.options(inputName: "input", inputHelp: "Text to classify (.tsv, .csv, .jsonl); a label column is ignored.",
                                          outputHelp: "Where to write the predictions (.jsonl).")) }

    static func run(_ options: InferenceOptions, communicator: Communicator) throws {
        guard let output = options.output else { throw UsageError("--output FILE.jsonl is required") }
        let session = try InferenceSession(modelPath: options.model, communicator: communicator, maxLength: options.maxLength,
                                           globalBatchSize: options.evalBatchSize, threads: options.threads)
        var columns = options.columns
        columns.requireLabel = false
        let dataset = try communicator.agreeing { () -> EncodedDataset in
            var rows = try TextDatasetReader.read(options.input!, columns: columns)
            for i in rows.indices { rows[i].label = nil }
            return try session.encode(rows, file: options.input!, requireLabels: false)
        }
        let logits = try session.logits(dataset)
        guard communicator.rank == 0 else { return }
        let k = session.labels.count
        var text = ""
        for i in 0..<dataset.count {
            let row = Array(logits[(i * k)..<((i + 1) * k)])
            let maxValue = row.max()!
            let exps = row.map { Foundation.exp(Double($0 - maxValue)) }
            let sum = exps.reduce(0, +)
            let best = Evaluator.argmax(row, count: k)
            let probabilities = exps.map { String($0 / sum) }.joined(separator: ", ")
            let logitText = row.map { String($0) }.joined(separator: ", ")
            text += "{\"line\": \(dataset.lines[i]), \"label\": \(jsonString(session.labels.names[best])), \"probabilities\": [\(probabilities)], \"logits\": [\(logitText)]}\n"
        }
        try text.write(toFile: output, atomically: true, encoding: .utf8)
        print("\(dataset.count) predictions written to \(output) (labels \(session.labels))")
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

enum InspectCommand {
    static var parser: OptionParser<InferenceOptions> { OptionParser<InferenceOptions>(
        command: "inspect",
        summary: "Prints a model directory's configuration, exact parameter counts (total and by group) and tokenizer.",
        options: [.path("model", \.model, "Model directory (default: the pretrained all-MiniLM-L6-v2 from set-up).")]) }

    static func run(_ options: InferenceOptions) throws {
        let directory = try ModelDirectory(options.model.isEmpty ? DefaultPaths.pretrainedModel : options.model)
        let config = directory.config
        let bert = config.bert
        let head: TaskHead
        if config.architectures.contains(where: { $0.hasSuffix("ForTokenClassification") }) {
            head = .tokenClassification(labels: bert.labels.count)
        } else if config.architectures.contains(where: { $0.hasSuffix("ForSequenceClassification") }) {
            head = .sequenceClassification(labels: bert.labels.count)
        } else {
            head = .none
        }
        let layout = BertLayout(config: bert, head: head)
        let file = try SafeTensorsFile(contentsOf: directory.weightsPath)
        print("model \(directory.path)")
        print("  architecture \(config.architectures.joined(separator: ", ")) (\(head.architecture) layout)")
        print("  layers \(bert.numHiddenLayers), hidden \(bert.hiddenSize), heads \(bert.numAttentionHeads) × \(bert.headSize), feed-forward \(bert.intermediateSize), activation \(bert.hiddenAct)")
        print("  vocabulary \(bert.vocabSize), positions \(bert.maxPositionEmbeddings), token types \(bert.typeVocabSize), layer-norm ε \(bert.layerNormEps)")
        print("  dropout hidden \(bert.hiddenDropoutProb), attention \(bert.attentionProbsDropoutProb)" + (bert.classifierDropout.map { ", classifier \($0)" } ?? ""))
        if !bert.labels.isEmpty { print("  labels \(bert.labels)" + (bert.problemType.map { " (\($0))" } ?? "")) }
        print("  parameters \(layout.table.count)")
        for (group, count) in layout.table.countsByGroup {
            print("    \(group.description.padding(toLength: 12, withPad: " ", startingAt: 0)) \(count)")
        }
        print("  weights \(directory.weightsPath): \(file.tensors.count) tensors")
        print("  tokenizer: \(directory.tokenizer.summary)")
    }
}
