import Dispatch

/// Lets a closure that captures raw pointers cross into `DispatchQueue.concurrentPerform`.
/// Safe only because every use splits work into disjoint ranges and waits for all of them
/// before returning (`concurrentPerform` is synchronous).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Splits element-wise work over a fixed number of threads.
///
/// The split of `0..<count` into chunks depends only on `count` and `threads`, never on
/// timing, so every reduction that combines per-chunk partial results in chunk order gives
/// the same bits on every run — the exact-resume and identical-replica invariants rely on it.
public struct ThreadPool: Sendable {
    /// Threads this rank uses for element-wise work (and tells OpenBLAS to use).
    public let threads: Int

    public init(threads: Int) {
        precondition(threads >= 1, "ThreadPool: \(threads) threads")
        self.threads = threads
    }

    /// A single-threaded pool (tests, tiny models).
    public static let serial = ThreadPool(threads: 1)

    /// Number of chunks `count` items are split into when each chunk should hold at least
    /// `grain` items.
    public func chunkCount(_ count: Int, grain: Int) -> Int {
        max(1, min(threads, count / max(grain, 1)))
    }

    /// The `chunk`-th of `chunks` near-equal contiguous parts of `0..<count`.
    public static func chunk(_ chunk: Int, of chunks: Int, count: Int) -> Range<Int> {
        (count * chunk / chunks)..<(count * (chunk + 1) / chunks)
    }

    /// Calls `body` once per chunk of `0..<count`, chunks running concurrently; returns when
    /// all have run. `body(chunkIndex, range)` must write only data owned by its range (or
    /// by its chunk index).
    public func forEachChunk(_ count: Int, grain: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        let chunks = chunkCount(count, grain: grain)
        if chunks == 1 {
            body(0, 0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            let work = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { i in
                work.value(i, ThreadPool.chunk(i, of: chunks, count: count))
            }
        }
    }

    /// `forEachChunk` without the chunk index.
    public func parallelFor(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        forEachChunk(count, grain: grain) { _, range in body(range) }
    }
}
