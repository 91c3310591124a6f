extension BPEModel {
    /// Words of more symbols than this merge through the priority queue; shorter ones rescan
    /// their pairs after each merge, which is faster while the word fits in a cache line or two.
    static let queueThreshold = 64

    /// The merges of a long word in O(n log n): tokenizers' `Word::merge_all`. Symbols form a
    /// linked list over their first positions; a min-heap holds (rank, position) candidates,
    /// and a popped candidate whose pair is no longer at its position (merged away, or a
    /// neighbour changed) is skipped. Gives the same symbols as the rescanning loop: lowest
    /// rank first, of equal ranks the leftmost.
    ///
    /// Shapes: `symbols` `[n]` ids in, the merged ids out.
    func mergeWithQueue(_ symbols: [Int32]) -> [Int32] {
        var ids = symbols
        let count = ids.count
        var next = (0..<count).map { Int32($0 + 1) }
        var previous = (0..<count).map { Int32($0 - 1) }
        next[count - 1] = -1
        var heap = CandidateHeap()
        heap.reserve(count)
        for i in 0..<(count - 1) {
            if let rank = rank(ids[i], ids[i + 1]) { heap.push(rank: rank, position: i) }
        }
        while let candidate = heap.pop() {
            let (rank, position) = candidate
            let right = Int(next[position])
            guard ids[position] >= 0, right >= 0, let entry = entry(ids[position], ids[right]), entry.rank == rank
            else { continue }
            ids[position] = entry.merged
            ids[right] = -1
            next[position] = next[right]
            if next[right] >= 0 { previous[Int(next[right])] = Int32(position) }
            let left = Int(previous[position])
            if left >= 0, let rank = self.rank(ids[left], ids[position]) { heap.push(rank: rank, position: left) }
            let after = Int(next[position])
            if after >= 0, let rank = self.rank(ids[position], ids[after]) { heap.push(rank: rank, position: position) }
        }
        return ids.filter { $0 >= 0 }
    }
}

/// A binary min-heap of merge candidates keyed by (rank, position), packed in one `UInt64`
/// so that comparing keys orders by rank, then by position.
struct CandidateHeap {
    private var keys: [UInt64] = []

    mutating func reserve(_ capacity: Int) { keys.reserveCapacity(capacity) }

    mutating func push(rank: UInt32, position: Int) {
        keys.append(UInt64(rank) << 32 | UInt64(UInt32(position)))
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard keys[child] < keys[parent] else { break }
            keys.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (rank: UInt32, position: Int)? {
        guard let top = keys.first else { return nil }
        let last = keys.removeLast()
        if !keys.isEmpty {
            keys[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < keys.count else { break }
                var smallest = left
                if left + 1 < keys.count && keys[left + 1] < keys[left] { smallest = left + 1 }
                guard keys[smallest] < keys[parent] else { break }
                keys.swapAt(smallest, parent)
                parent = smallest
            }
        }
        return (UInt32(top >> 32), Int(top & 0xFFFF_FFFF))
    }
}
