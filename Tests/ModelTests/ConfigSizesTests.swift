import Foundation
import TestSupport
import Testing

@testable import Model

/// Sizes in config.json checked against the checkpoint's header before a model is allocated
/// (issue 15: `type_vocab_size: 1000000000` beside a 2-row table tried to allocate 192 GB).
@Suite struct ConfigSizesTests {
    static let bert = Fixtures.url("model/tiny-bert").path
    static let gpt2 = Fixtures.url("gpt2/tiny-gpt2").path

    /// The real config with one integer key replaced.
    static func config(_ directory: String, _ key: String, _ value: Int) throws -> HuggingFaceConfig {
        var json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/config.json")))
                as? [String: Any])
        json[key] = value
        let path = try Fixtures.temporaryDirectory("config-sizes").path + "/config.json"
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        return try HuggingFaceConfig(contentsOf: path)
    }

    static func check(_ directory: String, _ config: HuggingFaceConfig) throws {
        let weights = directory + "/model.safetensors"
        try ModelFamilies.family(of: config).configSizes(config).check(
            against: try SafeTensorsFile.shapes(contentsOf: weights), weightsFile: weights, configFile: "config.json")
    }

    @Test func headerOnlyShapesEqualTheWholeFilesShapes() throws {
        for path in [Self.bert + "/model.safetensors", try PretrainedModel.directory().path + "/model.safetensors"] {
            let whole = try SafeTensorsFile(contentsOf: path)
            let shapes = try SafeTensorsFile.shapes(contentsOf: path)
            #expect(shapes == Dictionary(uniqueKeysWithValues: whole.tensors.map { ($0.name, $0.shape) }))
        }
    }

    @Test func headerOnlyReaderRefusesATruncatedHeader() throws {
        let bytes = try FileIO.readAll(Self.bert + "/model.safetensors")
        let path = try Fixtures.temporaryDirectory("config-sizes").path + "/truncated.safetensors"
        try Data(bytes.prefix(40)).write(to: URL(fileURLWithPath: path))
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile.shapes(contentsOf: path) }
    }

    @Test func unmodifiedConfigsPass() throws {
        try Self.check(Self.bert, try HuggingFaceConfig(contentsOf: Self.bert + "/config.json"))
        try Self.check(Self.gpt2, try HuggingFaceConfig(contentsOf: Self.gpt2 + "/config.json"))
        let miniLM = try PretrainedModel.directory().path
        try Self.check(miniLM, try HuggingFaceConfig(contentsOf: miniLM + "/config.json"))
    }

    @Test(arguments: [
        ("type_vocab_size", 1_000_000_000), ("vocab_size", 31), ("hidden_size", 64),
        ("max_position_embeddings", 4096), ("intermediate_size", 4096), ("num_hidden_layers", 40),
    ])
    func bertSizeDifferingFromTheCheckpointIsNamed(key: String, value: Int) throws {
        let config = try Self.config(Self.bert, key, value)
        let error = #expect(throws: ModelFamilyError.self) { try Self.check(Self.bert, config) }
        let message = error?.description ?? ""
        #expect(message.contains("config.json: \(key) is \(value), but"), "\(message)")
        #expect(message.contains("they must agree"), "\(message)")
    }

    @Test(arguments: [("vocab_size", 1000), ("n_embd", 48), ("n_positions", 2048), ("n_layer", 9), ("n_inner", 100)])
    func gpt2SizeDifferingFromTheCheckpointIsNamed(key: String, value: Int) throws {
        let config = try Self.config(Self.gpt2, key, value)
        let error = #expect(throws: ModelFamilyError.self) { try Self.check(Self.gpt2, config) }
        #expect(
            error?.description.contains("config.json: \(key) is \(value), but") == true, "\(String(describing: error))")
    }

    @Test func theTypeVocabularyCaseNamesBothValues() throws {
        let config = try Self.config(Self.bert, "type_vocab_size", 1_000_000_000)
        let error = #expect(throws: ModelFamilyError.self) { try Self.check(Self.bert, config) }
        let rows = try SafeTensorsFile.shapes(contentsOf: Self.bert + "/model.safetensors")
            .first { $0.key.hasSuffix("token_type_embeddings.weight") }?.value[0]
        #expect(error?.description.contains("(\(try #require(rows)) in dimension 0)") == true)
    }
}
