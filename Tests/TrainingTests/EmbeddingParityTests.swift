import Foundation
import JSON
import TestSupport
import Testing

import Model
import Text
@testable import Training

/// The embedding head on the real all-MiniLM-L6-v2 against `SentenceTransformer.encode`
/// (Tests/Fixtures/embedding/minilm.json, tools/make_embedding_fixtures.py), without Python;
/// and the model written as a sentence-transformers directory reads back as the same pipeline
/// and gives the same vectors.
@Suite struct EmbeddingParityTests {
    struct Fixture: Decodable {
        let sentences: [String]
        let tokens: [Int]
        let dimension: Int
        let embeddings: [Float]
        let maxSeqLength: Int
        enum CodingKeys: String, CodingKey {
            case sentences, tokens, dimension, embeddings
            case maxSeqLength = "max_seq_length"
        }
    }

    /// The model in `path` with its pipeline as the head, weights loaded.
    static func model(_ directory: ModelDirectory) throws -> any TrainableModel {
        let head = TaskHead.embedding(try directory.sentencePipeline().pooling)
        let model = try ModelFamilies.family(of: directory.config).makeModel(
            config: directory.config, head: head, lora: nil, pool: .serial)
        _ = try model.loadWeights(from: SafeTensorsFile(contentsOf: directory.weightsPath), loadHead: false)
        return model
    }

    /// The embeddings of `sentences`, `[count × D]`, in one packed batch.
    static func embed(_ sentences: [String], model: any TrainableModel, tokenizer: any TextTokenizer, maxLength: Int)
        -> [Float]
    {
        let encodings = sentences.map { tokenizer.encode($0, pair: nil, maxLength: maxLength) }
        let tokens = encodings.map(\.ids.count).reduce(0, +), longest = encodings.map(\.ids.count).max() ?? 1
        model.reserve(maxSequences: sentences.count, maxTokens: tokens, maxLength: longest)
        let batch = PackedBatch(sequenceCapacity: sentences.count, tokenCapacity: tokens)
        for (i, encoding) in encodings.enumerated() {
            batch.append(ids: encoding.ids, typeIds: encoding.typeIds, sample: UInt64(i))
        }
        model.forward(batch, dropout: nil)
        return Array(UnsafeBufferPointer(start: model.logits.values, count: sentences.count * model.logits.outputs))
    }

    /// The smallest cosine similarity between corresponding rows.
    static func worstCosine(_ a: [Float], _ b: [Float], dimension d: Int) -> Double {
        stride(from: 0, to: a.count, by: d).map { start in
            var dot = 0.0, aa = 0.0, bb = 0.0
            for i in start..<(start + d) {
                dot += Double(a[i]) * Double(b[i])
                aa += Double(a[i]) * Double(a[i])
                bb += Double(b[i]) * Double(b[i])
            }
            return dot / (aa * bb).squareRoot()
        }.min() ?? -1
    }

    @Test func miniLMEncodesAsSentenceTransformers() throws {
        let fixture = try Fixtures.decode(
            "embedding/minilm.json", as: Fixture.self, generator: "tools/make_embedding_fixtures.py")
        let directory = try ModelDirectory(PretrainedModel.directory().path)
        #expect(try directory.sentencePipeline().pooling == .meanNormalized)
        #expect(try directory.sentencePipeline().maxSeqLength == fixture.maxSeqLength)
        let model = try Self.model(directory)
        let lengths = fixture.sentences.map {
            directory.tokenizer.encode($0, pair: nil, maxLength: fixture.maxSeqLength).ids.count
        }
        #expect(lengths == fixture.tokens)
        let vectors = Self.embed(
            fixture.sentences, model: model, tokenizer: directory.tokenizer, maxLength: fixture.maxSeqLength)
        #expect(model.logits.outputs == fixture.dimension)
        let cosine = Self.worstCosine(vectors, fixture.embeddings, dimension: fixture.dimension)
        #expect(cosine >= 0.99999, "smallest cosine \(cosine)")
        expectClose(vectors, fixture.embeddings, absolute: 2e-6, relative: 0, "embeddings")
    }

    /// A model whose sentence-transformers files ddp-train cannot reproduce (here a Dense
    /// module) still opens, for fine-tuning as a classifier; only its pipeline is refused.
    @Test func unusablePipelineOnlyStopsEmbedding() throws {
        let source = try PretrainedModel.directory().path
        let copy = try Fixtures.temporaryDirectory("dense-pipeline")
        defer { try? FileManager.default.removeItem(at: copy) }
        for name in ["config.json", "tokenizer.json", "model.safetensors", "1_Pooling"] {
            try FileManager.default.createSymbolicLink(
                atPath: copy.path + "/" + name, withDestinationPath: source + "/" + name)
        }
        try """
        [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
         {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
         {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]
        """.write(toFile: copy.path + "/modules.json", atomically: true, encoding: .utf8)
        let directory = try ModelDirectory(copy.path)
        #expect(directory.sentenceTransformers == nil)
        #expect(throws: HuggingFaceConfigError.self) { try directory.sentencePipeline() }
        #expect(directory.sentenceTransformersError?.key == "[2].type")
    }

    @Test func writtenModelLoadsAsTheSamePipeline() throws {
        let source = try PretrainedModel.directory().path
        let directory = try ModelDirectory(source)
        let model = try Self.model(directory)
        let output = try Fixtures.temporaryDirectory("embedding-model").path + "/model"
        defer {
            try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: output).deletingLastPathComponent().path)
        }
        let durable = try DurableDirectory(destination: output)
        try ModelDirectory.write(
            model: model, config: directory.config, tokenizerSource: source, maxLength: 128, into: durable)
        try durable.commit()

        let reopened = try ModelDirectory(output)
        #expect(reopened.config.architectures == ["BertModel"])
        let pipeline = try #require(reopened.sentenceTransformers)
        #expect(pipeline.pooling == .meanNormalized && pipeline.maxSeqLength == 128 && !pipeline.doLowerCase)
        // The version stamps as the source had them (written with sorted keys).
        let settings = [pipeline.settings, directory.sentenceTransformers?.settings].map {
            $0.map { JSONWriter.pretty(.object($0)) }
        }
        #expect(settings[0] != nil && settings[0] == settings[1])
        // Saved as sentence-transformers saves a BertModel, but without the unused pooler.
        let names = try SafeTensorsFile(contentsOf: reopened.weightsPath).names
        #expect(
            names.contains("encoder.layer.0.attention.self.query.weight") && !names.contains { $0.hasPrefix("pooler") })
        let sentences = ["A man is playing a guitar.", "The new movie is awesome!"]
        let before = Self.embed(sentences, model: model, tokenizer: directory.tokenizer, maxLength: 128)
        let after = Self.embed(
            sentences, model: try Self.model(reopened), tokenizer: reopened.tokenizer, maxLength: 128)
        #expect(before == after)
    }
}
