/// How a gradient slab's reduced ranges are cut into allreduce buckets. Pure: a function of
/// the ranges and the capacities only, so every rank computes the same buckets.
///
/// The slab is laid out embeddings, layer 0 … L-1, pooler, head; backward produces gradients
/// from the end of the slab toward its start. Buckets are therefore listed in that order too
/// (bucket 0 holds the highest offsets) and are reduced in that order on every rank.
///
/// Rules (after PyTorch DDP's reducer):
/// - a bucket is one contiguous slice of the slab; a gap between ranges (a frozen parameter)
///   always ends a bucket, so frozen gradients are never reduced;
/// - ranges are added whole while they fit in the bucket's capacity (the first bucket uses the
///   smaller `firstBucketCapacity`, so communication starts early); a range that does not fit
///   starts the next bucket, and a range larger than a whole bucket gets one of its own.
///   (PyTorch instead lets the range that crosses the capacity join the bucket; with BERT's
///   47 MB word-embedding matrix that glues the last layers' gradients to the embeddings,
///   which are complete only at the very end of backward, and their reduction cannot
///   overlap anything.)
/// - no bucket exceeds `maxElementsPerBucket` (one MPI call's limit): a range longer than that
///   is split.
public struct BucketLayout: Equatable, Sendable {
    /// Element ranges of the slab, in reduction order (descending offsets).
    public let buckets: [Range<Int>]
    /// The maximal contiguous runs of the reduced ranges, in the same order: what the flat
    /// (non-bucketed) path reduces with one blocking call each.
    public let segments: [Range<Int>]
    /// The ranges the layout was built from.
    public let ranges: [Range<Int>]

    /// - Parameters:
    ///   - ranges: element ranges to reduce, ordered from the end of the slab toward the
    ///     start: each range lies entirely below the previous one. Empty ranges are ignored.
    ///   - bucketCapacity: elements per bucket (25 MB of floats = 6_553_600 by default).
    ///   - firstBucketCapacity: elements in the first bucket.
    ///   - maxElementsPerBucket: hard limit per bucket (the communicator's per-call limit).
    public init(
        ranges: [Range<Int>], bucketCapacity: Int, firstBucketCapacity: Int,
        maxElementsPerBucket: Int = 1 << 30
    ) {
        precondition(
            bucketCapacity > 0 && firstBucketCapacity > 0 && maxElementsPerBucket > 0,
            "bucket capacities must be positive: \(bucketCapacity), \(firstBucketCapacity), \(maxElementsPerBucket)")
        var previousLower = Int.max
        for range in ranges where !range.isEmpty {
            precondition(range.lowerBound >= 0, "gradient range \(range) starts below 0")
            precondition(
                range.upperBound <= previousLower,
                "gradient ranges must go from the end of the slab toward its start without overlap: \(range) after a "
                    + "range starting at \(previousLower)"
            )
            previousLower = range.lowerBound
        }
        self.ranges = ranges

        var buckets: [Range<Int>] = []
        var open: Range<Int>? = nil
        func close() {
            if let bucket = open { buckets.append(bucket) }
            open = nil
        }
        var segments: [Range<Int>] = []
        for range in ranges where !range.isEmpty {
            if let last = segments.last, last.lowerBound == range.upperBound {
                segments[segments.count - 1] = range.lowerBound..<last.upperBound
            } else {
                segments.append(range)
            }

            let capacity = buckets.isEmpty ? firstBucketCapacity : bucketCapacity
            if let bucket = open,
                bucket.lowerBound != range.upperBound
                    || bucket.count + range.count > min(capacity, maxElementsPerBucket)
            {
                close()
            }
            var remaining = range
            while remaining.count > maxElementsPerBucket {
                // Only reached with no open bucket: the check above closed it.
                let top = (remaining.upperBound - maxElementsPerBucket)..<remaining.upperBound
                buckets.append(top)
                remaining = remaining.lowerBound..<top.lowerBound
            }
            open = open.map { remaining.lowerBound..<$0.upperBound } ?? remaining
            if open!.count >= (buckets.isEmpty ? firstBucketCapacity : bucketCapacity) { close() }
        }
        close()
        self.buckets = buckets
        self.segments = segments
    }

    /// Total elements reduced per step.
    public var elementCount: Int { buckets.reduce(0) { $0 + $1.count } }

    /// A 64-bit fingerprint of the bucket boundaries, for checking across ranks that every rank
    /// built the same layout.
    public var fingerprint: UInt64 {
        var hash = FNV1a64()
        hash.combine(UInt64(buckets.count))
        for bucket in buckets {
            hash.combine(UInt64(bucket.lowerBound))
            hash.combine(UInt64(bucket.upperBound))
        }
        return hash.value
    }
}

/// FNV-1a over 64-bit words (bytes, little-endian): small, stable fingerprints of integer
/// sequences (bucket layouts, batch plans). Not for bulk data; see `ReplicaChecksum`.
public struct FNV1a64: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine(_ word: UInt64) {
        var word = word
        for _ in 0..<8 {
            value = (value ^ (word & 0xff)) &* 0x0000_0100_0000_01b3
            word >>= 8
        }
    }
}
