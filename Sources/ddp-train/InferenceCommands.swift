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
    var labelSeparator: String = ","
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
            .string("label-separator", \.labelSeparator, "Separator of the labels in one field (multi-label)."),
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
    var separator: Character { labelSeparator.first ?? "," }
}

enum EvaluateCommand {
    static var parser: OptionParser<InferenceOptions> { OptionParser<InferenceOptions>(
        command: "evaluate",
        summary: "Evaluates a fine-tuned model on a labelled file with its task's metrics (accuracy and F1, entity F1, MSE and correlations).",
        options: InferenceOptions.options(inputName: "validation", inputHelp: "Labelled data (.tsv, .csv, .jsonl).",
                                          outputHelp: "Also write the metrics as JSON to this file.")) }

    static func run(_ options: InferenceOptions, communicator: Communicator) throws {
        let session = try InferenceSession(modelPath: options.model, communicator: communicator, maxLength: options.maxLength,
                                           globalBatchSize: options.evalBatchSize, threads: options.threads)
        let dataset = try communicator.agreeing {
            try session.read(options.input!, columns: options.columns, labelSeparator: options.separator, requireLabels: true)
                .encode(session.labels)
        }
        let report = try session.evaluate(dataset)
        guard communicator.rank == 0 else { return }
        print("\(options.model) on \(options.input!) (\(session.task.rawValue)): " + report.lines.joined(separator: "\n"))
        if let output = options.output {
            try (MetricsRecord(report.values).jsonLine + "\n").write(toFile: output, atomically: true, encoding: .utf8)
            print("metrics written to \(output)")
        }
    }
}

enum PredictCommand {
    static var parser: OptionParser<InferenceOptions> { OptionParser<InferenceOptions>(
        command: "predict",
        summary: "Predicts every row (sentence) of a file; writes one JSON line per row: label, probabilities and logits (value for regression, labels for multi-label, tags and entities for token classification).",
        options: InferenceOptions.options(inputName: "input", inputHelp: "Text to classify (.tsv, .csv, .jsonl); a label column is ignored.",
                                          outputHelp: "Where to write the predictions (.jsonl).")) }

    static func run(_ options: InferenceOptions, communicator: Communicator) throws {
        guard let output = options.output else { throw UsageError("--output FILE.jsonl is required") }
        let session = try InferenceSession(modelPath: options.model, communicator: communicator, maxLength: options.maxLength,
                                           globalBatchSize: options.evalBatchSize, threads: options.threads)
        let (data, dataset) = try communicator.agreeing { () -> (TaskData, EncodedDataset) in
            let data = try session.read(options.input!, columns: options.columns, labelSeparator: options.separator, requireLabels: false)
            return (data, try data.encode(session.labels))
        }
        let logits = try session.logits(dataset)
        guard communicator.rank == 0 else { return }
        var text = ""
        for i in 0..<dataset.count {
            text += "{\"line\": \(dataset.lines[i]), " + prediction(i, session: session, data: data, dataset: dataset, logits: logits) + "}\n"
        }
        try text.write(toFile: output, atomically: true, encoding: .utf8)
        print("\(dataset.count) predictions written to \(output) (\(session.task.rawValue), labels \(session.labels))")
    }

    /// The JSON fields of example `i`'s prediction for the session's task.
    static func prediction(_ i: Int, session: InferenceSession, data: TaskData, dataset: EncodedDataset, logits: [Float]) -> String {
        let k = session.labels.count, names = session.labels.names
        func list(_ values: [Float]) -> String { "[" + values.map { String($0) }.joined(separator: ", ") + "]" }
        switch session.task {
        case .classification:
            let row = Array(logits[(i * k)..<((i + 1) * k)])
            let best = Evaluator.argmax(row, count: k)
            let maxValue = row.max()!
            let exps = row.map { Foundation.exp(Double($0 - maxValue)) }
            let sum = exps.reduce(0, +)
            return "\"label\": \(jsonString(names[best])), \"probabilities\": [\(exps.map { String($0 / sum) }.joined(separator: ", "))], \"logits\": \(list(row))"
        case .regression:
            return "\"value\": \(logits[i]), \"logits\": [\(logits[i])]"
        case .multiLabel:
            let row = Array(logits[(i * k)..<((i + 1) * k)])
            let probabilities = row.map { 1 / (1 + Foundation.exp(-Double($0))) }
            let chosen = zip(names, probabilities).filter { $0.1 >= 0.5 }.map { jsonString($0.0) }
            return "\"labels\": [\(chosen.joined(separator: ", "))], \"probabilities\": [\(probabilities.map { String($0) }.joined(separator: ", "))], \"logits\": \(list(row))"
        case .tokenClassification:
            // Each word's tag is the argmax at its first piece; words cut by truncation get none.
            let words = data.words[i]
            let alignment = session.directory.tokenizer.encode(words: words, maxLength: session.maxLength)
            var tags = [String](repeating: "O", count: words.count)
            var wordLogits: [String] = []
            for (t, word) in alignment.firstTokenWords.enumerated() where word >= 0 {
                let row = Array(logits[((dataset.offsets[i] + t) * k)..<((dataset.offsets[i] + t + 1) * k)])
                tags[Int(word)] = names[Evaluator.argmax(row, count: k)]
                wordLogits.append(list(row))
            }
            let entities = EntitySpans.extract(tags).map { span in
                "{\"type\": \(jsonString(span.type)), \"start\": \(span.start), \"end\": \(span.end), \"text\": \(jsonString(words[span.start...span.end].joined(separator: " ")))}"
            }
            return "\"words\": [\(words.map(jsonString).joined(separator: ", "))], \"tags\": [\(tags.map(jsonString).joined(separator: ", "))], \"entities\": [\(entities.joined(separator: ", "))], \"logits\": [\(wordLogits.joined(separator: ", "))]"
        }
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
