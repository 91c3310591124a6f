/// What trains. Frozen parameters get no weight-gradient GEMMs at all, and the backward
/// pass stops below the lowest layer with anything to train.
///
/// Groups (`embeddings`, each layer, `pooler`, `head`) say whether the model's own
/// parameters train; `adapters` whether the LoRA adapters (of every layer that has them) do.
public struct TrainableGroups: Equatable, Sendable {
    public var embeddings: Bool
    public var layers: [Bool]
    public var pooler: Bool
    public var head: Bool
    public var adapters: Bool

    /// Everything trains (LoRA adapters too, if the model has any).
    public static func all(layers: Int) -> TrainableGroups {
        TrainableGroups(embeddings: true, layers: Array(repeating: true, count: layers), pooler: true, head: true)
    }

    public init(embeddings: Bool, layers: [Bool], pooler: Bool, head: Bool, adapters: Bool = true) {
        self.embeddings = embeddings
        self.layers = layers
        self.pooler = pooler
        self.head = head
        self.adapters = adapters
    }

    /// Whether the model's own parameters of `group` train.
    public func contains(_ group: ParameterGroup) -> Bool {
        switch group {
        case .embeddings: embeddings
        case .layer(let i): layers[i]
        case .pooler: pooler
        case .head: head
        }
    }

    /// Whether `entry` trains.
    public func contains(_ entry: ParameterEntry) -> Bool {
        entry.isAdapter ? adapters : contains(entry.group)
    }

    /// The lowest encoder layer the backward pass must visit: `0` when the embeddings
    /// train or adapters (which every layer carries) do, else the lowest layer that trains,
    /// else `layers.count` (the encoder needs no gradient at all).
    public func lowestLayerInBackward(hasAdapters: Bool) -> Int {
        embeddings || (adapters && hasAdapters) ? 0 : (layers.firstIndex(of: true) ?? layers.count)
    }
}

/// Told by the backward pass as each group's gradients are final, so their reduction can
/// start while lower layers still compute; `poll` is called between heavy kernels to let
/// nonblocking communication progress.
public protocol GradientObserver: AnyObject {
    func gradientsReady(_ group: ParameterGroup)
    func poll()
}
