import Foundation
import TestSupport
import Testing

@testable import Model

/// `config.json` reading and writing against real files (all-MiniLM-L6-v2's, and a
/// BertForSequenceClassification config saved by transformers 5.24) and malformed ones.
@Suite struct HuggingFaceConfigTests {
    /// A config text with the five required fields of a tiny model, plus `extra` members.
    static func config(_ extra: String = "", dropping dropped: String? = nil) -> [UInt8] {
        var members = [
            #""vocab_size": 100"#, #""hidden_size": 8"#, #""num_hidden_layers": 1"#,
            #""num_attention_heads": 2"#, #""intermediate_size": 16"#,
        ]
        if let dropped { members.removeAll { $0.hasPrefix("\"\(dropped)\"") } }
        if !extra.isEmpty { members.append(extra) }
        return Array(("{" + members.joined(separator: ", ") + "}").utf8)
    }

    static func read(_ bytes: [UInt8]) throws(HuggingFaceConfigError) -> HuggingFaceConfig {
        try HuggingFaceConfig(bytes: bytes, file: "config.json")
    }

    @Test func readsTheMiniLMConfig() throws {
        let path = try PretrainedModel.directory().path + "/config.json"
        let file = try HuggingFaceConfig(contentsOf: path)
        let expected = BertConfig(
            vocabSize: 30522, hiddenSize: 384, numHiddenLayers: 6, numAttentionHeads: 12, intermediateSize: 1536,
            hiddenAct: "gelu", hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1, classifierDropout: nil,
            maxPositionEmbeddings: 512, typeVocabSize: 2, layerNormEps: 1e-12, padTokenId: 0)
        #expect(file.bert == expected)
        #expect(file.bert?.headSize == 32)
        #expect(file.architectures == ["BertModel"])
        #expect(
            file.preservedKeys == [
                "_name_or_path", "gradient_checkpointing", "initializer_range", "position_embedding_type",
                "transformers_version", "use_cache",
            ])
        #expect(file.preservedJSON("_name_or_path") == #""nreimers/MiniLM-L6-H384-uncased""#)
        #expect(file.preservedJSON("initializer_range") == "0.02")
        #expect(file.preservedJSON("hidden_size") == nil, "interpreted fields are not preserved twice")
        #expect(try BertConfig(huggingFaceConfigAt: path) == expected)
    }

    @Test func readsASequenceClassificationConfigFromTransformers() throws {
        let file = try HuggingFaceConfig(contentsOf: FormatsFixtures.path("sequence-classification-config.json"))
        #expect(file.architectures == ["BertForSequenceClassification"])
        #expect(file.labels == ["negative", "positive"])
        #expect(file.problemType == "single_label_classification")
        #expect(file.bert?.classifierDropout == 0.2)
        #expect(file.bert?.hiddenSize == 384)
        #expect(file.preservedJSON("bos_token_id") == "null")
        #expect(file.preservedJSON("tie_word_embeddings") == "true")
    }

    /// Reading then writing a transformers-written config gives back its exact text: same
    /// keys, same number spellings, same layout.
    @Test func rewritesATransformersConfigIdentically() throws {
        let path = FormatsFixtures.path("sequence-classification-config.json")
        let original = String(decoding: try FormatsFixtures.bytes("sequence-classification-config.json"), as: UTF8.self)
        let file = try HuggingFaceConfig(contentsOf: path)
        #expect(try file.jsonText() == original)
    }

    @Test func roundTripKeepsUnknownFieldsExactly() throws {
        let source = Self.config(
            #""_name_or_path": "me/model", "custom": {"nested": [1, 2.50, "s", null], "z": -0.0}, "#
                + #""transformers_version": "4.8.2", "hidden_act": "gelu""#
        )
        let file = try Self.read(source)
        #expect(file.preservedKeys == ["_name_or_path", "custom", "transformers_version"])

        let directory = try FormatsFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var changed = file
        changed.architectures = ["BertForSequenceClassification"]
        changed.labels = ["neg", "neu", "pos"]
        changed.problemType = "single_label_classification"
        changed.bert?.classifierDropout = 0.25
        changed.bert?.hiddenDropoutProb = 0.05
        try changed.write(to: directory + "/config.json")

        let reread = try HuggingFaceConfig(contentsOf: directory + "/config.json")
        #expect(reread == changed)
        let text = String(
            decoding: try #require(FileManager.default.contents(atPath: directory + "/config.json")), as: UTF8.self)
        #expect(
            text.contains(#""custom": {"#) && text.contains("2.50") && text.contains("-0.0"),
            "unknown values keep their spelling:\n\(text)")
        #expect(text.contains(#""model_type": "bert""#))
        #expect(text.contains(#""hidden_dropout_prob": 0.05,"#))
        #expect(
            text.contains("\"id2label\": {\n    \"0\": \"neg\",\n    \"1\": \"neu\",\n    \"2\": \"pos\"\n  }"),
            "\(text)")
        #expect(text.contains("\"label2id\": {\n    \"neg\": 0,\n    \"neu\": 1,\n    \"pos\": 2\n  }"), "\(text)")
        #expect(text.contains("\"architectures\": [\n    \"BertForSequenceClassification\"\n  ]"), "\(text)")
        #expect(text.hasSuffix("}\n"))
        // Keys sorted, as transformers writes them.
        let keys = text.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map {
            $0.dropFirst(3).prefix { $0 != "\"" }
        }
        #expect(keys == keys.sorted(), "\(keys)")
    }

    @Test func optionalFieldsTakeTransformersDefaults() throws {
        let file = try Self.read(Self.config())
        #expect(
            file.bert
                == BertConfig(
                    vocabSize: 100, hiddenSize: 8, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 16))
        #expect(
            file.bert?.hiddenAct == "gelu" && file.bert?.layerNormEps == 1e-12 && file.maxPositions == 512)
        #expect(file.architectures.isEmpty && file.labels.isEmpty)
        #expect(
            try Self.read(Self.config(#""classifier_dropout": null, "pad_token_id": null, "problem_type": null"#)).bert
                == file.bert)
    }

    @Test func labelsFromEachSource() throws {
        #expect(try Self.read(Self.config(#""num_labels": 3"#)).labels == ["LABEL_0", "LABEL_1", "LABEL_2"])
        #expect(try Self.read(Self.config(#""label2id": {"b": 1, "a": 0}"#)).labels == ["a", "b"])
        #expect(
            try Self.read(Self.config(#""id2label": {"1": "b", "0": "a"}, "num_labels": 2"#)).labels == ["a", "b"])
        // transformers omits the default two labels when it saves a classifier config.
        #expect(
            try Self.read(Self.config(#""architectures": ["BertForSequenceClassification"]"#)).labels == [
                "LABEL_0", "LABEL_1",
            ])
        #expect(try Self.read(Self.config(#""architectures": ["BertModel"]"#)).labels == [])
    }

    @Test(arguments: ["vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size"])
    func missingRequiredFieldIsNamed(_ key: String) {
        let error = #expect(throws: HuggingFaceConfigError.self) { try Self.read(Self.config(dropping: key)) }
        #expect(error?.description == "config.json: \"\(key)\": missing; this key is required")
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        var extra: String
        var message: String
        var testDescription: String { extra }
    }

    static let badConfigs: [Bad] = [
        // Wrong JSON types (on optional keys: the required ones are already in the text,
        // and a key given twice is a parse error).
        Bad(
            extra: #""max_position_embeddings": "512""#,
            message: #""max_position_embeddings": expected an integer, found string "512""#),
        Bad(
            extra: #""max_position_embeddings": 512.0"#,
            message: #""max_position_embeddings": expected an integer, found number 512.0"#),
        Bad(
            extra: #""type_vocab_size": true"#,
            message: #""type_vocab_size": expected an integer, found boolean true"#),
        Bad(
            extra: #""hidden_dropout_prob": "0.1""#,
            message: #""hidden_dropout_prob": expected a finite number, found string "0.1""#),
        Bad(
            extra: #""layer_norm_eps": 1e999"#,
            message: #""layer_norm_eps": expected a finite number, found number 1e999"#),
        Bad(extra: #""hidden_act": 5"#, message: #""hidden_act": expected a string, found integer 5"#),
        Bad(
            extra: #""architectures": "BertModel""#,
            message: #""architectures": expected an array of strings, found string "BertModel""#),
        Bad(
            extra: #""architectures": [1]"#, message: #""architectures": expected an array of strings, found array [1]"#
        ),
        Bad(extra: #""id2label": ["a", "b"]"#, message: #""id2label": expected an object, found array ["a","b"]"#),
        Bad(
            extra: #""classifier_dropout": "none""#,
            message: #""classifier_dropout": expected a finite number, found string "none""#),
        // Unsupported values.
        Bad(
            extra: #""hidden_act": "relu""#,
            message: #""hidden_act": "relu" is not supported, expected "gelu" (the exact erf form)"#),
        Bad(extra: #""hidden_act": "gelu_new""#, message: #""hidden_act": "gelu_new" is not supported"#),
        Bad(
            extra: #""model_type": "roberta""#,
            message: #""model_type": "roberta" is not supported, expected one of "bert", "gpt2""#),
        Bad(
            extra: #""position_embedding_type": "relative_key""#,
            message: #""position_embedding_type": "relative_key" is not supported, expected "absolute""#),
        Bad(extra: #""is_decoder": true"#, message: #""is_decoder": a decoder (causal attention) is not supported"#),
        Bad(
            extra: #""problem_type": "ranking""#,
            message: #""problem_type": "ranking" is not one of "single_label_classification""#),
        Bad(
            extra: #""hidden_dropout_prob": 1.5"#,
            message: #""hidden_dropout_prob": expected a probability in [0, 1), found 1.5"#),
        Bad(
            extra: #""pad_token_id": 100"#,
            message: #""pad_token_id": expected an id in 0..<100 (vocab_size), found 100"#),
        Bad(
            extra: #""max_position_embeddings": 0"#,
            message: #""max_position_embeddings": expected a positive integer, found 0"#),
        // Labels.
        Bad(
            extra: #""id2label": {"0": "a", "2": "b"}"#,
            message: #""id2label": ids must be 0..<2 without gaps, but id 1 is missing (ids: [0, 2])"#),
        Bad(extra: #""id2label": {"zero": "a"}"#, message: #""id2label": key "zero" is not a label id"#),
        Bad(extra: #""id2label": {"0": "a", "00": "b"}"#, message: #""id2label": id 0 is given twice"#),
        Bad(
            extra: #""id2label": {"0": 1}"#,
            message: #""id2label": the label of id 0 is a JSON integer (1), expected a string"#),
        Bad(
            extra: #""id2label": {"0": "a", "1": "a"}"#,
            message: #""id2label": label "a" is given to ids 0 and 1; labels must be distinct"#),
        Bad(
            extra: #""id2label": {"0": "a", "1": "b"}, "label2id": {"a": 1, "b": 0}"#,
            message: #""label2id": maps "b" to 0, but id2label["0"] is "a""#),
        Bad(
            extra: #""id2label": {"0": "a", "1": "b"}, "label2id": {"a": 0}"#,
            message: #""label2id": has 1 labels, but id2label has 2"#),
        Bad(
            extra: #""id2label": {"0": "a", "1": "b"}, "label2id": {"a": 0, "b": "1"}"#,
            message: #""label2id": the id of label "b" is "1", expected an integer"#),
        Bad(
            extra: #""label2id": {"a": 0, "b": 2}"#,
            message: #""label2id": ids must be 0..<2, each once, but id 1 is missing"#),
        Bad(
            extra: #""id2label": {"0": "a"}, "num_labels": 2"#,
            message: #""num_labels": is 2, but there are 1 labels in id2label/label2id"#),
        Bad(extra: #""num_labels": 0"#, message: #""num_labels": expected a positive integer, found 0"#),
    ]

    @Test(arguments: badConfigs)
    func refusedWithKeyAndExpectation(_ bad: Bad) {
        let error = #expect(throws: HuggingFaceConfigError.self) { try Self.read(Self.config(bad.extra)) }
        #expect(
            error?.description.hasPrefix("config.json: " + bad.message) == true,
            "message: \(String(describing: error))\nexpected: \(bad.message)")
    }

    @Test func architectureChecksAcrossKeys() {
        let error = #expect(throws: HuggingFaceConfigError.self) {
            try Self.read(
                Array(
                    (#"{"vocab_size": 100, "hidden_size": 10, "num_hidden_layers": 1, "#
                        + #""num_attention_heads": 3, "intermediate_size": 16}"#).utf8))
        }
        #expect(error?.description == #"config.json: "hidden_size": 10 is not a multiple of num_attention_heads (3)"#)
    }

    @Test func refusesNonJSONAndNonObjects() {
        let notJSON = #expect(throws: HuggingFaceConfigError.self) {
            try Self.read(Array("{\n  \"vocab_size\": 1,\n  oops\n}".utf8))
        }
        #expect(
            notJSON?.description
                == "config.json: not valid JSON: line 3, column 3: unexpected 'o', expected a string key")
        let array = #expect(throws: HuggingFaceConfigError.self) { try Self.read(Array("[]".utf8)) }
        #expect(array?.description == "config.json: the top level is a JSON array, expected an object")
        let missing = #expect(throws: HuggingFaceConfigError.self) {
            try HuggingFaceConfig(contentsOf: "/nonexistent/config.json")
        }
        #expect(
            missing?.description.hasPrefix(
                "/nonexistent/config.json: cannot read the file: open failed: No such file or directory") == true)
    }

    @Test func refusesToWriteWhatCouldNotBeRead() throws {
        var file = try Self.read(Self.config())
        file.bert?.hiddenDropoutProb = .nan
        let nan = #expect(throws: HuggingFaceConfigError.self) { try file.jsonText() }
        #expect(
            nan?.description.contains(#""hidden_dropout_prob": expected a probability in [0, 1), found nan"#) == true,
            "\(String(describing: nan))")
        file.bert?.hiddenDropoutProb = 0.1
        file.bert?.hiddenAct = "relu"
        #expect(throws: HuggingFaceConfigError.self) { try file.jsonText() }
    }
}
