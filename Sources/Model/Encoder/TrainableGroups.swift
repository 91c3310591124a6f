/// Which parameter groups train. Frozen groups get no weight-gradient GEMMs at all, and the
/// backward pass stops below the lowest group that trains.
public struct TrainableGroups: Equatable, Sendable {
    public var embeddings: Bool
    public var layers: [Bool]
    public var pooler: Bool
    public var head: Bool

    /// Everything trains.
    public static func all(layers: Int) -> TrainableGroups {
        TrainableGroups(embeddings: true, layers: Array(repeating: true, count: layers), pooler: true, head: true)
    }

    public init(embeddings: Bool, layers: [Bool], pooler: Bool, head: Bool) {
        self.embeddings = embeddings
        self.layers = layers
        self.pooler = pooler
        self.head = head
    }

    public func contains(_ group: ParameterGroup) -> Bool {
        switch group {
        case .embeddings: embeddings
        case .layer(let i): layers[i]
        case .pooler: pooler
        case .head: head
        }
    }

    /// The lowest encoder layer the backward pass must visit: `0` when the embeddings
    /// train, else the lowest layer that trains, else `layers.count` (the encoder needs no
    /// gradient at all).
    public var lowestLayerInBackward: Int {
        embeddings ? 0 : (layers.firstIndex(of: true) ?? layers.count)
    }
}

/// Told by the backward pass as each group's gradients are final, so their reduction can
/// start while lower layers still compute; `poll` is called between heavy kernels to let
/// nonblocking communication progress.
public protocol GradientObserver: AnyObject {
    func gradientsReady(_ group: ParameterGroup)
    func poll()
}
