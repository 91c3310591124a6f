import Foundation
import Model
import TestSupport
import Testing
import Text

@testable import Training

/// `TextGenerator` on the tiny GPT-2 of `Tests/Fixtures/causal-lm` against transformers'
/// `generate` (`tools/make_causal_lm_fixtures.py`).
@Suite struct TextGeneratorTests {
    struct Expected: Decodable {
        struct Case: Decodable {
            var prompt: String
            var prompt_ids: [Int32]
            var completion_ids: [Int32]
        }
        var max_new_tokens: Int
        var eos_token_id: Int32
        var cases: [Case]
    }

    static let generator = "tools/make_causal_lm_fixtures.py"

    /// The tiny language model and its tokenizer, weights loaded.
    static func tinyModel() throws -> (any TrainableModel & CausalLanguageModel, any TextTokenizer) {
        let directory = try Fixtures.existing("causal-lm/tiny-lm", generator: generator)
        let opened = try ModelDirectory(directory.path)
        let model = try ModelFamilies.family(of: opened.config).makeModel(
            config: opened.config, head: .languageModel, lora: nil, pool: .serial)
        _ = try model.loadWeights(from: SafeTensorsFile(contentsOf: opened.weightsPath), loadHead: true)
        let language = try #require(model as? any TrainableModel & CausalLanguageModel)
        return (language, opened.tokenizer)
    }

    @Test func greedyContinuationsEqualTransformersGenerate() throws {
        let expected = try Fixtures.decode("causal-lm/generation.json", as: Expected.self, generator: Self.generator)
        let (model, tokenizer) = try Self.tinyModel()
        let generator = TextGenerator(
            model: model, tokenizer: tokenizer, options: SamplingOptions(maxNewTokens: expected.max_new_tokens))
        let results = try generator.generate(expected.cases.map(\.prompt))
        for (result, c) in zip(results, expected.cases) {
            #expect(try generator.promptIds(c.prompt, index: 0) == c.prompt_ids, "prompt \(c.prompt)")
            #expect(result.completionIds == c.completion_ids, "prompt \(c.prompt)")
            let text =
                result.completionIds.last == expected.eos_token_id
                ? Array(result.completionIds.dropLast()) : result.completionIds
            #expect(result.completion == tokenizer.decode(text))
        }
        // Prompts continued alone equal prompts continued together.
        var alone = generator
        alone.promptsPerCache = 1
        #expect(try alone.generate(expected.cases.map(\.prompt)) == results)
    }

    /// The cached path (one position per new token) against full forward passes over the
    /// growing sequence, choosing the same greedy token at every step.
    @Test func cachedContinuationEqualsFullForwardPasses() throws {
        let (model, tokenizer) = try Self.tinyModel()
        let options = SamplingOptions(maxNewTokens: 10)
        let cached = try TextGenerator(model: model, tokenizer: tokenizer, options: options)
            .generate(["the pilot boat"])[0]
        var ids = tokenizer.ids("the pilot boat")
        let vocabulary = model.vocabularySize
        let batch = PackedBatch(sequenceCapacity: 1, tokenCapacity: 64)
        model.reserve(maxSequences: 1, maxTokens: 64, maxLength: 64)
        var uncached: [Int32] = []
        for _ in 0..<10 {
            batch.removeAll()
            batch.append(ids: ids, typeIds: [Int32](repeating: 0, count: ids.count), sample: 0)
            model.forward(batch, dropout: nil)
            let last = model.logits.values + (ids.count - 1) * vocabulary
            var best = 0
            for v in 0..<vocabulary where last[v] > last[best] { best = v }
            uncached.append(Int32(best))
            ids.append(Int32(best))
            if Int32(best) == model.endOfSequenceId { break }
        }
        #expect(cached.completionIds == uncached)
    }

    @Test func samplingIsReproducibleForASeedAndVariesWithIt() throws {
        let (model, tokenizer) = try Self.tinyModel()
        func sample(seed: UInt64) throws -> [Generation] {
            let options = try SamplingOptions(
                maxNewTokens: 12, temperature: 1.5, topK: nil, topP: 0.95, repetitionPenalty: nil, seed: seed)
            return try TextGenerator(model: model, tokenizer: tokenizer, options: options)
                .generate(["day 7:", "the ferry", "day 7:"])
        }
        let first = try sample(seed: 3)
        #expect(try sample(seed: 3) == first)
        #expect(try sample(seed: 4) != first)
        // The same prompt at another index draws from another stream.
        #expect(first[0].completionIds != first[2].completionIds)
        // A prompt's continuation does not depend on the prompts beside it (or the rank count).
        let options = try SamplingOptions(
            maxNewTokens: 12, temperature: 1.5, topK: nil, topP: 0.95, repetitionPenalty: nil, seed: 3)
        let third = try TextGenerator(model: model, tokenizer: tokenizer, options: options)
            .generate(["day 7:"], firstIndex: 2)
        #expect(third == [first[2]])
    }

    @Test func aPromptThatFillsTheModelIsRefused() throws {
        let (model, tokenizer) = try Self.tinyModel()
        let long = String(repeating: "day 1: fog until noon.\n", count: 40)
        let generator = TextGenerator(model: model, tokenizer: tokenizer, options: SamplingOptions(maxNewTokens: 4))
        #expect(throws: GenerationError.self) { try generator.generate([long]) }
    }
}
