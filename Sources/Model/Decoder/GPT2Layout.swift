/// Views of one GPT-2 block's parameters (or of their gradients or optimizer moments: the
/// same offsets address every slab laid out by the same `ParameterTable`).
///
/// The four projections are held `[out, in]` like a `Linear`'s, the transpose of the
/// `Conv1D` `[in, out]` they are saved as: the GEMMs cost the same either way, and this
/// way the block reuses `Linear` and `LowRankAdapter` as they are. Loading and saving
/// transpose (`GPT2Layout.isConv1D`).
public struct GPT2BlockWeights: @unchecked Sendable {
    public var norm1Weight: UnsafeMutablePointer<Float>  // ln_1 [C]
    public var norm1Bias: UnsafeMutablePointer<Float>  // [C]
    public var attentionWeight: UnsafeMutablePointer<Float>  // c_attn [3C, C]: rows q | k | v
    public var attentionBias: UnsafeMutablePointer<Float>  // [3C]
    public var attentionProjectionWeight: UnsafeMutablePointer<Float>  // attn.c_proj [C, C]
    public var attentionProjectionBias: UnsafeMutablePointer<Float>  // [C]
    public var norm2Weight: UnsafeMutablePointer<Float>  // ln_2 [C]
    public var norm2Bias: UnsafeMutablePointer<Float>  // [C]
    public var mlpInputWeight: UnsafeMutablePointer<Float>  // c_fc [F, C]
    public var mlpInputBias: UnsafeMutablePointer<Float>  // [F]
    public var mlpProjectionWeight: UnsafeMutablePointer<Float>  // mlp.c_proj [C, F]
    public var mlpProjectionBias: UnsafeMutablePointer<Float>  // [C]
    /// LoRA adapters of this block, by target (empty without LoRA).
    public var adapters = LayerAdapters()
}

/// Views of all parameters of a GPT-2 model with its head, over one slab.
public struct GPT2Weights: @unchecked Sendable {
    public var tokenEmbeddings: UnsafeMutablePointer<Float>  // wte [V, C]
    public var positionEmbeddings: UnsafeMutablePointer<Float>  // wpe [P, C]
    public var blocks: [GPT2BlockWeights]
    public var finalNormWeight: UnsafeMutablePointer<Float>  // ln_f [C]
    public var finalNormBias: UnsafeMutablePointer<Float>  // [C]
    /// The language-model head's `[V, C]` matrix: `lm_head.weight`, or `wte` when tied.
    public var languageModelWeight: UnsafeMutablePointer<Float>?
    /// `score.weight` `[K, C]` (sequence head, no bias) or `classifier.weight` `[K, C]` and
    /// `classifier.bias` `[K]` (token head).
    public var classifierWeight: UnsafeMutablePointer<Float>?
    public var classifierBias: UnsafeMutablePointer<Float>?
}

/// The parameter table of a GPT-2 model and the views it gives over any slab.
///
/// Groups: `embeddings` (`wte`, `wpe`), `layer(i)` (block i, its adapters after it),
/// `pooler` (`ln_f`: the body's top above its layers, which plays the part BERT's pooler
/// does for freezing — trained from the first stage of gradual unfreezing, frozen under
/// LoRA as PEFT freezes it — though it pools nothing), `head` (`lm_head`, `score` or
/// `classifier`). Names are the Hugging Face keys of the head's class:
/// `transformer.h.0.attn.c_attn.weight` under a head, `h.0.attn.c_attn.weight` for the bare
/// `GPT2Model`. Weight decay as the HF Trainer: none on biases and LayerNorm weights.
public struct GPT2Layout: Sendable {
    public let config: GPT2Config
    public let head: TaskHead
    public let lora: LoRAConfiguration?
    public let table: ParameterTable

