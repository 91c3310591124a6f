/// One contiguous, 64-byte-aligned allocation of `Float`s that owns its memory.
///
/// Parameters, gradients, optimizer moments and activations each live in one slab; layers
/// and kernels receive non-owning pointers into it (see `ParameterTable`). A slab is
/// allocated once, before training, and never resized, so nothing allocates inside a step.
///
/// `@unchecked Sendable`: the handle itself is immutable; concurrent kernels write disjoint
/// ranges of the memory, which each kernel states where it splits work.
public final class FloatSlab: @unchecked Sendable {
    /// First element; aligned to 64 bytes (one cache line, one AVX-512 register).
    public let base: UnsafeMutablePointer<Float>
    /// Number of elements.
    public let count: Int

    /// Allocates `count` zeroed elements.
    public init(count: Int) {
        precondition(count >= 0, "FloatSlab: negative count \(count)")
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
        self.count = count
    }

    deinit { base.deallocate() }

    /// The whole slab as a buffer.
    public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: base, count: count)
    }

    /// Sets every element to zero.
    public func zero() { base.update(repeating: 0, count: count) }

    /// Copies every element of `other`, which must have the same count.
    public func copy(from other: FloatSlab) {
        precondition(other.count == count, "FloatSlab.copy: \(other.count) elements into \(count)")
        base.update(from: other.base, count: count)
    }
}
