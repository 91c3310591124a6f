import Foundation
import Model
import Parallel
import Text

/// A fine-tuned model loaded for `explain`: rank 0 reads the weights and broadcasts them (as
/// `InferenceSession`), the examples are shared among the ranks in contiguous shares, and
/// rank 0 ends with every explanation line in input order. What f is for an example comes
/// from the task (`FineTuningTask.explanationTargets`).
public final class ExplanationSession {
    public let inference: InferenceSession
    let communicator: Communicator
    public let steps: Int
    /// The token whose embedding is the baseline at every position: `[PAD]`, or for a model
    /// without a pad token (GPT-2) its end-of-text token.
    public let baseline: Int32
    public let baselineToken: String

    public init(modelPath: String, communicator: Communicator, steps: Int, threads: Int?) throws {
        let inference = try InferenceSession(
            modelPath: modelPath, communicator: communicator, maxLength: nil, globalBatchSize: 1, threads: threads)
        let tokenizer = inference.directory.tokenizer
        baseline = try communicator.agreeing { () throws -> Int32 in
            if steps < 2 { throw OptionError("--steps \(steps): integrated gradients needs at least 2 points") }
            guard let id = tokenizer.specialIds.pad ?? tokenizer.specialIds.eos else {
                throw OptionError(
                    "\(modelPath): the tokenizer has neither a pad nor an end-of-text token for a baseline")
            }
            return id
        }
        baselineToken = tokenizer.token(for: baseline) ?? "\(baseline)"
        self.inference = inference
        self.communicator = communicator
        self.steps = steps
    }

    /// Reads the examples of `path` (labels ignored).
    public func read(_ path: String, columns: ColumnSelection) throws -> (TaskData, EncodedDataset) {
        try communicator.agreeing {
            let data = try inference.read(path, columns: columns, requireLabels: false)
            return (data, try data.encode(inference.labels))
        }
    }

    /// Explains this rank's share of `dataset`; returns every explanation's JSON line, in input
    /// order, on rank 0 (nil elsewhere). `onExample` hears each of this rank's examples done.
    public func run(
        _ data: TaskData, dataset: EncodedDataset, target: String?, onExample: ((Int) -> Void)? = nil
    ) throws -> [String]? {
        let share = BatchPlan.shardRange(count: dataset.count, rank: communicator.rank, worldSize: communicator.size)
        let lines = try communicator.agreeing { () throws -> [String] in
            let engine = try IntegratedGradients(
                model: inference.model, steps: steps, maxLength: max(dataset.longest, 1))
            var lines: [String] = []
            for i in share {
                lines += try explain(i, data: data, dataset: dataset, target: target, engine: engine)
                onExample?(i)
            }
            return lines
        }.joined(separator: "\n")
        var all: [String] = []
        for rank in 0..<communicator.size {
            let received = try communicator.broadcast(string: communicator.rank == rank ? lines : nil, root: rank)
            if !received.isEmpty { all += received.split(separator: "\n").map(String.init) }
        }
        return communicator.rank == 0 ? all : nil
    }

    /// The lines of example `i`: one per target the task names for it.
    func explain(
        _ i: Int, data: TaskData, dataset: EncodedDataset, target: String?, engine: IntegratedGradients
    ) throws -> [String] {
        let range = dataset.offsets[i]..<dataset.offsets[i + 1]
        let ids = Array(dataset.ids[range]), types = Array(dataset.typeIds[range])
        let logits = engine.logits(ids: ids, typeIds: types)
        let tokenizer = inference.directory.tokenizer
        let context = PredictionContext(
            data: data, dataset: dataset, labels: inference.labels, tokenizer: tokenizer,
            maxLength: inference.maxLength)
        let targets = try inference.task.explanationTargets(
            i, logits: logits[...], context: context, target: target)
        let tokens = ids.map { tokenizer.token(for: $0) ?? "\($0)" }
        return targets.map { target in
            let result = engine.attribute(ids: ids, typeIds: types, baseline: baseline, target: target)
            return Self.jsonLine(line: dataset.lines[i], tokens: tokens, target: target, result: result)
        }
    }

    /// `{"line", "label", <the target's members>, "score", "baseline_score", "tokens",
    /// "attributions"}`.
    public static func jsonLine(
        line: Int, tokens: [String], target: ExplanationTarget, result: IntegratedGradients.Result
    ) -> String {
        PredictionJSON.object(
            [("line", "\(line)"), ("label", PredictionJSON.string(target.label))] + target.members + [
                ("score", "\(result.score)"), ("baseline_score", "\(result.baselineScore)"),
                ("tokens", "[" + tokens.map(PredictionJSON.string).joined(separator: ", ") + "]"),
                ("attributions", PredictionJSON.list(result.attributions)),
            ])
    }
}
