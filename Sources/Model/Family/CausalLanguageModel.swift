/// A model that continues token sequences one token at a time, keeping each sequence's
/// attention keys and values so a new token costs one position's work. What the generate
/// command drives, whatever the family:
///
///     let cache = model.makeCache(maxSequences: prompts.count, maxLength: 128)
///     var logits = try model.prefill(prompts, cache: cache)     // [S, V], each prompt's last position
///     logits = try model.step(next, sequences: Array(0..<S), cache: cache)   // one token each
///
/// The logits equal (to float rounding) the last position's logits of a full forward pass
/// over the same tokens. The returned view lives in the cache and is overwritten by the next
/// call.
public protocol CausalLanguageModel: AnyObject {
    /// V, the columns of the logits.
    var vocabularySize: Int { get }
    /// The longest sequence the model accepts (prompt and continuation).
    var maxPositions: Int { get }
    /// The end-of-sequence id from the config, if it has one.
    var endOfSequenceId: Int32? { get }
    /// A cache for up to `maxSequences` sequences of up to `maxLength` tokens each.
    func makeCache(maxSequences: Int, maxLength: Int) throws(GenerationError) -> KeyValueCache
    /// Empties `cache` and starts one sequence per prompt (none empty); returns each
    /// prompt's next-token logits, `[prompts.count, V]`.
    func prefill(_ prompts: [[Int32]], cache: KeyValueCache) throws(GenerationError) -> MatrixView
    /// Appends `tokens[i]` to sequence `sequences[i]` (distinct indices of started
    /// sequences; finished ones may be left out); returns `[tokens.count, V]`.
    func step(_ tokens: [Int32], sequences: [Int], cache: KeyValueCache) throws(GenerationError) -> MatrixView
}

/// A generation request the model cannot serve: the message says which and why.
public struct GenerationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Keys and values of every layer for a set of sequences, plus the model's working buffers
/// for one incremental call, allocated once by `CausalLanguageModel.makeCache`.
///
/// Layout: layer l, sequence s, position p is row `(l·S + s)·T + p` of `keys` and `values`
/// (`[layers·S·T, width]`, S = `maxSequences`, T = `maxLength`; a row holds every head).
public final class KeyValueCache: @unchecked Sendable {
    public let layers: Int
    public let maxSequences: Int
    public let maxLength: Int
    public let width: Int
    let keys: FloatSlab
    let values: FloatSlab
    /// The model's scratch for one call (its own layout).
    let workspace: FloatSlab
    /// Tokens held per sequence; `lengths.count` sequences started.
    public internal(set) var lengths: [Int] = []

    init(layers: Int, maxSequences: Int, maxLength: Int, width: Int, workspace: Int) {
        self.layers = layers
        self.maxSequences = maxSequences
        self.maxLength = maxLength
        self.width = width
        keys = FloatSlab(count: layers * maxSequences * maxLength * width)
        values = FloatSlab(count: layers * maxSequences * maxLength * width)
        self.workspace = FloatSlab(count: workspace)
    }

    /// The first row of layer `l`, sequence `s` in `keys` or `values`.
    func row(_ slab: FloatSlab, layer l: Int, sequence s: Int, position p: Int) -> UnsafeMutablePointer<Float> {
        slab.base + ((l * maxSequences + s) * maxLength + p) * width
    }
}
