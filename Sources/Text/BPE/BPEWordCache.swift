import Synchronization

/// The ids of words already merged, shared by every thread that encodes with one model
/// (tokenizers keeps the same cache of 10,000 words). Once full it stops taking words rather
/// than evicting, as tokenizers does, so a lookup never allocates after warm-up.
///
/// `@unchecked Sendable`: the only state is behind the mutex.
final class BPEWordCache: @unchecked Sendable {
    private let words: Mutex<[[UInt8]: [Int32]]>
    private let capacity: Int
    /// Words longer than this are merged every time (tokenizers' `MAX_LENGTH`).
    private static let longestWord = 256

    init(capacity: Int) {
        self.capacity = capacity
        self.words = Mutex([:])
    }

    /// Appends the cached ids of `word` to `ids`; false when `word` is not cached.
    func append(_ word: UnsafeBufferPointer<UInt8>, to ids: inout [Int32]) -> Bool {
        guard word.count < Self.longestWord else { return false }
        let key = Array(word)
        return words.withLock { words in
            guard let cached = words[key] else { return false }
            ids += cached
            return true
        }
    }

    func insert(_ word: UnsafeBufferPointer<UInt8>, _ symbols: [Int32]) {
        guard word.count < Self.longestWord else { return }
        let key = Array(word)
        words.withLock { words in
            if words.count < capacity { words[key] = symbols }
        }
    }
}
