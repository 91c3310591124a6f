import TestSupport
import Testing

@testable import Model

/// Classifying checkpoint keys: `BertModel` saves (bare names), `BertFor*` saves (`bert.`
/// prefix and a head), buffers to skip, and names nobody knows.
@Suite struct CheckpointKeysTests {
    @Test func miniLMKeysAreBareEncoderNames() throws {
        let file = try SafeTensorsFile(contentsOf: try PretrainedModel.directory().path + "/model.safetensors")
        let keys = try CheckpointKeys(fileKeys: file.names, file: file.file)
        #expect(!keys.hasBertPrefix)
        #expect(keys.encoder.count == 103)
        #expect(
            keys.encoder["encoder.layer.3.attention.self.query.weight"] == "encoder.layer.3.attention.self.query.weight"
        )
        #expect(keys.head.isEmpty && !keys.hasClassifier)
        #expect(keys.ignoredBuffers == ["embeddings.position_ids"])
        #expect(keys.unknown.isEmpty)
    }

    @Test func sequenceClassificationSaveHasPrefixAndHead() throws {
        let fileKeys = [
            "bert.embeddings.word_embeddings.weight", "bert.embeddings.position_ids",
            "bert.encoder.layer.0.output.dense.bias",
            "bert.pooler.dense.weight", "classifier.weight", "classifier.bias",
        ]
        let keys = try CheckpointKeys(fileKeys: fileKeys, file: "model.safetensors")
        #expect(keys.hasBertPrefix)
        #expect(
            keys.encoder == [
                "embeddings.word_embeddings.weight": "bert.embeddings.word_embeddings.weight",
                "encoder.layer.0.output.dense.bias": "bert.encoder.layer.0.output.dense.bias",
                "pooler.dense.weight": "bert.pooler.dense.weight",
            ])
        #expect(keys.head == ["classifier.weight": "classifier.weight", "classifier.bias": "classifier.bias"])
        #expect(keys.hasClassifier)
        #expect(keys.ignoredBuffers == ["bert.embeddings.position_ids"])
        #expect(CheckpointKeys.fileKey(forEncoder: "pooler.dense.weight", withHead: true) == "bert.pooler.dense.weight")
        #expect(CheckpointKeys.fileKey(forEncoder: "pooler.dense.weight", withHead: false) == "pooler.dense.weight")
    }

    @Test func reportsUnknownKeysAndRenamesLegacyLayerNorm() throws {
        let keys = try CheckpointKeys(
            fileKeys: [
                "bert.embeddings.LayerNorm.gamma", "bert.embeddings.LayerNorm.beta", "cls.predictions.bias",
                "qa_outputs.weight",
                "bert.embeddings.token_type_ids", "classifier.weight",
            ],
            file: "model.safetensors")
        #expect(
            keys.encoder == [
                "embeddings.LayerNorm.weight": "bert.embeddings.LayerNorm.gamma",
                "embeddings.LayerNorm.bias": "bert.embeddings.LayerNorm.beta",
            ])
        #expect(keys.unknown == ["cls.predictions.bias", "qa_outputs.weight"])
        #expect(keys.ignoredBuffers == ["bert.embeddings.token_type_ids"])
        #expect(keys.head == ["classifier.weight": "classifier.weight"] && !keys.hasClassifier)
    }

    @Test func refusesAmbiguousKeySets() {
        let twice = #expect(throws: SafeTensorsError.self) {
            try CheckpointKeys(fileKeys: ["bert.pooler.dense.bias", "pooler.dense.bias"], file: "m.safetensors")
        }
        #expect(
            twice?.description
                == #"m.safetensors: tensor "pooler.dense.bias": names the same parameter "pooler.dense.bias" "#
                + #"as tensor "bert.pooler.dense.bias""#
        )
        let mixed = #expect(throws: SafeTensorsError.self) {
            try CheckpointKeys(
                fileKeys: ["bert.pooler.dense.bias", "encoder.layer.0.output.dense.bias"], file: "m.safetensors")
        }
        #expect(
            mixed?.description.contains(
                #"mix names with the "bert." prefix (e.g. "bert.pooler.dense.bias") and without it"#) == true,
            "\(String(describing: mixed))")
    }
}
