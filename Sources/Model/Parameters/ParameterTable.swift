/// Which part of the network a parameter belongs to; the unit of freezing, of layer-wise
/// learning rates and of gradient readiness during the backward pass.
public enum ParameterGroup: Hashable, Sendable, CustomStringConvertible {
    case embeddings
    case layer(Int)
    /// The body's top above its layers: BERT's pooler, GPT-2's final LayerNorm `ln_f`.
    case pooler
    case head

    public var description: String {
        switch self {
        case .embeddings: "embeddings"
        case .layer(let i): "layer.\(i)"
        case .pooler: "pooler"
        case .head: "head"
        }
    }
}

/// One parameter tensor's place in the parameter slab.
public struct ParameterEntry: Sendable, Equatable {
    /// The Hugging Face key it is saved under (`bert.encoder.layer.3.attention.self.query.weight`).
    public let name: String
    /// Shape as PyTorch stores it (linear weights `[out, in]`).
    public let shape: [Int]
    /// First element in the slab.
    public let offset: Int
    /// Whether AdamW's decoupled weight decay applies. Following the Hugging Face Trainer,
    /// biases and LayerNorm weights are not decayed.
    public let decays: Bool
    public let group: ParameterGroup
    /// A LoRA adapter matrix (trained while the pretrained weights stay frozen; merged into
    /// its base weight on export) rather than a parameter of the Hugging Face model.
    public let isAdapter: Bool

    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
}

/// Name → offset, shape, decay flag and group for every parameter of a model, in slab order.
///
/// The same table addresses the parameter, gradient and optimizer-moment slabs, so a view of
/// a parameter and of its gradient come from the same offset. Entries are contiguous and in
/// forward order (embeddings, layer 0 … L−1, pooler, head); the backward pass therefore
/// finishes gradients from the end of the slab toward its start, which is the order in which
/// gradient buckets become ready for reduction.
public struct ParameterTable: Sendable {
    public private(set) var entries: [ParameterEntry] = []
    private var index: [String: Int] = [:]

    public init() {}

    /// Total number of elements (the slab size).
    public var count: Int { entries.last.map { $0.offset + $0.count } ?? 0 }

    /// Appends a parameter right after the previous one and returns its offset.
    @discardableResult
    public mutating func append(
        _ name: String, shape: [Int], group: ParameterGroup, decays: Bool? = nil,
        isAdapter: Bool = false
    ) -> Int {
        precondition(index[name] == nil, "ParameterTable: \(name) added twice")
        precondition(shape.allSatisfy { $0 > 0 }, "ParameterTable: \(name) has shape \(shape)")
        let offset = count
        let decay = decays ?? ParameterTable.decaysByDefault(name)
        index[name] = entries.count
        entries.append(
            ParameterEntry(name: name, shape: shape, offset: offset, decays: decay, group: group, isAdapter: isAdapter))
        return offset
    }

    /// The entry named `name`, if any.
    public subscript(name: String) -> ParameterEntry? {
        index[name].map { entries[$0] }
    }

    /// The Hugging Face Trainer's rule: no weight decay for biases and LayerNorm weights.
    public static func decaysByDefault(_ name: String) -> Bool {
        !(name.hasSuffix(".bias") || name.contains("LayerNorm"))
    }

    /// The slab range covered by every entry of `group` (entries of a group are contiguous).
    public func range(of group: ParameterGroup) -> Range<Int>? {
        let members = entries.filter { $0.group == group }
        guard let first = members.first, let last = members.last else { return nil }
        return first.offset..<(last.offset + last.count)
    }

    /// Number of elements per group, in slab order.
    public var countsByGroup: [(group: ParameterGroup, count: Int)] {
        var result: [(group: ParameterGroup, count: Int)] = []
        for entry in entries {
            if let last = result.last, last.group == entry.group {
                result[result.count - 1].count += entry.count
            } else {
                result.append((entry.group, entry.count))
            }
        }
        return result
    }
}
