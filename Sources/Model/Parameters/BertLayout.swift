/// Views of one encoder layer's parameters (or of their gradients, or optimizer moments:
/// the same offsets address every slab laid out by the same `ParameterTable`).
///
/// Query, key and value are adjacent in the slab, so `qkvWeight` is one `[3C, C]` matrix
/// and `qkvBias` one `[3C]` vector: the three projections run as a single GEMM. On disk
/// they are still the three Hugging Face tensors.
public struct BertLayerWeights: @unchecked Sendable {
    public var qkvWeight: UnsafeMutablePointer<Float>  // [3C, C]
    public var qkvBias: UnsafeMutablePointer<Float>  // [3C]
    public var attentionOutputWeight: UnsafeMutablePointer<Float>  // [C, C]
    public var attentionOutputBias: UnsafeMutablePointer<Float>  // [C]
    public var attentionNormWeight: UnsafeMutablePointer<Float>  // [C]
    public var attentionNormBias: UnsafeMutablePointer<Float>  // [C]
    public var intermediateWeight: UnsafeMutablePointer<Float>  // [F, C]
    public var intermediateBias: UnsafeMutablePointer<Float>  // [F]
    public var outputWeight: UnsafeMutablePointer<Float>  // [C, F]
    public var outputBias: UnsafeMutablePointer<Float>  // [C]
    public var outputNormWeight: UnsafeMutablePointer<Float>  // [C]
    public var outputNormBias: UnsafeMutablePointer<Float>  // [C]
    /// LoRA adapters of this layer, by target (empty without LoRA).
    public var adapters: LayerAdapters = LayerAdapters()
}

/// The LoRA matrices of one layer: for each target, `A` `[r, in]` and `B` `[out, r]`.
public struct LayerAdapters: @unchecked Sendable {
    public struct Pair {
        public var a: UnsafeMutablePointer<Float>
        public var b: UnsafeMutablePointer<Float>
    }
    /// Indexed by `LoRATarget.allCases` order; a fixed array, so the step does no lookups.
    public var pairs: [Pair?] = Array(repeating: nil, count: LoRATarget.allCases.count)

    public subscript(target: LoRATarget) -> Pair? {
        get { pairs[LoRAIndex.of(target)] }
        set { pairs[LoRAIndex.of(target)] = newValue }
    }

    public var isEmpty: Bool { pairs.allSatisfy { $0 == nil } }
}

/// Views of all parameters of a BERT model with its head, over one slab.
public struct BertWeights: @unchecked Sendable {
    public var wordEmbeddings: UnsafeMutablePointer<Float>  // [V, C]
    public var positionEmbeddings: UnsafeMutablePointer<Float>  // [P, C]
    public var tokenTypeEmbeddings: UnsafeMutablePointer<Float>  // [TV, C]
    public var embeddingNormWeight: UnsafeMutablePointer<Float>  // [C]
    public var embeddingNormBias: UnsafeMutablePointer<Float>  // [C]
    public var layers: [BertLayerWeights]
    public var poolerWeight: UnsafeMutablePointer<Float>?  // [C, C]
    public var poolerBias: UnsafeMutablePointer<Float>?  // [C]
    public var classifierWeight: UnsafeMutablePointer<Float>?  // [K, C]
    public var classifierBias: UnsafeMutablePointer<Float>?  // [K]
}

/// The parameter table of a BERT model and the views it gives over any slab.
public struct BertLayout: Sendable {
    public let config: BertConfig
    public let head: TaskHead
    public let lora: LoRAConfiguration?
    public let table: ParameterTable

    /// With `lora`, each layer's group also holds the adapters of its targets, after the
    /// layer's own parameters (so a layer's gradients, adapters included, still complete
    /// together in the backward pass).
    public init(config: BertConfig, head: TaskHead, lora: LoRAConfiguration? = nil) {
        self.config = config
        self.head = head
        self.lora = lora
        let c = config.hiddenSize, f = config.intermediateSize
        let p = BertFamily.keyPrefix(head)
        var t = ParameterTable()
        t.append(p + "embeddings.word_embeddings.weight", shape: [config.vocabSize, c], group: .embeddings)
        t.append(
            p + "embeddings.position_embeddings.weight", shape: [config.maxPositionEmbeddings, c], group: .embeddings)
        t.append(p + "embeddings.token_type_embeddings.weight", shape: [config.typeVocabSize, c], group: .embeddings)
        t.append(p + "embeddings.LayerNorm.weight", shape: [c], group: .embeddings)
        t.append(p + "embeddings.LayerNorm.bias", shape: [c], group: .embeddings)
        for i in 0..<config.numHiddenLayers {
            let l = p + "encoder.layer.\(i)."
            let g = ParameterGroup.layer(i)
            // Weights of query, key, value first and then their biases: the fused QKV layout.
            for name in ["query", "key", "value"] {
                t.append(l + "attention.self.\(name).weight", shape: [c, c], group: g)
            }
            for name in ["query", "key", "value"] {
                t.append(l + "attention.self.\(name).bias", shape: [c], group: g)
            }
            t.append(l + "attention.output.dense.weight", shape: [c, c], group: g)
            t.append(l + "attention.output.dense.bias", shape: [c], group: g)
            t.append(l + "attention.output.LayerNorm.weight", shape: [c], group: g)
            t.append(l + "attention.output.LayerNorm.bias", shape: [c], group: g)
            t.append(l + "intermediate.dense.weight", shape: [f, c], group: g)
            t.append(l + "intermediate.dense.bias", shape: [f], group: g)
            t.append(l + "output.dense.weight", shape: [c, f], group: g)
            t.append(l + "output.dense.bias", shape: [c], group: g)
            t.append(l + "output.LayerNorm.weight", shape: [c], group: g)
            t.append(l + "output.LayerNorm.bias", shape: [c], group: g)
            for target in lora?.targets ?? [] {
                let (fanIn, fanOut) = BertLayout.shape(of: target, config: config)
                t.append(
                    l + target.modulePath + ".lora_A.weight", shape: [lora!.rank, fanIn], group: g, isAdapter: true)
                t.append(
                    l + target.modulePath + ".lora_B.weight", shape: [fanOut, lora!.rank], group: g, isAdapter: true)
            }
        }
        if BertLayout.hasPooler(head, config) {
            t.append(p + "pooler.dense.weight", shape: [c, c], group: .pooler)
            t.append(p + "pooler.dense.bias", shape: [c], group: .pooler)
        }
        if head.labelCount > 0 {
            t.append("classifier.weight", shape: [head.labelCount, c], group: .head)
            t.append("classifier.bias", shape: [head.labelCount], group: .head)
        }
        table = t
    }

