// The GPT-2 fields of a Hugging Face `config.json` (transformers' `GPT2Config`; names and
// defaults as transformers 5 has them).

import JSON

extension GPT2Config {
    /// Takes GPT-2's fields out of `fields`.
    ///
    /// Required: `vocab_size`, `n_embd`, `n_layer`, `n_head`, `n_positions` (every saved
    /// GPT-2 config has them; a missing one would otherwise silently build a 124M model).
    /// `n_inner: null` means 4·`n_embd`; the `summary_*` fields (of the double-heads model)
    /// are kept unread.
    ///
    /// - Throws: for a missing required key, a value of the wrong JSON type, an
    ///   `activation_function` other than `gelu_new`, `gelu_pytorch_tanh` or `gelu`,
    ///   `scale_attn_by_inverse_layer_idx`, `reorder_and_upcast_attn` or
    ///   `add_cross_attention` true, `n_embd` not divisible by `n_head`, and out-of-range
    ///   values.
    init(reading fields: inout ConfigFields) throws(HuggingFaceConfigError) {
        self.init(
            vocabSize: try fields.requiredInt("vocab_size"), nEmbd: try fields.requiredInt("n_embd"),
            nLayer: try fields.requiredInt("n_layer"), nHead: try fields.requiredInt("n_head"),
            nPositions: try fields.requiredInt("n_positions"))
        nInner = try fields.int("n_inner")
        if let value = try fields.float("layer_norm_epsilon") { layerNormEpsilon = value }
        if let value = try fields.string("activation_function") { activationFunction = value }
        if let value = try fields.float("resid_pdrop") { residPdrop = value }
        if let value = try fields.float("embd_pdrop") { embdPdrop = value }
        if let value = try fields.float("attn_pdrop") { attnPdrop = value }
        classifierDropout = try fields.float("classifier_dropout")
        if let value = try fields.bool("scale_attn_weights") { scaleAttnWeights = value }
        if let value = try fields.bool("tie_word_embeddings") { tieWordEmbeddings = value }
        bosTokenId = try fields.int("bos_token_id")
        eosTokenId = try fields.int("eos_token_id")
        padTokenId = try fields.int("pad_token_id")
        // Kept as they are, but a value other than the default changes the model.
        let unsupported = [
            ("scale_attn_by_inverse_layer_idx", "scores scaled by 1/(layer + 1)"),
            ("reorder_and_upcast_attn", "attention upcast to float64"),
            ("add_cross_attention", "cross-attention (an encoder–decoder)"),
        ]
        for (key, what) in unsupported where try fields.peekBool(key) == true {
            throw fields.error(key, "true (\(what)) is not supported, expected false")
        }
        try validate(file: fields.file)
    }

    /// Every interpreted field under its transformers name (`n_inner` null when unset;
    /// `classifier_dropout` and the token ids only when set).
    func members(file: String) throws(HuggingFaceConfigError) -> [JSONMember] {
        try validate(file: file)
        var members: [JSONMember] = []
        func set(_ key: String, _ value: JSONValue) { members.append(JSONMember(key: key, value: value)) }
        func number(_ value: Float, _ key: String) throws(HuggingFaceConfigError) {
            set(key, try ConfigJSON.number(value, key, file: file))
        }
        set("vocab_size", ConfigJSON.int(vocabSize))
        set("n_embd", ConfigJSON.int(nEmbd))
        set("n_layer", ConfigJSON.int(nLayer))
        set("n_head", ConfigJSON.int(nHead))
        set("n_positions", ConfigJSON.int(nPositions))
        set("n_inner", nInner.map(ConfigJSON.int) ?? .null)
        try number(layerNormEpsilon, "layer_norm_epsilon")
        set("activation_function", .string(activationFunction))
        try number(residPdrop, "resid_pdrop")
        try number(embdPdrop, "embd_pdrop")
        try number(attnPdrop, "attn_pdrop")
        if let classifierDropout { try number(classifierDropout, "classifier_dropout") }
        set("scale_attn_weights", .bool(scaleAttnWeights))
        set("tie_word_embeddings", .bool(tieWordEmbeddings))
        for (key, id) in [("bos_token_id", bosTokenId), ("eos_token_id", eosTokenId), ("pad_token_id", padTokenId)] {
            if let id { set(key, ConfigJSON.int(id)) }
        }
        return members
    }

    /// The checks shared by reading and writing.
    func validate(file: String) throws(HuggingFaceConfigError) {
        func fail(_ key: String, _ message: String) -> HuggingFaceConfigError {
            HuggingFaceConfigError(file: file, key: key, message: message)
        }
        let positive: [(String, Int)] = [
            ("vocab_size", vocabSize), ("n_embd", nEmbd), ("n_layer", nLayer), ("n_head", nHead),
            ("n_positions", nPositions), ("n_inner", nInner ?? 1),
        ]
        for (key, value) in positive where value < 1 {
            throw fail(key, "expected a positive integer, found \(value)")
        }
        guard nEmbd % nHead == 0 else {
            throw fail("n_embd", "\(nEmbd) is not a multiple of n_head (\(nHead))")
        }
        guard activation != nil else {
            throw fail(
                "activation_function",
                "\"\(activationFunction)\" is not supported, expected \"gelu_new\", \"gelu_pytorch_tanh\" or \"gelu\"")
        }
        try ConfigJSON.checkProbability(residPdrop, "resid_pdrop", file: file)
        try ConfigJSON.checkProbability(embdPdrop, "embd_pdrop", file: file)
        try ConfigJSON.checkProbability(attnPdrop, "attn_pdrop", file: file)
        try ConfigJSON.checkProbability(classifierDropout, "classifier_dropout", file: file)
        guard layerNormEpsilon > 0, layerNormEpsilon.isFinite else {
            throw fail("layer_norm_epsilon", "expected a positive number, found \(layerNormEpsilon)")
        }
        for (key, id) in [("bos_token_id", bosTokenId), ("eos_token_id", eosTokenId), ("pad_token_id", padTokenId)] {
            if let id, !(0..<vocabSize).contains(id) {
                throw fail(key, "expected an id in 0..<\(vocabSize) (vocab_size), found \(id)")
            }
        }
    }

    /// The architecture in a few lines, for `inspect`.
    public var summary: [String] {
        [
            "layers \(nLayer), hidden \(nEmbd), heads \(nHead) × \(headSize), MLP \(innerSize), "
                + "activation \(activationFunction)",
            "vocabulary \(vocabSize), positions \(nPositions), layer-norm ε \(layerNormEpsilon), "
                + "word embeddings \(tieWordEmbeddings ? "tied to the LM head" : "untied")",
            "dropout residual \(residPdrop), embeddings \(embdPdrop), attention \(attnPdrop)"
                + (classifierDropout.map { ", classifier \($0)" } ?? ""),
        ]
    }
}
