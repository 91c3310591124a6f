/// The `capacity` best `(score, index)` candidates seen so far, in a binary min-heap whose root
/// is the worst kept: a candidate costs one comparison unless it beats the root, so selecting
/// the top k of n scores is O(n + m log k) for m replacements instead of sorting all n.
///
/// "Better" is a higher score, then a lower index — the `(−score, corpus_id)` order of
/// sentence-transformers' retrieval evaluator when corpus ids sort as their rows — so the
/// selection is a total order and does not depend on how the corpus is chunked. NaN scores
/// are never kept.
struct TopKHeap {
    let capacity: Int
    private(set) var scores: [Float] = []
    private(set) var indices: [Int] = []

    init(capacity: Int) {
        precondition(capacity > 0, "TopKHeap: capacity \(capacity)")
        self.capacity = capacity
        scores.reserveCapacity(capacity)
        indices.reserveCapacity(capacity)
    }

    /// Whether `(s, i)` ranks below `(t, j)`.
    @inline(__always) static func worse(_ s: Float, _ i: Int, than t: Float, _ j: Int) -> Bool {
        s < t || (s == t && i > j)
    }

    /// Offers each of `count` scores, with indices `firstIndex…`. Indices must grow from call
    /// to call (as the corpus is walked in order): a new score equal to the worst kept one then
    /// ranks below it, so once the heap is full a score enters only if it beats that floor —
    /// one comparison per candidate in a loop over contiguous floats.
    mutating func offer(_ row: UnsafePointer<Float>, count: Int, firstIndex: Int) {
        var c = 0
        while c < count && scores.count < capacity {
            offer(row[c], firstIndex + c)
            c += 1
        }
        guard c < count else { return }
        var floor = scores[0]
        while c < count {
            let score = row[c]
            if score > floor {  // false for NaN
                scores[0] = score
                indices[0] = firstIndex + c
                siftDown(0)
                floor = scores[0]
            }
            c += 1
        }
    }

    @inline(__always) mutating func offer(_ score: Float, _ index: Int) {
        guard !score.isNaN else { return }
        if scores.count < capacity {
            scores.append(score)
            indices.append(index)
            siftUp(scores.count - 1)
        } else if Self.worse(scores[0], indices[0], than: score, index) {
            scores[0] = score
            indices[0] = index
            siftDown(0)
        }
    }

    /// The kept candidates, best first.
    func ranked() -> [(score: Float, index: Int)] {
        zip(scores, indices).map { (score: $0, index: $1) }.sorted {
            Self.worse($1.score, $1.index, than: $0.score, $0.index)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.worse(scores[child], indices[child], than: scores[parent], indices[parent]) else { return }
            scores.swapAt(child, parent)
            indices.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let n = scores.count
        while true {
            let left = 2 * parent + 1, right = left + 1
            var worst = parent
            if left < n && Self.worse(scores[left], indices[left], than: scores[worst], indices[worst]) { worst = left }
            if right < n && Self.worse(scores[right], indices[right], than: scores[worst], indices[worst]) {
                worst = right
            }
            if worst == parent { return }
            scores.swapAt(parent, worst)
            indices.swapAt(parent, worst)
            parent = worst
        }
    }
}
