import JSON

extension SentenceTransformersConfig {
    /// The pipeline sentence-transformers builds around a plain transformers model that has
    /// none (`SentenceTransformer(path)` on a directory without `modules.json`): mean pooling,
    /// no normalisation.
    public static func plainModelDefault(hiddenSize: Int, maxSeqLength: Int?) -> SentenceTransformersConfig {
        SentenceTransformersConfig(
            pooling: SentencePooling(modes: [.mean], normalize: false), wordEmbeddingDimension: hiddenSize,
            maxSeqLength: maxSeqLength)
    }

    /// The files of the pipeline, by path relative to the model directory, as
    /// sentence-transformers writes them: `modules.json`, `1_Pooling/config.json`,
    /// `sentence_bert_config.json`, `config_sentence_transformers.json` (what was read, or
    /// cosine similarity and no prompts). `2_Normalize` has no file.
    public func files() -> [(path: String, text: String)] {
        var modules: [JSONValue] = [module(0, "", "Transformer"), module(1, Self.poolingDirectory, "Pooling")]
        if pooling.normalize { modules.append(module(2, Self.normalizeDirectory, "Normalize")) }
        // The flags of sentence-transformers before 6 (which 6 reads too) when they say the
        // order; 6's list otherwise.
        var poolingMembers = [JSONMember(key: "word_embedding_dimension", value: JSONValue(wordEmbeddingDimension))]
        if pooling.modes != PoolingMode.allCases.filter(pooling.modes.contains) {
            poolingMembers = [
                JSONMember(key: "embedding_dimension", value: JSONValue(wordEmbeddingDimension)),
                JSONMember(key: "pooling_mode", value: .array(pooling.modes.map { .string($0.modeName) })),
            ]
        } else {
            for mode in PoolingMode.allCases {
                let flag = JSONMember(key: "pooling_mode_" + mode.rawValue, value: .bool(pooling.modes.contains(mode)))
                poolingMembers.append(flag)
            }
            poolingMembers += [
                JSONMember(key: "pooling_mode_weightedmean_tokens", value: .bool(false)),
                JSONMember(key: "pooling_mode_lasttoken", value: .bool(false)),
            ]
        }
        poolingMembers.append(JSONMember(key: "include_prompt", value: .bool(pooling.includePrompt)))
        let bert =
            [
                JSONMember(key: "max_seq_length", value: maxSeqLength.map { JSONValue($0) } ?? .null),
                JSONMember(key: "do_lower_case", value: .bool(doLowerCase)),
            ] + otherBertConfig
        let settings =
            self.settings ?? [
                JSONMember(key: "prompts", value: .object([])),
                JSONMember(key: "default_prompt_name", value: .null),
                JSONMember(key: "similarity_fn_name", value: .string("cosine")),
            ]
        return [
            (Self.modulesFile, JSONWriter.pretty(.array(modules))),
            (Self.poolingDirectory + "/config.json", JSONWriter.pretty(.object(poolingMembers))),
            (Self.bertConfigFile, JSONWriter.pretty(.object(bert))),
            (Self.settingsFile, JSONWriter.pretty(.object(settings))),
        ]
    }

    private func module(_ index: Int, _ path: String, _ type: String) -> JSONValue {
        .object([
            JSONMember(key: "idx", value: JSONValue(index)), JSONMember(key: "name", value: .string(String(index))),
            JSONMember(key: "path", value: .string(path)),
            JSONMember(key: "type", value: .string(Self.typePrefix + type)),
        ])
    }

    /// Checks the pipeline fits an encoder of width `hiddenSize` (`word_embedding_dimension`).
    public func check(hiddenSize: Int, directory: String) throws(HuggingFaceConfigError) {
        guard wordEmbeddingDimension == hiddenSize else {
            throw HuggingFaceConfigError(
                file: directory + "/" + Self.poolingDirectory + "/config.json", key: "word_embedding_dimension",
                message: "\(wordEmbeddingDimension) differs from the model's hidden size \(hiddenSize)")
        }
    }
}
