/// The architecture of a GPT-2 decoder, as the fields of a Hugging Face `config.json`
/// (`GPT2Config`) name them; defaults are transformers'.
///
/// Reading and writing `config.json` lives in `GPT2Config+HuggingFace.swift`.
public struct GPT2Config: Equatable, Sendable {
    /// `vocab_size`: V, rows of `wte` (and of the tied language-model head).
    public var vocabSize: Int
    /// `n_embd`: C, the width of every token's hidden state.
    public var nEmbd: Int
    /// `n_layer`: L, the number of blocks.
    public var nLayer: Int
    /// `n_head`: NH; `nEmbd` must be a multiple of it.
    public var nHead: Int
    /// `n_positions`: rows of `wpe`, the longest input.
    public var nPositions: Int
    /// `n_inner`: F, the MLP width; `nil` means 4·C.
    public var nInner: Int?
    /// `layer_norm_epsilon`.
    public var layerNormEpsilon: Float
    /// `activation_function`: `gelu_new` or `gelu_pytorch_tanh` (the tanh form) or `gelu`
    /// (the exact erf form); written back as given.
    public var activationFunction: String
    /// `resid_pdrop`: dropout on each block's two residual branches.
    public var residPdrop: Float
    /// `embd_pdrop`: dropout on the embedding sum.
    public var embdPdrop: Float
    /// `attn_pdrop`: dropout on the attention probabilities.
    public var attnPdrop: Float
    /// `classifier_dropout`: before a token classifier; `nil` means 0.1, as transformers'
    /// `GPT2ForTokenClassification` takes it (`hidden_dropout` is not a GPT-2 field).
    public var classifierDropout: Float?
    /// `scale_attn_weights`: scores divided by √HS (true in every released GPT-2).
    public var scaleAttnWeights: Bool
    /// `tie_word_embeddings`: the language-model head is `wte` itself (no `lm_head.weight`).
    public var tieWordEmbeddings: Bool
    /// `bos_token_id`, `eos_token_id` (`<|endoftext|>`, 50256 in GPT-2's vocabulary); `nil`
    /// when the file has none.
    public var bosTokenId: Int?
    public var eosTokenId: Int?
    /// `pad_token_id`: GPT-2 has none; kept when a config sets it.
    public var padTokenId: Int?

    public init(
        vocabSize: Int, nEmbd: Int, nLayer: Int, nHead: Int, nPositions: Int = 1024, nInner: Int? = nil,
        layerNormEpsilon: Float = 1e-5, activationFunction: String = "gelu_new", residPdrop: Float = 0.1,
        embdPdrop: Float = 0.1, attnPdrop: Float = 0.1, classifierDropout: Float? = nil,
        scaleAttnWeights: Bool = true, tieWordEmbeddings: Bool = true, bosTokenId: Int? = 50256,
        eosTokenId: Int? = 50256, padTokenId: Int? = nil
    ) {
        self.vocabSize = vocabSize
        self.nEmbd = nEmbd
        self.nLayer = nLayer
        self.nHead = nHead
        self.nPositions = nPositions
        self.nInner = nInner
        self.layerNormEpsilon = layerNormEpsilon
        self.activationFunction = activationFunction
        self.residPdrop = residPdrop
        self.embdPdrop = embdPdrop
        self.attnPdrop = attnPdrop
        self.classifierDropout = classifierDropout
        self.scaleAttnWeights = scaleAttnWeights
        self.tieWordEmbeddings = tieWordEmbeddings
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
        self.padTokenId = padTokenId
    }

    /// HS, the width of one attention head.
    public var headSize: Int { nEmbd / nHead }
    /// F, the MLP's inner width.
    public var innerSize: Int { nInner ?? 4 * nEmbd }
    /// The GELU form `activationFunction` names, `nil` for one this project does not have.
    public var activation: GELUForm? { GELUForm(activationFunction: activationFunction) }
}
