/// The linear layers of a layer (block) that can carry a LoRA adapter, named as PEFT's
/// `target_modules` name them (BERT's first, then GPT-2's; each family takes its own).
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
    /// GPT-2's fused query/key/value projection `attn.c_attn`.
    case fusedAttention = "c_attn"
    /// GPT-2's attention output projection `attn.c_proj`.
    case attentionProjection = "attn.c_proj"
    /// GPT-2's MLP input `mlp.c_fc`.
    case mlpInput = "c_fc"
    /// GPT-2's MLP output `mlp.c_proj`.
    case mlpProjection = "mlp.c_proj"

    /// BERT's targets and GPT-2's.
    public static let bertTargets: [LoRATarget] = [.query, .key, .value, .attentionOutput, .intermediate, .output]
    public static let gpt2Targets: [LoRATarget] = [.fusedAttention, .attentionProjection, .mlpInput, .mlpProjection]

    /// Whether the adapted layer is a `Conv1D` (GPT-2), whose weight is saved `[in, out]`:
    /// PEFT then needs `fan_in_fan_out: true` to merge it.
    public var isConv1D: Bool { LoRATarget.gpt2Targets.contains(self) }

    /// The Hugging Face module path inside `encoder.layer.i.` (BERT) or `h.i.` (GPT-2).
    public var modulePath: String {
        switch self {
        case .query, .key, .value: "attention.self." + rawValue
        case .fusedAttention: "attn.c_attn"
        case .mlpInput: "mlp.c_fc"
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
        case .fusedAttention: 6
        case .attentionProjection: 7
        case .mlpInput: 8
        case .mlpProjection: 9
        }
    }
}
