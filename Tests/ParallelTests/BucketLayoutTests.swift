import Testing
@testable import Parallel

@Suite struct BucketLayoutTests {
    @Test func contiguousRangesFillBucketsWithoutCrossingTheCapacity() {
        // Tensors of 4 elements from the end of a 40-element slab toward its start.
        let ranges = stride(from: 36, through: 0, by: -4).map { $0..<($0 + 4) }
        let layout = BucketLayout(ranges: ranges, bucketCapacity: 10, firstBucketCapacity: 4)
        #expect(layout.buckets == [36..<40, 28..<36, 20..<28, 12..<20, 4..<12, 0..<4])
        #expect(layout.segments == [0..<40])
        #expect(layout.elementCount == 40)
    }

    @Test func aGapEndsABucket() {
        // 20..<30 frozen.
        let layout = BucketLayout(
            ranges: [35..<40, 30..<35, 15..<20, 10..<15], bucketCapacity: 100, firstBucketCapacity: 100)
        #expect(layout.buckets == [30..<40, 10..<20])
        #expect(layout.segments == [30..<40, 10..<20])
    }

    @Test func aRangeLargerThanABucketGetsItsOwn() {
        let layout = BucketLayout(
            ranges: [90..<100, 10..<90, 5..<10, 0..<5], bucketCapacity: 20, firstBucketCapacity: 20)
        #expect(layout.buckets == [90..<100, 10..<90, 0..<10])
    }

    @Test func theHardLimitSplitsLongRanges() {
        let layout = BucketLayout(
            ranges: [95..<100, 0..<95], bucketCapacity: 1_000, firstBucketCapacity: 1_000,
            maxElementsPerBucket: 30)
        #expect(layout.buckets == [95..<100, 65..<95, 35..<65, 5..<35, 0..<5])
        #expect(layout.buckets.allSatisfy { $0.count <= 30 })
        #expect(layout.segments == [0..<100])
    }

    @Test func emptyRangesAreIgnoredAndNoRangesGiveNoBuckets() {
        #expect(BucketLayout(ranges: [], bucketCapacity: 4, firstBucketCapacity: 4).buckets.isEmpty)
        let layout = BucketLayout(ranges: [8..<8, 4..<8, 4..<4, 0..<4], bucketCapacity: 8, firstBucketCapacity: 8)
        #expect(layout.buckets == [0..<8])
    }

    @Test func fingerprintFollowsTheBoundaries() {
        let a = BucketLayout(ranges: [4..<8, 0..<4], bucketCapacity: 4, firstBucketCapacity: 4)
        let b = BucketLayout(ranges: [4..<8, 0..<4], bucketCapacity: 4, firstBucketCapacity: 4)
        let c = BucketLayout(ranges: [4..<8, 0..<4], bucketCapacity: 8, firstBucketCapacity: 8)
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.fingerprint != c.fingerprint)
    }
}
