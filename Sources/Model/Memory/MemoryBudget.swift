import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The node's memory, checked before a model is allocated: a config that describes a model
/// too large for the ranks of one node is refused with the sizes, instead of the process
/// dying in an allocation.
public enum MemoryBudget {
    /// Physical memory of this machine in bytes (nil if unknown).
    public static var physicalBytes: Int? {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return nil }
        return pages * pageSize
    }

    /// Throws when `ranksOnNode` ranks holding `bytesPerRank` each need more than the
    /// machine's physical memory; `what` says what the bytes are for.
    public static func require(
        bytesPerRank: Int, ranksOnNode: Int, for what: String, physical: Int? = physicalBytes
    ) throws(MemoryBudgetError) {
        let (total, overflow) = bytesPerRank.multipliedReportingOverflow(by: max(ranksOnNode, 1))
        guard let physical, overflow || total > physical else { return }
        let all = overflow ? "more than Int.max bytes" : gigabytes(total)
        throw MemoryBudgetError(
            "\(what) take \(gigabytes(bytesPerRank)) per rank, \(all) for the \(ranksOnNode) rank(s) on this node: "
                + "more than its \(gigabytes(physical)) of memory")
    }

    static func gigabytes(_ bytes: Int) -> String { String(format: "%.1f GB", Double(bytes) / 1e9) }
}

/// A model that cannot fit in the node's memory; the message gives the sizes.
public struct MemoryBudgetError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
