import Testing

@testable import Model

@Suite struct MemoryBudgetTests {
    @Test func fitsOrIsRefusedWithTheSizes() throws {
        try MemoryBudget.require(bytesPerRank: 400_000_000, ranksOnNode: 2, for: "weights", physical: 1_000_000_000)
        let error = #expect(throws: MemoryBudgetError.self) {
            try MemoryBudget.require(bytesPerRank: 600_000_000, ranksOnNode: 2, for: "weights", physical: 1_000_000_000)
        }
        #expect(
            error?.description
                == "weights take 0.6 GB per rank, 1.2 GB for the 2 rank(s) on this node: more than its 1.0 GB of memory"
        )
    }

    @Test func anOverflowingProductIsRefused() {
        #expect(throws: MemoryBudgetError.self) {
            try MemoryBudget.require(bytesPerRank: Int.max / 2, ranksOnNode: 4, for: "weights", physical: 1 << 40)
        }
    }

    @Test func thisMachineReportsItsMemory() throws {
        let bytes = try #require(MemoryBudget.physicalBytes)
        #expect(bytes > 100_000_000)
    }
}
