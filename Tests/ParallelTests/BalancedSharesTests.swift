import Testing
@testable import Parallel

/// Token-balanced shares: consecutive micro-batches, shardRange's count per rank, every
/// example on exactly one rank, in global-batch order, and the cost evened out.
@Suite struct BalancedSharesTests {
    static func deal(_ batch: [Int], steps: Int, world: Int, cost: @escaping (Int) -> Int) -> [[ArraySlice<Int>]] {
        (0..<world).map {
            BatchPlan.balancedMicroBatches(batch[...], accumulationSteps: steps, rank: $0, worldSize: world, cost: cost)
        }
    }

    @Test(arguments: [(1, 1), (2, 1), (3, 1), (4, 2), (2, 3)])
    func sameExamplesAndCountsAsTheContiguousSplit(world: Int, steps: Int) {
        let batch = Array([17, 3, 44, 8, 91, 12, 5, 60, 2, 33, 71, 29, 50][...])
        let cost = { (i: Int) in (i * 37) % 23 + 1 }
        let balanced = Self.deal(batch, steps: steps, world: world, cost: cost)
        for part in 0..<steps {
            // The micro-batch: consecutive examples of the batch; each rank's count: shardRange's.
            let micro = batch[BatchPlan.shardRange(count: batch.count, rank: part, worldSize: steps)]
            let dealt = (0..<world).flatMap { Array(balanced[$0][part]) }
            #expect(dealt.sorted() == micro.sorted(), "micro-batch \(part): every example once")
            for r in 0..<world {
                let count = BatchPlan.shardRange(count: micro.count, rank: r, worldSize: world).count
                #expect(balanced[r][part].count == count, "rank \(r)'s count")
                let positions = balanced[r][part].map { batch.firstIndex(of: $0)! }
                #expect(positions == positions.sorted(), "rank \(r)'s share in global-batch order")
            }
        }
    }

    @Test func evensOutTheCost() {
        // Two long rows first: contiguous blocks give rank 0 both (202 against 4).
        let lengths = [100, 100, 1, 1, 1, 1, 1, 1]
        let shares = Self.deal(Array(0..<8), steps: 1, world: 2) { lengths[$0] }
        let loads = shares.map { $0[0].reduce(0) { $0 + lengths[$1] } }
        #expect(loads == [103, 103])
        #expect(Array(shares[0][0]) == [0, 2, 4, 6] && Array(shares[1][0]) == [1, 3, 5, 7])
    }
}
