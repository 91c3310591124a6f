import Foundation
import JSON
import Model
import Parallel
import Text

/// A language model loaded for `generate`: rank 0 reads the weights and broadcasts them
/// (as `InferenceSession`), the prompts are shared among the ranks in contiguous shares, and
/// rank 0 ends with every prompt's result in input order.
public final class GenerationSession {
    public let inference: InferenceSession
    let communicator: Communicator
    let model: any CausalLanguageModel

    public init(modelPath: String, communicator: Communicator, threads: Int?) throws {
        let inference = try InferenceSession(
            modelPath: modelPath, communicator: communicator, maxLength: nil, globalBatchSize: 1, threads: threads)
        model = try communicator.agreeing { () throws -> any CausalLanguageModel in
            guard let model = inference.model as? any CausalLanguageModel, inference.model.head == .languageModel else {
                throw GenerationError(
                    "\(modelPath): a \(inference.directory.config.architectures.joined(separator: ", ")) cannot "
                        + "generate text; generate needs a language model (GPT2LMHeadModel)")
            }
            return model
        }
        self.inference = inference
        self.communicator = communicator
    }

    /// The JSON line of one result: `prompt`, `completion` (text), `completion_ids`.
    public static func jsonLine(_ generation: Generation) -> String {
        PredictionJSON.object([
            ("prompt", JSON.quoted(generation.prompt)), ("completion", JSON.quoted(generation.completion)),
            ("completion_ids", PredictionJSON.list(generation.completionIds)),
        ])
    }

    /// Continues this rank's share of `prompts`; returns every prompt's JSON line, in order, on
    /// rank 0 (nil elsewhere). `onToken` hears this rank's prompts (global indices).
    public func run(
        _ prompts: [String], options: SamplingOptions, onToken: ((Int, [Int32]) -> Void)? = nil
    ) throws -> [String]? {
        let share = BatchPlan.shardRange(count: prompts.count, rank: communicator.rank, worldSize: communicator.size)
        let generator = TextGenerator(model: model, tokenizer: inference.directory.tokenizer, options: options)
        let mine = try communicator.agreeing {
            try generator.generate(
                Array(prompts[share]), firstIndex: share.lowerBound,
                onToken: onToken.map { hear in { hear(share.lowerBound + $0, $1) } })
        }
        let lines = mine.map(Self.jsonLine).joined(separator: "\n")
        var all: [String] = []
        for rank in 0..<communicator.size {
            let received = try communicator.broadcast(string: communicator.rank == rank ? lines : nil, root: rank)
            if !received.isEmpty { all += received.split(separator: "\n").map(String.init) }
        }
        return communicator.rank == 0 ? all : nil
    }

    /// The text of `ids` (for streaming).
    public func decode(_ ids: [Int32]) -> String { inference.directory.tokenizer.decode(ids) }
}

extension GenerationSession {
    /// The prompts of a JSON Lines file: a string `prompt` in every non-blank line (other keys
    /// ignored); a byte order mark and `\r\n` line ends are accepted.
    public static func prompts(from path: String) throws -> [String] {
        let content = try TextFile.read(path)
        var prompts: [String] = []
        for (index, line) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let value: JSONValue
            do {
                value = try JSONParser.parse(trimmed)
            } catch {
                throw DataError(
                    file: path, line: index + 1, "not valid JSON (column \(error.column): \(error.message))")
            }
            guard case .string(let prompt) = value["prompt"] else {
                throw DataError(file: path, line: index + 1, "expected an object with a string \"prompt\"")
            }
            prompts.append(prompt)
        }
        guard !prompts.isEmpty else { throw DataError(file: path, "contains no prompts") }
        return prompts
    }
}
