import Foundation
import Training

/// Options of `embed`.
struct EmbedOptions {
    var model: String = ""
    var input: String? = nil
    var output: String? = nil
    var textColumn: String? = nil
    /// nil: the pipeline's `max_seq_length`, else the length the model was trained with.
    var maxLength: Int? = nil
    var normalize: Bool = false
    var saveModel: String? = nil
    var batchSize: Int = 32
    var threads: Int? = nil

    func check() throws {
        if model.isEmpty { throw UsageError("--model is required") }
        guard let input else { throw UsageError("--input is required") }
        if !FileManager.default.fileExists(atPath: input) { throw UsageError("--input \(input): no such file") }
        guard let output else { throw UsageError("--output FILE.npy|.safetensors|.jsonl is required") }
        do { _ = try EmbeddingFile(path: output) } catch { throw UsageError(error.description) }
        if batchSize < 1 { throw UsageError("--batch-size \(batchSize): must be at least 1") }
        if let maxLength, maxLength < 2 { throw UsageError("--max-length \(maxLength): must be at least 2") }
    }
}

enum EmbedCommand {
    static var parser: OptionParser<EmbedOptions> {
        OptionParser<EmbedOptions>(
            command: "embed",
            summary:
                "Sentence embeddings of every row of a file, in input order, with the pooling and normalisation of "
                + "the model's sentence-transformers pipeline (modules.json; a plain model: mean pooling), so the "
                + "vectors are those SentenceTransformer(model).encode gives. Writes .npy (float32 [rows, dim]), "
                + ".safetensors (tensor \"embeddings\") or .jsonl (line, embedding).",
            options: [
                .configFile(),
                .path("model", \.model, "Model directory (a sentence-transformers or Hugging Face BERT model)."),
                .path("input", \.input, "Text to embed (.tsv, .csv, .jsonl), one text per row."),
                .path("output", \.output, "Where to write the embeddings (.npy, .safetensors or .jsonl)."),
                .path(
                    "text-column", \.textColumn, "Text column name or 0-based index (default: detected).",
                    valueName: "NAME"),
                .int(
                    "max-length", \.maxLength,
                    "Maximum tokens per text, [CLS] and [SEP] included (default: the model's max_seq_length)."),
                .flag("normalize", \.normalize, "Scale every embedding to unit length (if the model does not)."),
                .path(
                    "save-model", \.saveModel,
                    "Also write the model as a sentence-transformers directory with the pipeline as run (e.g. a "
                        + "fine-tuned BERT with mean pooling, or with --normalize added)."),
                .int(
                    "batch-size", \.batchSize,
                    "Rows per forward pass; chunks of this many rows are dealt to the ranks in turn, the same at "
                        + "any rank count, so the vectors are too."),
                .int("threads", \.threads, "Threads per rank (default: cores per node / ranks per node)."),
            ])
    }

    static func run(_ options: EmbedOptions, communicator: Communicator) throws {
        let session = try EmbeddingSession(
            modelPath: options.model, communicator: communicator, maxLength: options.maxLength,
            normalize: options.normalize, batchSize: options.batchSize, threads: options.threads)
        let dataset = try communicator.agreeing { try session.read(options.input!, textColumn: options.textColumn) }
        let embeddings = try session.embeddings(dataset)
        guard communicator.rank == 0 else { return }
        let output = options.output!
        if let destination = options.saveModel {
            let directory = try DurableDirectory(destination: destination)
            try ModelDirectory.write(
                model: session.model, config: session.directory.config, tokenizerSource: session.directory.path,
                maxLength: session.maxLength, into: directory)
            try directory.commit()
            print("sentence-transformers model (\(session.pooling.summary)) written to \(destination)")
        }
        try EmbeddingFile(path: output).write(
            embeddings, dimension: session.dimension, lines: dataset.lines, to: output)
        print(
            "\(dataset.count) embeddings of dimension \(session.dimension) (\(session.pooling.summary), max length "
                + "\(session.maxLength)) written to \(output)")
    }
}
