/// The part of a sentence-transformers pipeline after the transformer: pooling (one or more
/// modes, concatenated) and optionally L2 normalisation — what `modules.json` lists after its
/// `Transformer` module. The head of an embedding model (`TaskHead.embedding`): the model's
/// output row per sequence is the sentence embedding, `[B, dimension(hiddenSize:)]`.
public struct SentencePooling: Equatable, Sendable {
    /// The modes in the order their outputs are concatenated: `PoolingMode.allCases` order for
    /// the `pooling_mode_*` flags of sentence-transformers before 6, the listed order for
    /// 6's `pooling_mode` list.
    public let modes: [PoolingMode]
    /// Whether a `Normalize` module follows the pooling.
    public var normalize: Bool
    /// `include_prompt` of the pooling config: whether prompt tokens count in the pooling
    /// (ddp-train adds no prompts of its own, so this only round-trips).
    public var includePrompt: Bool

    /// At least one mode, without repeats.
    public init(modes: [PoolingMode], normalize: Bool, includePrompt: Bool = true) {
        precondition(
            !modes.isEmpty && Set(modes).count == modes.count, "SentencePooling: pooling modes \(modes)")
        self.modes = modes
        self.normalize = normalize
        self.includePrompt = includePrompt
    }

    /// all-MiniLM-L6-v2's pipeline: mean pooling, then normalisation.
    public static let meanNormalized = SentencePooling(modes: [.mean], normalize: true)

    /// Columns of the embedding for an encoder of width `hiddenSize`.
    public func dimension(hiddenSize: Int) -> Int { hiddenSize * modes.count }

    /// "mean + normalize", for messages and `inspect`.
    public var summary: String {
        modes.map(\.name).joined(separator: " + ") + (normalize ? " + normalize" : "")
    }
}
