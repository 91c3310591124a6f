// The BERT fields of a Hugging Face `config.json` (transformers' `BertConfig`, whose
// defaults and field names are followed here; checked against transformers 5.24).

import JSON

extension BertConfig {
    /// Reads the architecture from the Hugging Face `config.json` at `path`; see
    /// `HuggingFaceConfig` for the rules and for the fields kept on rewrite.
    public init(huggingFaceConfigAt path: String) throws(HuggingFaceConfigError) {
        let config = try HuggingFaceConfig(contentsOf: path)
        guard let bert = config.bert else {
            throw HuggingFaceConfigError(
                file: path, key: "model_type", message: "\"\(config.modelType)\" is not a BERT model")
        }
        self = bert
    }

    /// Takes BERT's fields out of `fields`.
    ///
    /// Required: `vocab_size`, `hidden_size`, `num_hidden_layers`, `num_attention_heads`,
    /// `intermediate_size`. Optional fields take transformers' defaults; `pad_token_id: null`
    /// reads as 0.
    ///
    /// - Throws: for a missing required key, a value of the wrong JSON type, a `hidden_act`
    ///   other than `"gelu"`, a `position_embedding_type` other than `"absolute"`,
    ///   `is_decoder: true`, `hidden_size` not divisible by `num_attention_heads`, and
    ///   out-of-range values.
    init(reading fields: inout ConfigFields) throws(HuggingFaceConfigError) {
        self.init(
            vocabSize: try fields.requiredInt("vocab_size"),
            hiddenSize: try fields.requiredInt("hidden_size"),
            numHiddenLayers: try fields.requiredInt("num_hidden_layers"),
            numAttentionHeads: try fields.requiredInt("num_attention_heads"),
            intermediateSize: try fields.requiredInt("intermediate_size"))
        if let value = try fields.string("hidden_act") { hiddenAct = value }
        if let value = try fields.float("hidden_dropout_prob") { hiddenDropoutProb = value }
        if let value = try fields.float("attention_probs_dropout_prob") { attentionProbsDropoutProb = value }
        classifierDropout = try fields.float("classifier_dropout")
        if let value = try fields.int("max_position_embeddings") { maxPositionEmbeddings = value }
        if let value = try fields.int("type_vocab_size") { typeVocabSize = value }
        if let value = try fields.float("layer_norm_eps") { layerNormEps = value }
        if let value = try fields.int("pad_token_id") { padTokenId = value }
        if let value = try fields.string("classifier_pooling") {
            guard let mode = [PoolingMode.cls, .mean].first(where: { $0.name == value }) else {
                throw fields.error("classifier_pooling", "\"\(value)\" is not supported, expected \"cls\" or \"mean\"")
            }
            classifierPooling = mode
        }

        // Fields kept as they are, but whose value changes the model this project builds.
        if let value = try fields.peekString("position_embedding_type"), value != "absolute" {
            throw fields.error("position_embedding_type", "\"\(value)\" is not supported, expected \"absolute\"")
        }
        if try fields.peekBool("is_decoder") == true {
            throw fields.error("is_decoder", "a decoder (causal attention) is not supported, expected false")
        }
        try validate(file: fields.file)
    }

    /// Every field under its transformers name (`classifier_dropout` null when unset).
    func members(file: String) throws(HuggingFaceConfigError) -> [JSONMember] {
        try validate(file: file)
        var members: [JSONMember] = []
        func set(_ key: String, _ value: JSONValue) { members.append(JSONMember(key: key, value: value)) }
        set("vocab_size", ConfigJSON.int(vocabSize))
        set("hidden_size", ConfigJSON.int(hiddenSize))
        set("num_hidden_layers", ConfigJSON.int(numHiddenLayers))
        set("num_attention_heads", ConfigJSON.int(numAttentionHeads))
        set("intermediate_size", ConfigJSON.int(intermediateSize))
        set("hidden_act", .string(hiddenAct))
        set("hidden_dropout_prob", try ConfigJSON.number(hiddenDropoutProb, "hidden_dropout_prob", file: file))
        set(
            "attention_probs_dropout_prob",
            try ConfigJSON.number(attentionProbsDropoutProb, "attention_probs_dropout_prob", file: file))
        if let classifierDropout {
            set("classifier_dropout", try ConfigJSON.number(classifierDropout, "classifier_dropout", file: file))
        } else {
            set("classifier_dropout", .null)
        }
        set("max_position_embeddings", ConfigJSON.int(maxPositionEmbeddings))
        set("type_vocab_size", ConfigJSON.int(typeVocabSize))
        set("layer_norm_eps", try ConfigJSON.number(layerNormEps, "layer_norm_eps", file: file))
        set("pad_token_id", ConfigJSON.int(padTokenId))
        if classifierPooling != .cls { set("classifier_pooling", .string(classifierPooling.name)) }
        return members
    }

    /// The checks shared by reading and writing.
    func validate(file: String) throws(HuggingFaceConfigError) {
        func fail(_ key: String, _ message: String) -> HuggingFaceConfigError {
            HuggingFaceConfigError(file: file, key: key, message: message)
        }
        let positive: [(String, Int)] = [
            ("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("num_hidden_layers", numHiddenLayers),
            ("num_attention_heads", numAttentionHeads), ("intermediate_size", intermediateSize),
            ("max_position_embeddings", maxPositionEmbeddings), ("type_vocab_size", typeVocabSize),
        ]
        for (key, value) in positive where value < 1 {
            throw fail(key, "expected a positive integer, found \(value)")
        }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw fail("hidden_size", "\(hiddenSize) is not a multiple of num_attention_heads (\(numAttentionHeads))")
        }
        guard hiddenAct == "gelu" else {
            throw fail("hidden_act", "\"\(hiddenAct)\" is not supported, expected \"gelu\" (the exact erf form)")
        }
        try ConfigJSON.checkProbability(hiddenDropoutProb, "hidden_dropout_prob", file: file)
        try ConfigJSON.checkProbability(attentionProbsDropoutProb, "attention_probs_dropout_prob", file: file)
        try ConfigJSON.checkProbability(classifierDropout, "classifier_dropout", file: file)
        guard layerNormEps > 0, layerNormEps.isFinite else {
            throw fail("layer_norm_eps", "expected a positive number, found \(layerNormEps)")
        }
        guard padTokenId >= 0, padTokenId < vocabSize else {
            throw fail("pad_token_id", "expected an id in 0..<\(vocabSize) (vocab_size), found \(padTokenId)")
        }
    }

    /// The architecture in a few lines, for `inspect`.
    public var summary: [String] {
        [
            "layers \(numHiddenLayers), hidden \(hiddenSize), heads \(numAttentionHeads) × \(headSize), "
                + "feed-forward \(intermediateSize), activation \(hiddenAct)",
            "vocabulary \(vocabSize), positions \(maxPositionEmbeddings), token types \(typeVocabSize), "
                + "layer-norm ε \(layerNormEps)",
            "dropout hidden \(hiddenDropoutProb), attention \(attentionProbsDropoutProb)"
                + (classifierDropout.map { ", classifier \($0)" } ?? ""),
        ] + (classifierPooling == .mean ? ["sequence head on the mean of the last hidden states (no pooler)"] : [])
    }
}
