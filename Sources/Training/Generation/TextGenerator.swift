import Model
import Text

/// One prompt's continuation: its text (without a final end-of-sequence token) and every new
/// id (the end-of-sequence token included when generation stopped on it, as transformers'
/// `generate` returns it).
public struct Generation: Sendable, Equatable {
    public var prompt: String
    public var completion: String
    public var completionIds: [Int32]
}

/// Continues prompts with a `CausalLanguageModel`: the prompts are prefilled together into a
/// key/value cache, then every unfinished sequence gets one token per step (each costs one
/// position's work), chosen by its own `TokenSampler`, until it emits the end-of-sequence
/// token or reaches `maxNewTokens` (or the model's last position).
public struct TextGenerator {
    public let model: any CausalLanguageModel
    public let tokenizer: any TextTokenizer
    public let options: SamplingOptions
    /// Prompts continued together in one cache (its memory grows with them).
    public var promptsPerCache = 8

    public init(model: any CausalLanguageModel, tokenizer: any TextTokenizer, options: SamplingOptions) {
        self.model = model
        self.tokenizer = tokenizer
        self.options = options
    }

    /// The end-of-sequence id: the model config's, else the tokenizer's.
    var endOfSequence: Int32? { model.endOfSequenceId ?? tokenizer.specialIds.eos }

    /// The ids a prompt starts from: its tokens without special tokens (as transformers'
    /// GPT-2 tokenizer encodes it), or the begin-of-sequence token for an empty prompt.
    public func promptIds(_ prompt: String, index: Int) throws -> [Int32] {
        let ids = tokenizer.ids(prompt)
        if !ids.isEmpty { return ids }
        guard let start = tokenizer.specialIds.bos ?? endOfSequence else {
            throw GenerationError("prompt \(index + 1) is empty and the tokenizer has no begin-of-sequence token")
        }
        return [start]
    }

    /// Continues `prompts`, whose indices in the whole input start at `firstIndex` (each
    /// index keys its sampler's random stream). `onToken(i, ids)` hears prompt i's new ids
    /// after each step.
    public func generate(
        _ prompts: [String], firstIndex: Int = 0, onToken: ((Int, [Int32]) -> Void)? = nil
    ) throws -> [Generation] {
        var results: [Generation] = []
        var start = 0
        while start < prompts.count {
            let end = min(start + promptsPerCache, prompts.count)
            results += try generateTogether(
                Array(prompts[start..<end]), firstIndex: firstIndex + start,
                onToken: onToken.map { hear in { hear(start + $0, $1) } })
            start = end
        }
        return results
    }

    private func generateTogether(
        _ prompts: [String], firstIndex: Int, onToken: ((Int, [Int32]) -> Void)?
    ) throws -> [Generation] {
        let ids = try prompts.indices.map { try promptIds(prompts[$0], index: firstIndex + $0) }
        let longest = ids.map(\.count).max() ?? 0
        guard longest < model.maxPositions else {
            throw GenerationError(
                "a prompt of \(longest) tokens leaves no room to continue (the model takes \(model.maxPositions))")
        }
        // New tokens per sequence: as asked, within the model's positions.
        let limits = ids.map { min(options.maxNewTokens, model.maxPositions - $0.count) }
        let cache = try model.makeCache(
            maxSequences: prompts.count, maxLength: zip(ids, limits).map { $0.count + $1 }.max() ?? 1)
        var samplers = prompts.indices.map { TokenSampler(options: options, prompt: firstIndex + $0) }
        var histories = ids
        var completions = [[Int32]](repeating: [], count: prompts.count)
        var scores = [Float](repeating: 0, count: model.vocabularySize)
        var logits = try model.prefill(ids, cache: cache)
        var active = Array(prompts.indices)
        while !active.isEmpty {
            var next: [Int32] = [], continuing: [Int] = []
            for (row, s) in active.enumerated() {
                let token = scores.withUnsafeMutableBufferPointer { buffer in
                    buffer.baseAddress!.update(from: logits.row(row), count: buffer.count)
                    return samplers[s].next(scores: buffer, history: histories[s])
                }
                completions[s].append(token)
                histories[s].append(token)
                onToken?(s, completions[s])
                if token != endOfSequence && completions[s].count < limits[s] {
                    continuing.append(s)
                    next.append(token)
                }
            }
            active = continuing
            if !active.isEmpty { logits = try model.step(next, sequences: active, cache: cache) }
        }
        return prompts.indices.map { s in
            let text = completions[s].last == endOfSequence ? Array(completions[s].dropLast()) : completions[s]
            return Generation(prompt: prompts[s], completion: tokenizer.decode(text), completionIds: completions[s])
        }
    }
}
