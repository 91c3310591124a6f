import Foundation
import Parallel
import Synchronization

/// Set by another thread when it saw the MPI thread inside a watched call.
final class WatchedFlag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var value: Bool { state.withLock { $0 } }
}

/// `Communicator.split`: the world cut into groups of two neighbouring ranks (the last group
/// smaller at an odd size), as a sweep's trials would be. Each group's collectives see only
/// its members; the world keeps working beside the groups; a group frees its communicator
/// without ending MPI.
func groupChecks(_ runner: CheckRunner) {
    let world = runner.communicator
    runner.check("split: groups of two with their own ranks, sizes and sums") { () throws(MPIError) in
        let group = try world.split(color: world.rank / 2, key: world.rank)
        let expectedSize = min(2, world.size - (world.rank / 2) * 2)
        let members = try group.allreduce(Int64(1), operation: .sum)
        let worldRanks = try group.allreduce(Int64(world.rank), operation: .sum)
        let first = Int64((world.rank / 2) * 2)
        let expectedRanks = expectedSize == 2 ? 2 * first + 1 : first
        var root = Int64(group.rank == 0 ? world.rank : -1)
        try group.broadcast(&root, root: 0)
        let worldStillSums = try world.allreduce(Int64(1), operation: .sum) == Int64(world.size)
        try group.finalize()
        let ok =
            group.size == expectedSize && group.rank == world.rank % 2 && members == Int64(expectedSize)
            && worldRanks == expectedRanks && root == first && worldStillSums && !world.isFinalized
        return (
            ok,
            "group rank \(group.rank)/\(group.size), members \(members), world-rank sum \(worldRanks), "
                + "root \(root)"
        )
    }
    runner.check("waitForAll: ranks arriving 0.3 s apart all leave after the last, never inside a watched call") {
        () throws(MPIError) in
        let start = monotonicSeconds()
        usleep(UInt32(300_000 * world.rank))
        let seen = WatchedFlag()
        let until = 0.3 * Double(world.size - 1)
        Thread.detachNewThread {
            while monotonicSeconds() - start < until {
                if CollectiveWatch.shared.snapshot.call != nil { seen.set() }
                usleep(10_000)
            }
        }
        try world.waitForAll(pollSeconds: 0.05)
        let waited = monotonicSeconds() - start
        let watchedDuringWait = seen.value
        let ok = waited >= until - 0.01 && !watchedDuringWait
        return (ok, String(format: "left after %.2f s, watched: \(watchedDuringWait)", waited))
    }
    runner.check("split: key orders the ranks of a group") { () throws(MPIError) in
        // One group, ranked in reverse world order.
        let reversed = try world.split(color: 0, key: world.size - 1 - world.rank)
        let ok = reversed.size == world.size && reversed.rank == world.size - 1 - world.rank
        try reversed.finalize()
        return (ok, "rank \(reversed.rank) of \(reversed.size) for world rank \(world.rank)")
    }
}
