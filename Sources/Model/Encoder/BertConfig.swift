/// The architecture of a BERT-family encoder, as the fields of a Hugging Face `config.json`
/// (`BertConfig`) name it. Labels and `problem_type` belong to every family and live in
/// `HuggingFaceConfig`.
///
/// Reading and writing `config.json` lives in `BertConfig+HuggingFace.swift`.
public struct BertConfig: Equatable, Sendable {
    /// `vocab_size`: rows of the word-embedding table.
    public var vocabSize: Int
    /// `hidden_size`: C, the width of every token's hidden state.
    public var hiddenSize: Int
    /// `num_hidden_layers`: L, the number of encoder layers.
    public var numHiddenLayers: Int
    /// `num_attention_heads`: NH; `hiddenSize` must be a multiple of it.
    public var numAttentionHeads: Int
    /// `intermediate_size`: F, the feed-forward width.
    public var intermediateSize: Int
    /// `hidden_act`: only the exact (erf) `"gelu"` is supported.
    public var hiddenAct: String
    /// `hidden_dropout_prob`: dropout after embeddings, attention output and feed-forward.
    public var hiddenDropoutProb: Float
    /// `attention_probs_dropout_prob`: dropout on the attention probabilities.
    public var attentionProbsDropoutProb: Float
    /// `classifier_dropout`: dropout before the classifier; `nil` means `hiddenDropoutProb`.
    public var classifierDropout: Float?
    /// `max_position_embeddings`: rows of the position-embedding table, the longest input.
    public var maxPositionEmbeddings: Int
    /// `type_vocab_size`: rows of the token-type (segment) embedding table.
    public var typeVocabSize: Int
    /// `layer_norm_eps`.
    public var layerNormEps: Float
    /// `pad_token_id`.
    public var padTokenId: Int
    /// `classifier_pooling` (the key ModernBERT's config uses; transformers' BERT has none):
    /// what a sequence head classifies — `.cls`, BERT's pooler on `[CLS]` (transformers'
    /// `BertForSequenceClassification`), or `.mean`, the mean of the last hidden states straight
    /// into dropout and the classifier, without the pooler (sentence-transformers bodies are
    /// trained for mean pooling). Written only when `.mean`.
    public var classifierPooling: PoolingMode = .cls

    public init(
        vocabSize: Int, hiddenSize: Int, numHiddenLayers: Int, numAttentionHeads: Int,
        intermediateSize: Int, hiddenAct: String = "gelu", hiddenDropoutProb: Float = 0.1,
        attentionProbsDropoutProb: Float = 0.1, classifierDropout: Float? = nil,
        maxPositionEmbeddings: Int = 512, typeVocabSize: Int = 2, layerNormEps: Float = 1e-12,
        padTokenId: Int = 0
    ) {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.intermediateSize = intermediateSize
        self.hiddenAct = hiddenAct
        self.hiddenDropoutProb = hiddenDropoutProb
        self.attentionProbsDropoutProb = attentionProbsDropoutProb
        self.classifierDropout = classifierDropout
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.typeVocabSize = typeVocabSize
        self.layerNormEps = layerNormEps
        self.padTokenId = padTokenId
    }

    /// HS, the width of one attention head.
    public var headSize: Int { hiddenSize / numAttentionHeads }
}
