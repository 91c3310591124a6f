import Testing

@testable import Model

/// `PackedBatch+OneToken`: which rows a one-token batch stands for, and the gather and the
/// in-place spread between compact `[B, C]` and full `[N, C]` — against a plain loop over
/// sequences, on more sequences than tokens in the first ones (where the in-place spread
/// could overwrite a compact row before moving it).
@Suite struct OneTokenBatchTests {
    static let lengths = [1, 2, 1, 3, 1, 2, 4, 1]

    static func source() -> PackedBatch {
        let batch = PackedBatch(sequenceCapacity: lengths.count, tokenCapacity: lengths.reduce(0, +))
        for (s, n) in lengths.enumerated() {
            batch.append(ids: (0..<n).map { Int32(10 * s + $0) }, sample: UInt64(100 + s))
        }
        return batch
    }

    @Test(arguments: [false, true]) func standsForItsRows(last: Bool) {
        let source = Self.source(), one = PackedBatch(sequenceCapacity: 8, tokenCapacity: 8)
        one.setOneTokenPerSequence(of: source, last: last)
        #expect(one.sequenceCount == Self.lengths.count && one.tokenCount == Self.lengths.count)
        for (s, n) in Self.lengths.enumerated() {
            let t = last ? n - 1 : 0
            #expect(one.sourceRow(s, in: source) == source.offset(s) + t)
            #expect(one.tokenIds[s] == Int32(10 * s + t) && one.positions[s] == Int32(t))
            #expect(one.sampleIds[s] == UInt64(100 + s) && one.offset(s) == s && one.length(s) == 1)
        }
    }

    @Test(arguments: [false, true]) func gatherAndSpread(last: Bool) {
        let source = Self.source(), one = PackedBatch(sequenceCapacity: 8, tokenCapacity: 8)
        one.setOneTokenPerSequence(of: source, last: last)
        let n = source.tokenCount, b = one.sequenceCount, c = 3
        let full = MatrixView(.allocate(capacity: n * c), rows: n, cols: c)
        let compact = MatrixView(.allocate(capacity: b * c), rows: b, cols: c)
        defer {
            full.data.deallocate()
            compact.data.deallocate()
        }
        for i in 0..<(n * c) { full.data[i] = Float(i + 1) }
        one.gather(full, of: source, into: compact)
        for s in 0..<b {
            let row = source.offset(s) + (last ? Self.lengths[s] - 1 : 0)
            #expect(
                Array(UnsafeBufferPointer(start: compact.row(s), count: c)) == (0..<c).map { Float(row * c + $0 + 1) })
        }
        // The compact rows in the first B rows of `full`, garbage beyond; spread them out.
        for s in 0..<b { full.row(s).update(from: compact.row(s), count: c) }
        one.spreadInPlace(full, of: source)
        var expected = [Float](repeating: 0, count: n * c)
        for s in 0..<b {
            let row = source.offset(s) + (last ? Self.lengths[s] - 1 : 0)
            for j in 0..<c { expected[row * c + j] = compact.row(s)[j] }
        }
        #expect(Array(UnsafeBufferPointer(start: full.data, count: n * c)) == expected)
    }
}