    /// Whether the model has BERT's pooler: the bare body and a sequence head on `[CLS]` (a
    /// mean-pooled sequence head has none, `BertConfig.classifierPooling`).
    static func hasPooler(_ head: TaskHead, _ config: BertConfig) -> Bool {
        head.hasPooler && (head.savesBareBody || config.classifierPooling == .cls)
    }

    /// Columns of the model's output rows: the labels of a classifier, the embedding width of
    /// an embedding head (0 for the bare body).
    public var headOutputs: Int {
        head.sentencePooling?.dimension(hiddenSize: config.hiddenSize) ?? head.labelCount
    }

    /// Views of every parameter inside the slab starting at `base` (parameters, gradients or
    /// moments alike).
    public func weights(at base: UnsafeMutablePointer<Float>) -> BertWeights {
        let p = BertFamily.keyPrefix(head)
        func at(_ name: String) -> UnsafeMutablePointer<Float> {
            guard let e = table[name] else { preconditionFailure("BertLayout: no parameter \(name)") }
            return base + e.offset
        }
        let layers = (0..<config.numHiddenLayers).map { i -> BertLayerWeights in
            let l = p + "encoder.layer.\(i)."
            var adapters = LayerAdapters()
            for target in lora?.targets ?? [] {
                adapters[target] = LayerAdapters.Pair(
                    a: at(l + target.modulePath + ".lora_A.weight"),
                    b: at(l + target.modulePath + ".lora_B.weight"))
            }
            return BertLayerWeights(
                qkvWeight: at(l + "attention.self.query.weight"),
                qkvBias: at(l + "attention.self.query.bias"),
                attentionOutputWeight: at(l + "attention.output.dense.weight"),
                attentionOutputBias: at(l + "attention.output.dense.bias"),
                attentionNormWeight: at(l + "attention.output.LayerNorm.weight"),
                attentionNormBias: at(l + "attention.output.LayerNorm.bias"),
                intermediateWeight: at(l + "intermediate.dense.weight"),
                intermediateBias: at(l + "intermediate.dense.bias"),
                outputWeight: at(l + "output.dense.weight"),
                outputBias: at(l + "output.dense.bias"),
                outputNormWeight: at(l + "output.LayerNorm.weight"),
                outputNormBias: at(l + "output.LayerNorm.bias"),
                adapters: adapters)
        }
        return BertWeights(
            wordEmbeddings: at(p + "embeddings.word_embeddings.weight"),
            positionEmbeddings: at(p + "embeddings.position_embeddings.weight"),
            tokenTypeEmbeddings: at(p + "embeddings.token_type_embeddings.weight"),
            embeddingNormWeight: at(p + "embeddings.LayerNorm.weight"),
            embeddingNormBias: at(p + "embeddings.LayerNorm.bias"),
            layers: layers,
            poolerWeight: BertLayout.hasPooler(head, config) ? at(p + "pooler.dense.weight") : nil,
            poolerBias: BertLayout.hasPooler(head, config) ? at(p + "pooler.dense.bias") : nil,
            classifierWeight: head.labelCount > 0 ? at("classifier.weight") : nil,
            classifierBias: head.labelCount > 0 ? at("classifier.bias") : nil)
    }

    /// (in, out) features of a LoRA target's linear layer.
    public static func shape(of target: LoRATarget, config: BertConfig) -> (fanIn: Int, fanOut: Int) {
        switch target {
        case .query, .key, .value, .attentionOutput: (config.hiddenSize, config.hiddenSize)
        case .intermediate: (config.hiddenSize, config.intermediateSize)
        case .output: (config.intermediateSize, config.hiddenSize)
        case .fusedAttention, .attentionProjection, .mlpInput, .mlpProjection:
            preconditionFailure("BertLayout: \(target) is a GPT-2 target (BertFamily.check refuses it)")
        }
    }

    /// The table name of the base weight a target adapts in layer `layer`.
    public func baseWeightName(_ target: LoRATarget, layer: Int) -> String {
        BertFamily.keyPrefix(head) + "encoder.layer.\(layer)." + target.modulePath + ".weight"
    }
}