    public init(config: GPT2Config, head: TaskHead, lora: LoRAConfiguration? = nil) {
        self.config = config
        self.head = head
        self.lora = lora
        let c = config.nEmbd, f = config.innerSize
        let p = GPT2Family.keyPrefix(head)
        var t = ParameterTable()
        t.append(p + "wte.weight", shape: [config.vocabSize, c], group: .embeddings)
        t.append(p + "wpe.weight", shape: [config.nPositions, c], group: .embeddings)
        for i in 0..<config.nLayer {
            let b = p + "h.\(i).", g = ParameterGroup.layer(i)
            t.append(b + "ln_1.weight", shape: [c], group: g, decays: false)
            t.append(b + "ln_1.bias", shape: [c], group: g)
            t.append(b + "attn.c_attn.weight", shape: [3 * c, c], group: g)
            t.append(b + "attn.c_attn.bias", shape: [3 * c], group: g)
            t.append(b + "attn.c_proj.weight", shape: [c, c], group: g)
            t.append(b + "attn.c_proj.bias", shape: [c], group: g)
            t.append(b + "ln_2.weight", shape: [c], group: g, decays: false)
            t.append(b + "ln_2.bias", shape: [c], group: g)
            t.append(b + "mlp.c_fc.weight", shape: [f, c], group: g)
            t.append(b + "mlp.c_fc.bias", shape: [f], group: g)
            t.append(b + "mlp.c_proj.weight", shape: [c, f], group: g)
            t.append(b + "mlp.c_proj.bias", shape: [c], group: g)
            for target in lora?.targets ?? [] {
                let (fanIn, fanOut) = GPT2Layout.shape(of: target, config: config)
                let m = b + target.modulePath
                t.append(m + ".lora_A.weight", shape: [lora!.rank, fanIn], group: g, isAdapter: true)
                t.append(m + ".lora_B.weight", shape: [fanOut, lora!.rank], group: g, isAdapter: true)
            }
        }
        t.append(p + "ln_f.weight", shape: [c], group: .pooler, decays: false)
        t.append(p + "ln_f.bias", shape: [c], group: .pooler)
        switch head {
        case .none, .embedding: break
        case .languageModel:
            if !config.tieWordEmbeddings { t.append("lm_head.weight", shape: [config.vocabSize, c], group: .head) }
        case .sequence(let k):
            t.append("score.weight", shape: [k, c], group: .head)
        case .token(let k):
            t.append("classifier.weight", shape: [k, c], group: .head)
            t.append("classifier.bias", shape: [k], group: .head)
        }
        table = t
    }

    /// Whether `name` (a table name) is a `Conv1D` weight, saved `[in, out]`.
    public static func isConv1D(_ name: String) -> Bool {
        ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"].contains {
            name.hasSuffix("." + $0)
        }
    }

    /// Whether `name` belongs to the head proper (not the body, whose keys carry the prefix).
    public static func isHeadParameter(_ name: String) -> Bool {
        ["lm_head.weight", "score.weight", "classifier.weight", "classifier.bias"].contains(name)
    }

    /// Views of every parameter inside the slab starting at `base`.
    public func weights(at base: UnsafeMutablePointer<Float>) -> GPT2Weights {
        let p = GPT2Family.keyPrefix(head)
        func at(_ name: String) -> UnsafeMutablePointer<Float> {
            guard let e = table[name] else { preconditionFailure("GPT2Layout: no parameter \(name)") }
            return base + e.offset
        }
        let blocks = (0..<config.nLayer).map { i -> GPT2BlockWeights in
            let b = p + "h.\(i)."
            var adapters = LayerAdapters()
            for target in lora?.targets ?? [] {
                adapters[target] = LayerAdapters.Pair(
                    a: at(b + target.modulePath + ".lora_A.weight"), b: at(b + target.modulePath + ".lora_B.weight"))
            }
            return GPT2BlockWeights(
                norm1Weight: at(b + "ln_1.weight"), norm1Bias: at(b + "ln_1.bias"),
                attentionWeight: at(b + "attn.c_attn.weight"), attentionBias: at(b + "attn.c_attn.bias"),
                attentionProjectionWeight: at(b + "attn.c_proj.weight"),
                attentionProjectionBias: at(b + "attn.c_proj.bias"),
                norm2Weight: at(b + "ln_2.weight"), norm2Bias: at(b + "ln_2.bias"),
                mlpInputWeight: at(b + "mlp.c_fc.weight"), mlpInputBias: at(b + "mlp.c_fc.bias"),
                mlpProjectionWeight: at(b + "mlp.c_proj.weight"), mlpProjectionBias: at(b + "mlp.c_proj.bias"),
                adapters: adapters)
        }
        var weights = GPT2Weights(
            tokenEmbeddings: at(p + "wte.weight"), positionEmbeddings: at(p + "wpe.weight"), blocks: blocks,
            finalNormWeight: at(p + "ln_f.weight"), finalNormBias: at(p + "ln_f.bias"))
        switch head {
        case .none, .embedding: break
        case .languageModel:
            weights.languageModelWeight = config.tieWordEmbeddings ? weights.tokenEmbeddings : at("lm_head.weight")
        case .sequence:
            weights.classifierWeight = at("score.weight")
        case .token:
            weights.classifierWeight = at("classifier.weight")
            weights.classifierBias = at("classifier.bias")
        }
        return weights
    }

    /// (in, out) features of a LoRA target's projection.
    public static func shape(of target: LoRATarget, config: GPT2Config) -> (fanIn: Int, fanOut: Int) {
        let c = config.nEmbd, f = config.innerSize
        switch target {
        case .fusedAttention: return (c, 3 * c)
        case .attentionProjection: return (c, c)
        case .mlpInput: return (c, f)
        case .mlpProjection: return (f, c)
        default: preconditionFailure("GPT2Layout: \(target) is a BERT target (GPT2Family.check refuses it)")
        }
    }

    /// The table name of the base weight a target adapts in block `layer`.
    public func baseWeightName(_ target: LoRATarget, layer: Int) -> String {
        GPT2Family.keyPrefix(head) + "h.\(layer)." + target.modulePath + ".weight"
    }
}
