import Foundation
import TestSupport
import Testing

@testable import Model

/// The sentence-transformers files: the installed all-MiniLM-L6-v2 (files of version 2), the
/// layout version 6 saves, what ddp-train writes read back, and malformed files, each error
/// naming the file and the key.
@Suite struct SentenceTransformersConfigTests {
    static let modules = """
        [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
         {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
        """
    static let pooling = #"{"word_embedding_dimension": 8, "pooling_mode_mean_tokens": true}"#

    /// A directory holding `files` (relative path → text).
    static func directory(_ files: [String: String]) throws -> String {
        let url = try Fixtures.temporaryDirectory("sentence-transformers")
        for (name, text) in files {
            let file = url.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        return url.path
    }

    /// The error reading `files` (the minimal valid model with these replaced), as text.
    static func error(_ files: [String: String]) throws -> String {
        let base = ["modules.json": modules, "1_Pooling/config.json": pooling]
        let path = try directory(base.merging(files) { $1 })
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try SentenceTransformersConfig(directory: path)
            return "no error"
        } catch {
            return error.description.replacingOccurrences(of: path + "/", with: "")
        }
    }

    @Test func readsTheInstalledMiniLM() throws {
        let path = try PretrainedModel.directory().path
        #expect(SentenceTransformersConfig.exists(in: path))
        let config = try SentenceTransformersConfig(directory: path)
        #expect(config.pooling == .meanNormalized)
        #expect(config.wordEmbeddingDimension == 384)
        #expect(config.maxSeqLength == 256)
        #expect(config.doLowerCase == false)
        #expect(config.settings?.map(\.key) == ["__version__"])
    }

    @Test func readsVersion6Files() throws {
        let path = try Self.directory([
            "modules.json": """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.base.modules.transformer.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling",
              "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Normalize",
              "type": "sentence_transformers.base.modules.normalize.Normalize"}]
            """,
            "1_Pooling/config.json":
                #"{"embedding_dimension": 8, "pooling_mode": ["max", "cls"], "include_prompt": false}"#,
            "sentence_bert_config.json": #"{"transformer_task": "feature-extraction", "module_output_name": "x"}"#,
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try SentenceTransformersConfig(directory: path)
        #expect(config.pooling == SentencePooling(modes: [.max, .cls], normalize: true, includePrompt: false))
        #expect(config.pooling.modes == [.max, .cls])
        #expect(config.maxSeqLength == nil)
        #expect(config.otherBertConfig.map(\.key) == ["transformer_task", "module_output_name"])
    }

    @Test(arguments: [
        SentencePooling.meanNormalized, SentencePooling(modes: [.cls, .max], normalize: false, includePrompt: false),
        SentencePooling(modes: [.meanSqrtLength, .cls], normalize: true),
    ])
    func writtenFilesReadBack(_ pooling: SentencePooling) throws {
        let written = SentenceTransformersConfig(
            pooling: pooling, wordEmbeddingDimension: 8, maxSeqLength: 64, doLowerCase: true)
        let path = try Self.directory(Dictionary(uniqueKeysWithValues: written.files().map { ($0.path, $0.text) }))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var read = try SentenceTransformersConfig(directory: path)
        #expect(read.pooling == pooling && read.pooling.modes == pooling.modes)
        #expect(read.maxSeqLength == 64 && read.doLowerCase && read.wordEmbeddingDimension == 8)
        #expect(read.settings?.map(\.key) == ["default_prompt_name", "prompts", "similarity_fn_name"])
        read.settings = nil
        #expect(read == written)
    }

    @Test func malformedFilesNameTheFileAndKey() throws {
        let dense = """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]
            """
        #expect(try Self.error(["modules.json": dense]).hasPrefix(#"modules.json: "[2].type": module "Dense""#))
        #expect(
            try Self.error(["modules.json": #"[{"idx": 0, "type": "my.Transformer"}]"#])
                == #"modules.json: "[0].type": "my.Transformer" is not a sentence-transformers module ddp-train reads"#)
        let subfolder = Self.modules.replacingOccurrences(of: #""path": "", "#, with: #""path": "0_BERT", "#)
        #expect(try Self.error(["modules.json": subfolder]).hasPrefix(#"modules.json: "[0].path": the transformer"#))
        #expect(try Self.error(["modules.json": "{}"]).hasPrefix(#"modules.json: "(top level)": expected an array"#))
        #expect(
            try Self.error([
                "1_Pooling/config.json": #"{"word_embedding_dimension": 8, "pooling_mode_lasttoken": true}"#
            ])
            .hasPrefix(#"1_Pooling/config.json: "pooling_mode_lasttoken": this pooling mode is not supported"#))
        #expect(
            try Self.error(["1_Pooling/config.json": #"{"word_embedding_dimension": 8, "pooling_mode_fancy": true}"#])
                == #"1_Pooling/config.json: "pooling_mode_fancy": unknown pooling setting"#)
        #expect(
            try Self.error(["1_Pooling/config.json": #"{"embedding_dimension": 8, "pooling_mode": ["mean", "avg"]}"#])
                .hasPrefix(#"1_Pooling/config.json: "pooling_mode[1]": "avg" is not one of"#))
        #expect(
            try Self.error(["1_Pooling/config.json": #"{"pooling_mode_mean_tokens": "yes"}"#])
                == #"1_Pooling/config.json: "pooling_mode_mean_tokens": expected true or false, found "yes""#)
        #expect(
            try Self.error(["1_Pooling/config.json": #"{"pooling_mode_mean_tokens": true}"#])
                == #"1_Pooling/config.json: "word_embedding_dimension": missing"#)
        #expect(
            try Self.error(["sentence_bert_config.json": #"{"max_seq_length": 0}"#])
                .hasPrefix(#"sentence_bert_config.json: "max_seq_length": expected a whole number in 1..."#))
        #expect(
            try Self.error(["config_sentence_transformers.json": #"{"default_prompt_name": "query"}"#])
                .hasPrefix(#"config_sentence_transformers.json: "default_prompt_name": "query": a default"#))
        #expect(
            try Self.error(["sentence_bert_config.json": "{"])
                .hasPrefix("sentence_bert_config.json: not valid JSON"))
    }
}
