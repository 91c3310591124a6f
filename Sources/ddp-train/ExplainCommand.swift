import Foundation
import Training

/// Options of `explain`.
struct ExplainOptions {
    var model: String = ""
    var input: String? = nil
    var output: String? = nil
    var html: String? = nil
    var target: String? = nil
    var steps: Int = 50
    var textColumn: String? = nil
    var textPairColumn: String? = nil
    var threads: Int? = nil

    func check() throws {
        if model.isEmpty { throw UsageError("--model is required") }
        guard let input else { throw UsageError("--input is required") }
        if !FileManager.default.fileExists(atPath: input) { throw UsageError("--input \(input): no such file") }
        if output == nil { throw UsageError("--output FILE.jsonl is required") }
        if steps < 2 { throw UsageError("--steps \(steps): integrated gradients needs at least 2 points") }
    }
}

enum ExplainCommand {
    static var parser: OptionParser<ExplainOptions> {
        OptionParser<ExplainOptions>(
            command: "explain",
            summary:
                "Attributes each prediction to its tokens by integrated gradients on the word embeddings (baseline: "
                + "the pad token's embedding at every position, the end-of-text token's without one; trapezoid rule). "
                + "Writes one JSON line per explanation: tokens, attributions, label, score f(x), baseline_score "
                + "f(baseline). f is the logit of the predicted (or --target) label, the value for regression, and "
                + "for token classification the sum of an entity's word logits (one line per predicted entity).",
            options: [
                .configFile(),
                .path("model", \.model, "Fine-tuned model directory (config.json, model.safetensors, tokenizer)."),
                .path(
                    "input", \.input, "Text to explain (.tsv, .csv, .jsonl; CoNLL or one sentence per row for tags)."),
                .path("output", \.output, "Where to write the explanations (.jsonl)."),
                .path("html", \.html, "Also write a page with each token shaded by its attribution."),
                .path(
                    "target", \.target, "Explain this label (entity type for tags) instead of the predicted one.",
                    valueName: "LABEL"),
                .int("steps", \.steps, "Points of the path from the baseline to the input (both ends included)."),
                .path(
                    "text-column", \.textColumn, "Text column name or 0-based index (default: detected).",
                    valueName: "NAME"),
                .path(
                    "text-pair-column", \.textPairColumn, "Second text column for sentence pairs.", valueName: "NAME"),
                .int("threads", \.threads, "Threads per rank (default: cores per node / ranks per node)."),
            ])
    }

    static func run(_ options: ExplainOptions, communicator: Communicator) throws {
        let session = try ExplanationSession(
            modelPath: options.model, communicator: communicator, steps: options.steps, threads: options.threads)
        let (data, dataset) = try session.read(
            options.input!, columns: ColumnSelection(text: options.textColumn, pair: options.textPairColumn, label: nil)
        )
        guard let lines = try session.run(data, dataset: dataset, target: options.target) else { return }
        let text = lines.map { $0 + "\n" }.joined()
        try text.write(toFile: options.output!, atomically: true, encoding: .utf8)
        print(
            "\(lines.count) explanations of \(dataset.count) examples written to \(options.output!) "
                + "(\(session.inference.task.name), \(options.steps) points, baseline \(session.baselineToken))")
        if let html = options.html {
            let title = "Integrated gradients: \(options.model) on \(options.input!)"
            try ExplanationHTML.page(lines, title: title).write(toFile: html, atomically: true, encoding: .utf8)
            print("page written to \(html)")
        }
    }
}
