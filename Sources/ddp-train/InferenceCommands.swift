import Foundation
import Training

/// Options of `evaluate`, `predict` and `inspect`.
struct InferenceOptions {
    var model: String = ""
    var input: String? = nil
    var output: String? = nil
    var evalBatchSize: Int = 64
    /// nil: the length the model was trained with (`TrainedLength`).
    var maxLength: Int? = nil
    var textColumn: String? = nil
    var textPairColumn: String? = nil
    var labelColumn: String? = nil
    var labelSeparator: String = ","
    var threads: Int? = nil

    static func options(inputName: String, inputHelp: String, outputHelp: String) -> [Option<InferenceOptions>] {
        [
            .configFile(),
            .path(
                "model", \.model,
                "Fine-tuned model directory or checkpoint (config.json, model.safetensors, tokenizer)."),
            .path(inputName, \.input, inputHelp),
            .path("output", \.output, outputHelp),
            .int("eval-batch-size", \.evalBatchSize, "Global batch size."),
            .int(
                "max-length", \.maxLength,
                "Maximum tokens per example, [CLS] and [SEP] included (default: the length the model was trained with)."
            ),
            .path(
                "text-column", \.textColumn, "Text column name or 0-based index (default: detected).", valueName: "NAME"
            ),
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
        if let maxLength, maxLength < 2 { throw UsageError("--max-length \(maxLength): must be at least 2") }
    }

    var columns: ColumnSelection { ColumnSelection(text: textColumn, pair: textPairColumn, label: labelColumn) }
    var separator: Character { labelSeparator.first ?? "," }

    func session(_ communicator: Communicator) throws -> InferenceSession {
        try InferenceSession(
            modelPath: model, communicator: communicator, maxLength: maxLength,
            globalBatchSize: evalBatchSize, threads: threads)
    }
}

enum EvaluateCommand {
    static var parser: OptionParser<InferenceOptions> {
        OptionParser<InferenceOptions>(
            command: "evaluate",
            summary:
                "Evaluates a fine-tuned model on a labelled file with its task's metrics (accuracy and F1, entity "
                + "F1, MSE and correlations).",
            options: InferenceOptions.options(
                inputName: "validation", inputHelp: "Labelled data (.tsv, .csv, .jsonl).",
                outputHelp: "Also write the metrics as JSON to this file."))
    }

    static func run(_ options: InferenceOptions, communicator: Communicator) throws {
        let session = try options.session(communicator)
        let dataset = try communicator.agreeing {
            try session.read(
                options.input!, columns: options.columns, labelSeparator: options.separator,
                requireLabels: true
            ).encode(session.labels)
        }
        let report = try session.evaluate(dataset)
        guard communicator.rank == 0 else { return }
        print("\(options.model) on \(options.input!) (\(session.task.name)): " + report.lines.joined(separator: "\n"))
        if let output = options.output {
            try (MetricsRecord(report.values).jsonLine + "\n").write(toFile: output, atomically: true, encoding: .utf8)
            print("metrics written to \(output)")
        }
    }
}

enum PredictCommand {
    static var parser: OptionParser<InferenceOptions> {
        OptionParser<InferenceOptions>(
            command: "predict",
            summary:
                "Predicts every row (sentence) of a file; writes one JSON line per row: label, probabilities and "
                + "logits (value for regression, labels for multi-label, tags and entities for token "
                + "classification).",
            options: InferenceOptions.options(
                inputName: "input", inputHelp: "Text to classify (.tsv, .csv, .jsonl); a label column is ignored.",
                outputHelp: "Where to write the predictions (.jsonl)."))
    }

    static func run(_ options: InferenceOptions, communicator: Communicator) throws {
        guard let output = options.output else { throw UsageError("--output FILE.jsonl is required") }
        let session = try options.session(communicator)
        let (data, dataset) = try communicator.agreeing { () -> (TaskData, EncodedDataset) in
            let data = try session.read(
                options.input!, columns: options.columns, labelSeparator: options.separator,
                requireLabels: false)
            return (data, try data.encode(session.labels))
        }
        let logits = try session.logits(dataset)
        guard communicator.rank == 0 else { return }
        try session.predictionLines(data, dataset: dataset, logits: logits)
            .write(toFile: output, atomically: true, encoding: .utf8)
        let labels = session.labels.count > 0 ? ", labels \(session.labels)" : ""
        print("\(dataset.count) predictions written to \(output) (\(session.task.name)\(labels))")
    }
}

enum InspectCommand {
    static var parser: OptionParser<InferenceOptions> {
        OptionParser<InferenceOptions>(
            command: "inspect",
            summary:
                "Prints a model directory's configuration, exact parameter counts (total and by group) and tokenizer.",
            options: [
                .path("model", \.model, "Model directory (default: the pretrained all-MiniLM-L6-v2 from set-up).")
            ])
    }

    static func run(_ options: InferenceOptions) throws {
        let path = options.model.isEmpty ? DefaultPaths.pretrainedModel : options.model
        print(try ModelInspection.lines(modelPath: path).joined(separator: "\n"))
    }
}
