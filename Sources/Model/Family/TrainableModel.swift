/// What training drives a model through, whatever its family: one replica per rank, its
/// parameters and gradients in slabs laid out by `parameterTable`, activations reserved once
/// for the largest batch, forward and backward passes over packed batches, and weights in and
/// out in Hugging Face layout. `BertModel` is the first family; `ModelFamilies` makes one
/// from a `config.json`.
public protocol TrainableModel: AnyObject, Sendable {
    /// Every parameter with its name, shape, group and layer — what freezing, gradual
    /// unfreezing, layer-wise rates, weight-decay groups and checkpoints work from.
    var parameterTable: ParameterTable { get }
    var parameters: FloatSlab { get }
    var gradients: FloatSlab { get }
    /// The head on the body (its shape), and the LoRA adapters when there are any.
    var head: TaskHead { get }
    var lora: LoRAConfiguration? { get }
    /// Transformer layers, bottom to top (`ParameterGroup.layer(0 ..< layerCount)`).
    var layerCount: Int { get }
    /// The threads the model computes with (and optimizer kernels may share).
    var pool: ThreadPool { get }
    /// The head's output of the last forward pass and the gradient a loss writes into it,
    /// `[rows × outputs]` (a row per sequence or per token, as `head` has it).
    var logits: Logits { get }

    /// Allocates activations for batches of up to `maxSequences` sequences and `maxTokens`
    /// tokens, none longer than `maxLength`; once, before the first step.
    func reserve(maxSequences: Int, maxTokens: Int, maxLength: Int)
    /// Runs body and head on `batch`; `dropout` nil is evaluation.
    func forward(_ batch: PackedBatch, dropout: DropoutKey?)
    /// Back-propagates `logits.gradient`, adding into `gradients` for the groups in
    /// `trainable`; `observer` hears each group as soon as its gradients are final.
    func backward(_ batch: PackedBatch, dropout: DropoutKey?, trainable: TrainableGroups, observer: GradientObserver?)

    /// Reads Hugging Face weights; `loadHead: false` leaves the head to be initialised
    /// (the report lists what the file did not provide).
    func loadWeights(from file: SafeTensorsFile, loadHead: Bool) throws -> WeightLoadReport
    /// Writes the weights in Hugging Face layout (adapters merged).
    func saveWeights(to path: String) throws
    /// LoRA adapters: fresh (PEFT's initialisation), saved and read in PEFT's form.
    func initializeAdapters(seed: UInt64)
    func saveAdapters(to path: String) throws
    func loadAdapters(from file: SafeTensorsFile) throws
    /// `config` as it is saved with this model: the family's fields, architecture, labels.
    func savedConfig(_ config: HuggingFaceConfig) -> HuggingFaceConfig

    // MARK: Input gradients (integrated gradients)

    /// The word-embedding table `[V, C]` (`word_embeddings`, GPT-2's `wte`).
    var wordEmbeddings: MatrixView { get }
    /// When set, `forward` takes row r of this `[N, C]` buffer in place of the word-embedding
    /// row of token r (position and token-type embeddings are still added); nil: the lookup.
    var wordEmbeddingOverride: UnsafePointer<Float>? { get set }
    /// After an evaluation `forward` (dropout nil), back-propagates `logits.gradient` to the
    /// word-embedding rows: writes ∂/∂row `[N, C]` into `inputGradient` (`=`). Only the
    /// embeddings group's parameter gradients are touched (`+=`, a side effect callers ignore).
    func backwardToWordEmbeddings(_ batch: PackedBatch, inputGradient: MatrixView)
}

extension TrainableModel {
    /// The backward pass with only the embeddings "training": every layer passes its input
    /// gradient down and no layer, pooler or head computes weight gradients.
    func inputGradientGroups() -> TrainableGroups {
        TrainableGroups(
            embeddings: true, layers: Array(repeating: false, count: layerCount), pooler: false, head: false,
            adapters: false)
    }
}

/// A head's output buffer and its gradient: `[rows × outputs]`.
public struct Logits {
    public let values: UnsafeMutablePointer<Float>
    public let gradient: UnsafeMutablePointer<Float>
    public let outputs: Int
    /// The model's threads, for a loss over many rows (a language model's vocabulary).
    public let pool: ThreadPool

    public init(
        values: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>, outputs: Int,
        pool: ThreadPool = .serial
    ) {
        self.values = values
        self.gradient = gradient
        self.outputs = outputs
        self.pool = pool
    }
}
