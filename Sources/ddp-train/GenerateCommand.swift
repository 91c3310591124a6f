import Foundation
import Training

/// Options of `generate`.
struct GenerateOptions {
    var model: String = ""
    var prompt: String? = nil
    var input: String? = nil
    var output: String? = nil
    var maxNewTokens: Int = 20
    var temperature: Double? = nil
    var topK: Int? = nil
    var topP: Double? = nil
    var repetitionPenalty: Double? = nil
    var seed: Int? = nil
    var threads: Int? = nil

    /// The sampling settings (checked).
    func sampling() throws -> SamplingOptions {
        try SamplingOptions(
            maxNewTokens: maxNewTokens, temperature: temperature.map(Float.init), topK: topK,
            topP: topP.map(Float.init), repetitionPenalty: repetitionPenalty.map(Float.init),
            seed: seed.map { UInt64(bitPattern: Int64($0)) })
    }

    func check() throws {
        if model.isEmpty { throw UsageError("--model is required") }
        if (prompt == nil) == (input == nil) { throw UsageError("give one of --prompt TEXT or --input PROMPTS.jsonl") }
        _ = try sampling()
    }
}

enum GenerateCommand {
    static var parser: OptionParser<GenerateOptions> {
        OptionParser<GenerateOptions>(
            command: "generate",
            summary:
                "Continues prompts with a language model (GPT-2 family): greedy unless a sampling option is given "
                + "(then temperature 1, top-k 50, top-p 1 unless set, as transformers); under mpirun the prompts "
                + "are shared among the ranks.",
            options: [
                .configFile(),
                .path("model", \.model, "Language model directory (GPT2LMHeadModel: config.json, weights, tokenizer)."),
                .path("prompt", \.prompt, "One prompt.", valueName: "TEXT"),
                .path("input", \.input, "Prompts, one JSON object with a \"prompt\" string per line (.jsonl)."),
                .path(
                    "output", \.output,
                    "Write one JSON line per prompt (prompt, completion, completion_ids) here instead of printing."),
                .int("max-new-tokens", \.maxNewTokens, "Tokens to add at most (fewer at the end-of-sequence token)."),
                .double("temperature", \.temperature, "Sample with this temperature."),
                .int("top-k", \.topK, "Sample from the k most likely tokens (0: all)."),
                .double("top-p", \.topP, "Sample from the smallest set of tokens whose probability reaches p."),
                .double(
                    "repetition-penalty", \.repetitionPenalty,
                    "Divide the scores of tokens already in the text by this (transformers' repetition_penalty)."),
                .int("seed", \.seed, "Seed of the sampling (each prompt draws from its own stream)."),
                .int("threads", \.threads, "Threads per rank (default: cores per node / ranks per node)."),
            ])
    }

    static func run(_ options: GenerateOptions, communicator: Communicator) throws {
        let sampling = try options.sampling()
        let prompts = try communicator.agreeing {
            try options.prompt.map { [$0] } ?? GenerationSession.prompts(from: options.input!)
        }
        let session = try GenerationSession(
            modelPath: options.model, communicator: communicator, threads: options.threads)
        // One prompt on a terminal: its text as it grows (whole characters only).
        let streams =
            options.output == nil && options.prompt != nil && isatty(STDOUT_FILENO) != 0
            && communicator.rank == 0
        var shown = ""
        if streams { print(options.prompt!, terminator: "") }
        let onToken: ((Int, [Int32]) -> Void)? =
            streams
            ? { _, ids in
                let text = session.decode(ids)
                guard !text.hasSuffix("\u{FFFD}"), text.hasPrefix(shown) else { return }
                print(text.dropFirst(shown.count), terminator: "")
                fflush(nil)
                shown = text
            } : nil
        guard let lines = try session.run(prompts, options: sampling, onToken: onToken) else { return }
        if let output = options.output {
            try (lines.joined(separator: "\n") + "\n").write(toFile: output, atomically: true, encoding: .utf8)
            print("\(lines.count) continuations written to \(output)")
        } else if options.prompt != nil {
            if streams {
                print()
            } else {
                let object = try? JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
                print(options.prompt! + ((object?["completion"] as? String) ?? ""))
            }
        } else {
            print(lines.joined(separator: "\n"))
        }
    }
}
