/// A batch of token sequences packed back to back, without padding.
///
/// Token `t` of sequence `b` is row `offsets[b] + t` of every `[N, ·]` activation, where `N`
/// is `tokenCount`. Every per-token operation (linear layers, LayerNorm, GELU) therefore
/// runs on real tokens only; attention runs per sequence over its own length. This equals
/// a right-padded batch with an attention mask — padded positions never reach the loss —
/// without spending anything on the padding.
///
/// Storage is allocated once for `sequenceCapacity` sequences and `tokenCapacity` tokens and
/// reused for every batch (`removeAll` then `append`).
public final class PackedBatch: @unchecked Sendable {
    public let sequenceCapacity: Int
    public let tokenCapacity: Int
    /// B.
    public private(set) var sequenceCount = 0
    /// N = Σ lengths.
    public private(set) var tokenCount = 0
    /// The longest sequence in the batch.
    public private(set) var maxLength = 0

    /// `[B + 1]`: first row of each sequence; `offsets[B] = N`.
    public let offsets: UnsafeMutablePointer<Int32>
    /// `[N]` token ids, `[N]` token type ids.
    public let tokenIds: UnsafeMutablePointer<Int32>
    public let typeIds: UnsafeMutablePointer<Int32>
    /// `[N]`: each row's position in its sequence, and its sequence index.
    public let positions: UnsafeMutablePointer<Int32>
    public let rowSequence: UnsafeMutablePointer<Int32>
    /// `[B]`: the sample's global index in the data set, which keys its dropout masks.
    public let sampleIds: UnsafeMutablePointer<UInt64>

    public init(sequenceCapacity: Int, tokenCapacity: Int) {
        self.sequenceCapacity = sequenceCapacity
        self.tokenCapacity = tokenCapacity
        offsets = .allocate(capacity: sequenceCapacity + 1)
        tokenIds = .allocate(capacity: max(tokenCapacity, 1))
        typeIds = .allocate(capacity: max(tokenCapacity, 1))
        positions = .allocate(capacity: max(tokenCapacity, 1))
        rowSequence = .allocate(capacity: max(tokenCapacity, 1))
        sampleIds = .allocate(capacity: max(sequenceCapacity, 1))
        offsets[0] = 0
    }

    deinit {
        offsets.deallocate()
        tokenIds.deallocate()
        typeIds.deallocate()
        positions.deallocate()
        rowSequence.deallocate()
        sampleIds.deallocate()
    }

    /// Empties the batch (keeps the storage).
    public func removeAll() {
        sequenceCount = 0
        tokenCount = 0
        maxLength = 0
    }

    /// Appends one sequence. `typeIds` is either empty (all zero) or as long as `ids`.
    public func append(ids: UnsafeBufferPointer<Int32>, typeIds types: UnsafeBufferPointer<Int32>, sample: UInt64) {
        let n = ids.count
        precondition(n > 0, "PackedBatch: empty sequence for sample \(sample)")
        precondition(types.isEmpty || types.count == n, "PackedBatch: \(n) ids but \(types.count) type ids")
        precondition(
            sequenceCount < sequenceCapacity && tokenCount + n <= tokenCapacity,
            "PackedBatch: capacity \(sequenceCapacity) sequences / \(tokenCapacity) tokens exceeded")
        let b = sequenceCount
        for t in 0..<n {
            let row = tokenCount + t
            tokenIds[row] = ids[t]
            typeIds[row] = types.isEmpty ? 0 : types[t]
            positions[row] = Int32(t)
            rowSequence[row] = Int32(b)
        }
        sampleIds[b] = sample
        tokenCount += n
        sequenceCount += 1
        offsets[sequenceCount] = Int32(tokenCount)
        maxLength = max(maxLength, n)
    }

    /// Convenience for tests and tools.
    public func append(ids: [Int32], typeIds: [Int32] = [], sample: UInt64) {
        ids.withUnsafeBufferPointer { i in
            typeIds.withUnsafeBufferPointer { t in append(ids: i, typeIds: t, sample: sample) }
        }
    }

    /// Length of sequence `b`.
    public func length(_ b: Int) -> Int { Int(offsets[b + 1] - offsets[b]) }

    /// First row of sequence `b`.
    public func offset(_ b: Int) -> Int { Int(offsets[b]) }
}
