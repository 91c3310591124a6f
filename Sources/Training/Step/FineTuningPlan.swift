import Foundation
import Model

/// What trains at each step, and each group's learning-rate factor — freezing, gradual
/// unfreezing (ULMFiT), LoRA and discriminative (layer-wise) learning rates.
///
/// A pure function of the options and the step, so every rank changes what trains at the
/// same step without a message: the decision is the same computation everywhere.
public struct FineTuningPlan: Equatable, Sendable {
    public let layers: Int
    public let freezeEmbeddings: Bool
    public let freezeLayers: Int
    /// Steps per unfreezing stage (nil: no gradual unfreezing).
    public let unfreezeEvery: Int?
    public let usesLoRA: Bool
    public let layerLearningRateDecay: Double

    public init(
        layers: Int, freezeEmbeddings: Bool = false, freezeLayers: Int = 0, unfreezeEvery: Int? = nil,
        usesLoRA: Bool = false, layerLearningRateDecay: Double = 1
    ) {
        self.layers = layers
        self.freezeEmbeddings = freezeEmbeddings
        self.freezeLayers = freezeLayers
        self.unfreezeEvery = unfreezeEvery
        self.usesLoRA = usesLoRA
        self.layerLearningRateDecay = layerLearningRateDecay
    }

    /// What trains during step `step` (0-based).
    ///
    /// - LoRA: the adapters and the classifier; every pretrained weight (pooler included, as
    ///   PEFT) is frozen.
    /// - Gradual unfreezing: stage s = step / unfreezeEvery trains the head, the pooler and
    ///   the top s layers; stage L + 1 adds the embeddings.
    /// - `freezeLayers` / `freezeEmbeddings` hold their parts frozen throughout; freezing
    ///   any layer freezes the embeddings below it too.
    public func trainable(atStep step: Int) -> TrainableGroups {
        if usesLoRA {
            return TrainableGroups(
                embeddings: false, layers: Array(repeating: false, count: layers),
                pooler: false, head: true, adapters: true)
        }
        let stage = unfreezeEvery.map { step / max($0, 1) } ?? Int.max
        let lowestUnfrozen = max(freezeLayers, layers - min(stage, layers))
        return TrainableGroups(
            embeddings: !freezeEmbeddings && freezeLayers == 0 && stage > layers,
            layers: (0..<layers).map { $0 >= lowestUnfrozen },
            pooler: true, head: true, adapters: false)
    }

    /// The factor on the base learning rate: 1 for the head and pooler, F^(L − i) for
    /// layer i, F^(L + 1) for the embeddings (as ELECTRA's layer-wise decay).
    public func learningRateScale(_ group: ParameterGroup) -> Float {
        let f = layerLearningRateDecay
        switch group {
        case .head, .pooler: return 1
        case .layer(let i): return Float(pow(f, Double(layers - i)))
        case .embeddings: return Float(pow(f, Double(layers + 1)))
        }
    }
}
