import Foundation
import Model
import TestSupport
import Testing
@testable import Text

@testable import Training

/// `CausalLMTask` through the tiny GPT-2's byte-level BPE (`Tests/Fixtures/causal-lm/tiny-lm`)
/// on the demo corpus, and its loss, perplexity and predictions against sums done here.
@Suite struct CausalLMTaskTests {
    static func tokenizer() throws -> any TextTokenizer {
        let directory = try Fixtures.existing("causal-lm/tiny-lm", generator: "tools/make_causal_lm_fixtures.py")
        return try Tokenizers.load(directory: directory)
    }

    static func demo(_ name: String) -> String {
        Fixtures.repository.appendingPathComponent("data/demo-lm/" + name).path
    }

    static func read(_ path: String, tokenizer: any TextTokenizer, blockSize: Int) throws -> EncodedDataset {
        let request = DataRequest(columns: ColumnSelection(), tokenizer: tokenizer, maxLength: blockSize)
        return try CausalLMTask().read(path, request).encode(nil)
    }

    static func tokenTargets(_ dataset: EncodedDataset) -> [Int32] {
        guard case .tokens(let labels) = dataset.targets else {
            Issue.record("targets are not per token")
            return []
        }
        return labels
    }

    @Test func theDemoCorpusMakes232BlocksOf32() throws {
        let tokenizer = try Self.tokenizer()
        let path = Self.demo("train.txt")
        #expect(tokenizer.specialIds.eos == 0)
        let dataset = try Self.read(path, tokenizer: tokenizer, blockSize: 32)
        // Hugging Face `tokenizers` counts 7447 tokens in the 160 documents with their EOS:
        // 232 blocks of 32, the last 23 tokens dropped.
        guard case .documents(let documents) = try DocumentReader.read(path) else { throw DataError(file: path, "") }
        #expect(documents.count == 160)
        #expect(documents.reduce(0) { $0 + tokenizer.ids($1.text).count + 1 } == 7447)
        #expect(dataset.count == 232)
        #expect(dataset.lengths.allSatisfy { $0 == 32 })
        // The first block, as `tokenizers` encodes "day 1: grey skies and steady rain.\n…".
        let first: [Int32] = [
            275, 306, 26, 221, 71, 268, 89, 313, 73, 284, 272, 297, 287, 68, 89, 221, 82, 65, 276, 14, 199, 273, 368,
            369, 343, 336, 277, 348, 14, 199, 273, 300,
        ]
        #expect(Array(dataset.ids.prefix(32)) == first)
        #expect(Array(dataset.lines.prefix(6)) == [1, 1, 6, 9, 12, 12])
        #expect(dataset.lines.last == 670)
        let targets = Self.tokenTargets(dataset)
        for block in 0..<dataset.count {
            let range = dataset.offsets[block]..<dataset.offsets[block + 1]
            #expect(Array(targets[range].dropLast()) == Array(dataset.ids[range].dropFirst()), "block \(block)")
            #expect(targets[range.upperBound - 1] == -100)
            #expect(dataset.lossUnits(block) == 31)
        }
        // EOS is learned: 159 document ends fall inside blocks, none masked.
        #expect(
            targets.filter { $0 == 0 }.count
                == dataset.ids.enumerated().filter { $0.element == 0 && $0.offset % 32 != 0 }.count)
        #expect(targets.filter { $0 == 0 }.count > 150)
    }

    @Test func theOppositesPairsPredictOnlyTheirCompletions() throws {
        let tokenizer = try Self.tokenizer()
        let dataset = try Self.read(Self.demo("opposites.jsonl"), tokenizer: tokenizer, blockSize: 32)
        // `tokenizers`: 40 rows, 872 tokens, 216 of them completion or EOS tokens.
        #expect(dataset.count == 40)
        #expect(dataset.ids.count == 872)
        #expect((0..<dataset.count).reduce(0) { $0 + dataset.lossUnits($1) } == 216)
        let prompt = tokenizer.ids("the opposite of hot is"), completion = tokenizer.ids(" cold.")
        #expect(prompt.count == 15 && completion.count == 4)
        #expect(Array(dataset.ids[0..<20]) == prompt + completion + [0])
        let targets = Self.tokenTargets(dataset)
        #expect(Array(targets[0..<20]) == [Int32](repeating: -100, count: 14) + completion + [0, -100])
    }

    @Test func aTokenizerWithoutEOSIsAnError() throws {
        let directory = try Fixtures.temporaryDirectory("causal-lm-no-eos")
        try "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n".write(
            to: directory.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let wordPiece = try Tokenizers.load(directory: directory)
        let path = Self.demo("train.txt")
        #expect(throws: DataError.self) { try Self.read(path, tokenizer: wordPiece, blockSize: 8) }
        do {
            _ = try Self.read(path, tokenizer: wordPiece, blockSize: 8)
        } catch {
            #expect("\(error)".hasPrefix("\(path): the tokenizer defines no end-of-text token"))
        }
    }

    @Test func taskSettings() throws {
        let task = CausalLMTask()
        #expect(task.defaultMaxLength(modelPositions: 2048) == 1024)
        #expect(task.defaultMaxLength(modelPositions: 64) == 64)
        #expect(task.head(labels: 0) == .languageModel)
        #expect(!task.allowsTextAugmentation)
        #expect(try TaskRegistry.task(named: "causal-lm").name == "causal-lm")
    }

    // MARK: Loss, perplexity, predictions

    /// Letters a–f are ids 0–5, EOS 6: a vocabulary of 7.
    static let vocabulary = 7
    static func letters(_ text: String) -> [Int32] { text.unicodeScalars.map { Int32($0.value) - 97 } }

    /// Three rows predicting 4, 2 and 2 tokens (prompt last position, completion, EOS).
    static func pairs() throws -> EncodedDataset {
        let rows = [("ab", "cde", 1), ("", "fa", 2), ("abc", "d", 3)].map {
            DocumentCorpus.PromptCompletion(prompt: $0.0, completion: $0.1, line: $0.2)
        }
        return try LanguageModelingData.pairs(rows, file: "p.jsonl", tokenize: letters, eos: 6, blockSize: 6)
    }

    /// Scores spread over about ±3, different in every row.
    static func scores(rows: Int) -> [Float] {
        (0..<(rows * vocabulary)).map { Float(3 * sin(Double($0) * 12.9898 + 0.5)) }
    }

    /// `log Σ exp(row) − row[target]` for each row of `scores`, nil where the target is −100.
    static func negativeLogLikelihoods(_ scores: [Float], targets: [Int32]) -> [Double?] {
        targets.enumerated().map { row, target in
            guard target >= 0 else { return nil }
            let values = scores[(row * vocabulary)..<((row + 1) * vocabulary)].map(Double.init)
            return log(values.map { exp($0) }.reduce(0, +)) - values[Int(target)]
        }
    }

    @Test func lossGradientAndPerplexityAreMeansOverPredictedTokens() throws {
        let dataset = try Self.pairs()
        #expect((0..<3).map(dataset.lossUnits) == [4, 2, 2])
        let tokens = dataset.ids.count
        let batch = PackedBatch(sequenceCapacity: 3, tokenCapacity: tokens)
        let buffer = TargetBuffer(integerCapacity: tokens, floatCapacity: 0)
        for i in 0..<3 {
            dataset.append(i, to: batch, sample: UInt64(i))
            buffer.append(dataset.targets, example: i, tokens: dataset.offsets[i]..<dataset.offsets[i + 1])
        }
        var scores = Self.scores(rows: tokens)
        var gradient = [Float](repeating: 5, count: scores.count)
        let targets = Self.tokenTargets(dataset)
        let nll = Self.negativeLogLikelihoods(scores, targets: targets)
        let expected = nll.compactMap { $0 }.reduce(0, +)
        #expect(nll.compactMap { $0 }.count == 8)

        let task = CausalLMTask()
        let loss = scores.withUnsafeMutableBufferPointer { values in
            gradient.withUnsafeMutableBufferPointer { grad in
                task.lossAndGradient(
                    Logits(values: values.baseAddress!, gradient: grad.baseAddress!, outputs: Self.vocabulary),
                    batch: batch, targets: buffer, labelSmoothing: 0, gradScale: 1.0 / 8)
            }
        }
        #expect(abs(loss - expected) <= 1e-5 * expected, "loss \(loss), expected \(expected)")
        // (softmax − one-hot) / 8 on predicted rows, zero on the others.
        for (row, target) in targets.enumerated() {
            let values = scores[(row * Self.vocabulary)..<((row + 1) * Self.vocabulary)].map { exp(Double($0)) }
            for j in 0..<Self.vocabulary {
                let want = target < 0 ? 0 : (values[j] / values.reduce(0, +) - (j == Int(target) ? 1 : 0)) / 8
                let got = Double(gradient[row * Self.vocabulary + j])
                #expect(abs(got - want) <= 1e-6, "row \(row) output \(j): \(got), expected \(want)")
            }
        }

        // Two ranks' shares, summed as the evaluator's allreduce does.
        var first = task.metrics(labels: LabelSet(names: []), dataset: dataset)
        var second = task.metrics(labels: LabelSet(names: []), dataset: dataset)
        let split = dataset.offsets[1]
        let firstBatch = PackedBatch(sequenceCapacity: 1, tokenCapacity: tokens)
        let firstTargets = TargetBuffer(integerCapacity: tokens, floatCapacity: 0)
        dataset.append(0, to: firstBatch, sample: 0)
        firstTargets.append(dataset.targets, example: 0, tokens: 0..<split)
        let secondBatch = PackedBatch(sequenceCapacity: 2, tokenCapacity: tokens)
        let secondTargets = TargetBuffer(integerCapacity: tokens, floatCapacity: 0)
        for i in 1..<3 {
            dataset.append(i, to: secondBatch, sample: UInt64(i))
            secondTargets.append(dataset.targets, example: i, tokens: dataset.offsets[i]..<dataset.offsets[i + 1])
        }
        scores.withUnsafeBufferPointer { values in
            first.record(
                values.baseAddress!, outputs: Self.vocabulary, batch: firstBatch, targets: firstTargets,
                examples: 0..<1)
            second.record(
                values.baseAddress! + split * Self.vocabulary, outputs: Self.vocabulary, batch: secondBatch,
                targets: secondTargets, examples: 1..<3)
        }
        #expect(first.partialSums == [4] && second.partialSums == [4])
        let sums = zip(first.partialSums, second.partialSums).map { $0 + $1 }
        let report = first.report(sums: sums, lossSum: expected)
        let mean = expected / 8
        #expect(abs(report.values["eval_loss"]! - mean) <= 1e-12 * mean)
        #expect(abs(report.values["perplexity"]! - exp(mean)) <= 1e-12 * exp(mean))
        #expect(report.values["eval_tokens"] == 8)
        #expect(report.lines.count == 1 && report.lines[0].contains("8 predicted tokens"))
    }

    struct Prediction: Decodable {
        var loss: Double
        var perplexity: Double
        var predicted_tokens: Int
    }

    @Test func aPredictionIsOneExamplesMeanLossAndPerplexity() throws {
        let dataset = try Self.pairs()
        let scores = Self.scores(rows: dataset.ids.count)
        let nll = Self.negativeLogLikelihoods(scores, targets: Self.tokenTargets(dataset))
        let context = PredictionContext(
            data: TaskData(labelNames: [], texts: []) { _ in dataset }, dataset: dataset, labels: LabelSet(names: []),
            tokenizer: try Self.tokenizer(), maxLength: 6)
        for i in 0..<dataset.count {
            let rows = dataset.offsets[i]..<dataset.offsets[i + 1]
            let slice = scores[(rows.lowerBound * Self.vocabulary)..<(rows.upperBound * Self.vocabulary)]
            let json = "{" + CausalLMTask().prediction(i, logits: slice, context: context) + "}"
            let prediction = try JSONDecoder().decode(Prediction.self, from: Data(json.utf8))
            let own = nll[rows].compactMap { $0 }
            let mean = own.reduce(0, +) / Double(own.count)
            #expect(prediction.predicted_tokens == dataset.lossUnits(i))
            #expect(abs(prediction.loss - mean) <= 1e-6 * mean, "example \(i): \(json)")
            #expect(abs(prediction.perplexity - exp(mean)) <= 1e-6 * exp(mean), "example \(i): \(json)")
        }
    }
}
