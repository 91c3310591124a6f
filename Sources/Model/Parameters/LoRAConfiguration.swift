/// The linear layers of an encoder layer that can carry a LoRA adapter, named as PEFT's
/// `target_modules` name them for BERT.
public enum LoRATarget: String, CaseIterable, Sendable, Codable {
    case query
    case key
    case value
    /// `attention.output.dense`
    case attentionOutput = "attention.output.dense"
    /// `intermediate.dense`
    case intermediate = "intermediate.dense"
    /// `output.dense`
    case output = "output.dense"

    /// The Hugging Face module path inside `encoder.layer.i.`.
    public var modulePath: String {
        switch self {
        case .query, .key, .value: "attention.self." + rawValue
        default: rawValue
        }
    }
}

/// LoRA (Hu et al. 2021): each target linear layer `y = x·Wᵀ + b` becomes
/// `y = x·Wᵀ + b + (α/r)·(x·Aᵀ)·Bᵀ` with `A` `[r, in]` and `B` `[out, r]`; `W` stays frozen,
/// `A` and `B` train. As in PEFT, `A` starts Kaiming-uniform and `B` at zero, so training
/// starts from the pretrained function; without dropout on the adapter input.
public struct LoRAConfiguration: Equatable, Sendable {
    public var rank: Int
    public var alpha: Float
    public var targets: [LoRATarget]

    public init(rank: Int, alpha: Float, targets: [LoRATarget]) {
        self.rank = rank
        self.alpha = alpha
        self.targets = targets
    }

    /// α / r, the factor on the adapter's output.
    public var scale: Float { alpha / Float(rank) }
}

/// Index of a target in `LayerAdapters.pairs` and `LayerCache.adapterInputs`.
enum LoRAIndex {
    static func of(_ target: LoRATarget) -> Int {
        switch target {
        case .query: 0
        case .key: 1
        case .value: 2
        case .attentionOutput: 3
        case .intermediate: 4
        case .output: 5
        }
    }
}
