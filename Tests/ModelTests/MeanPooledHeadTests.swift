import Foundation
import TestSupport
import Testing

@testable import Model

/// The mean-pooled sequence head (`classifier_pooling: "mean"`, `--pooling mean`): the mean of
/// the last hidden states into dropout and the classifier, no pooler — whole-model gradients
/// against finite differences, and the config key read and written.
@Suite struct MeanPooledHeadTests {
    static let config: BertConfig = {
        var config = BertConfig(
            vocabSize: 20, hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 12,
            hiddenDropoutProb: 0.2, attentionProbsDropoutProb: 0.2, maxPositionEmbeddings: 8, typeVocabSize: 2)
        config.classifierPooling = .mean
        return config
    }()

    @Test func hasNoPooler() {
        let names = BertLayout(config: Self.config, head: .sequence(outputs: 3)).table.entries.map(\.name)
        #expect(!names.contains { $0.contains("pooler") })
        #expect(names.contains("classifier.weight"))
        // The bare body keeps its pooler whatever the head setting says.
        #expect(BertLayout(config: Self.config, head: .none).table.entries.contains { $0.name.contains("pooler") })
    }

    /// Every parameter tensor sampled, dropout on (its masks are a function of the key).
    @Test func wholeModelGradients() {
        let model = BertModel(layout: BertLayout(config: Self.config, head: .sequence(outputs: 3)))
        var random = TestRandom(seed: 9)
        random.fill(model.parameters.base, count: model.parameters.count, scale: 0.5)
        let batch = PackedBatch(sequenceCapacity: 2, tokenCapacity: 12)
        batch.append(ids: [1, 5, 7, 2], typeIds: [0, 0, 1, 1], sample: 3)
        batch.append(ids: [1, 9, 2, 4, 4, 2], typeIds: [0, 0, 0, 1, 1, 1], sample: 8)
        model.reserve(maxSequences: 2, maxTokens: 12, maxLength: 8)
        let key = DropoutKey(seed: 77, step: 5)
        let labels: [Int32] = [2, 0]
        func loss() -> Double {
            model.forward(batch, dropout: key)
            let a = model.activations!
            return labels.withUnsafeBufferPointer {
                CrossEntropy.forwardBackward(
                    logits: a.logits, labels: $0.baseAddress!, rows: 2, classes: 3, gradScale: 1,
                    logitsGrad: a.logitsGrad)
            }
        }
        _ = loss()
        model.gradients.zero()
        model.backward(batch, dropout: key, trainable: .all(layers: 2))
        for entry in model.layout.table.entries {
            let stride = max(1, entry.count / 12)
            let indices = Swift.stride(from: 0, to: entry.count, by: stride).map { entry.offset + $0 }
            let (analytic, numeric) = centralDifferences(
                parameters: model.parameters, gradients: model.gradients, at: indices, loss: loss)
            expectClose(analytic, numeric, absolute: 2e-3, relative: 3e-2, "mean-pooled \(entry.name)")
        }
    }

    /// Mean pooling changes the logits (the same weights pooled on [CLS] give others).
    @Test func differsFromTheCLSHead() {
        var cls = Self.config
        cls.classifierPooling = .cls
        var logits: [[Float]] = []
        for config in [Self.config, cls] {
            let model = BertModel(layout: BertLayout(config: config, head: .sequence(outputs: 3)))
            var random = TestRandom(seed: 4)
            random.fill(model.parameters.base, count: model.parameters.count, scale: 0.5)
            let batch = PackedBatch(sequenceCapacity: 1, tokenCapacity: 4)
            batch.append(ids: [1, 5, 7, 2], sample: 0)
            model.reserve(maxSequences: 1, maxTokens: 4, maxLength: 4)
            model.forward(batch, dropout: nil)
            logits.append(Array(UnsafeBufferPointer(start: model.activations!.logits, count: 3)))
        }
        #expect(logits[0] != logits[1])
    }

    @Test func configKey() throws {
        let base = HuggingFaceConfigTests.config(#""classifier_pooling": "mean""#)
        let config = try HuggingFaceConfig(bytes: base, file: "config.json")
        #expect(config.bert?.classifierPooling == .mean)
        #expect(try config.jsonText().contains(#""classifier_pooling": "mean""#))
        let plain = try HuggingFaceConfig(bytes: HuggingFaceConfigTests.config(), file: "config.json")
        #expect(plain.bert?.classifierPooling == .cls)
        #expect(try !plain.jsonText().contains("classifier_pooling"))
        #expect(throws: HuggingFaceConfigError.self) {
            try HuggingFaceConfig(bytes: HuggingFaceConfigTests.config(#""classifier_pooling": "max""#), file: "c")
        }
        do {
            _ = try HuggingFaceConfig(bytes: HuggingFaceConfigTests.config(#""classifier_pooling": "max""#), file: "c")
        } catch {
            #expect(error.description == #"c: "classifier_pooling": "max" is not supported, expected "cls" or "mean""#)
        }
    }
}
