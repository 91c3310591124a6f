/// Sums a gradient slab over all ranks in buckets, overlapping the reduction with backward.
///
/// Backward runs from the last layer to the first, so gradients complete from the end of the
/// slab toward its start. As each bucket of `layout` becomes complete, its nonblocking
/// allreduce starts; the backward pass calls `poll()` between layers (Open MPI has no
/// progress thread here, so a reduction only advances inside MPI calls); `finish()` waits
/// for the rest. Every rank builds the same `BucketLayout` and starts buckets in its order,
/// so all ranks issue the same collectives in the same order.
///
/// One step:
///
///     for layer in layers.reversed() {
///         layer.backward(...)                               // writes grads[layer.range]
///         try reducer.markReady(from: layer.range.lowerBound)
///     }
///     try reducer.finish()                                  // grads[ranges] now hold sums
///
/// Contract:
/// - Reduces SUMS in place; dividing by the global sample (or token) count is the caller's.
/// - Only `layout.buckets` are touched; elements outside the reduced ranges (frozen
///   parameters) keep this rank's values.
/// - Between a bucket's start and `finish()` its gradients must not be written.
/// - Nothing is allocated inside a step; `setRanges(_:)` (which allocates) is only allowed
///   between steps, at a step every rank agreed on.
/// - Collective: every rank calls `markReady`/`finish` for every step, even with an empty
///   share of the batch (its gradients are then zeros).
///
/// What overlap buys depends on the transport. Without a progress thread the copying and
/// summing happen inside this rank's MPI calls (`markReady`'s start, `poll`, `finish`), on
/// the compute thread. Measured here (2 ranks on 2 cores, shared memory, bench/RESULTS.md):
/// 97–99 % of the reductions' span lies inside backward, yet the wait after backward is
/// about what the flat path waits (15–40 ms of a 1.4 s step), since it is the last bucket
/// (complete only when backward ends) plus the slower rank's lag. Overlap pays where a NIC
/// moves the bytes; `reduceAllNow()` is the flat alternative.
public final class GradientBucketReducer {
    public let communicator: Communicator
    /// Base of the gradient slab, `[count]` floats, owned by the caller.
    public let gradients: UnsafeMutablePointer<Float>
    public let count: Int
    /// Target elements per bucket and in the first bucket.
    public let bucketCapacity: Int
    public let firstBucketCapacity: Int
    public private(set) var layout: BucketLayout

    /// Timing of every step since the last `resetStatistics()`, and of the last step alone.
    public private(set) var statistics = ReductionStatistics()
    public private(set) var lastStep = ReductionStatistics()

    /// Per bucket of the current (or last) step: `monotonicSeconds()` when its allreduce
    /// started, and when this rank first saw it complete (inside `poll` or `finish`, so an
    /// upper bound); 0 while unseen. For the timeline (`--trace-steps`).
    public private(set) var bucketStarts: [Double] = []
    public private(set) var bucketCompletions: [Double] = []

    private var requests: [Communicator.Request]
    /// Buckets `0..<nextToStart` have been started this step.
    private var nextToStart = 0
    /// Buckets `0..<firstIncomplete` are complete.
    private var firstIncomplete = 0
    /// Lowest offset declared ready this step (elements at and above it are final).
    private var readyFrom = Int.max
    private var step = ReductionStatistics()
    private var firstStartTime = 0.0
    private var lastCompletionTime = 0.0

    /// - Parameters:
    ///   - gradients: the gradient slab, `[count]` floats; must outlive the reducer.
    ///   - ranges: the trainable ranges, ordered from the end of the slab toward its start
    ///     (see `BucketLayout`).
    ///   - bucketBytes: bucket size target; 25 MiB as in PyTorch DDP.
    ///   - firstBucketBytes: size target of the first bucket; 1 MiB as in PyTorch DDP (or
    ///     `bucketBytes` if that is smaller).
    public init(
        communicator: Communicator, gradients: UnsafeMutablePointer<Float>, count: Int,
        ranges: [Range<Int>], bucketBytes: Int = 25 << 20, firstBucketBytes: Int = 1 << 20
    ) {
        precondition(count >= 0, "gradient count \(count) is negative")
        self.communicator = communicator
        self.gradients = gradients
        self.count = count
        self.bucketCapacity = max(1, bucketBytes / MemoryLayout<Float>.stride)
        self.firstBucketCapacity = max(1, min(firstBucketBytes, bucketBytes) / MemoryLayout<Float>.stride)
        self.layout = BucketLayout(ranges: [], bucketCapacity: 1, firstBucketCapacity: 1)
        self.requests = []
        setRanges(ranges)
    }

    /// Replaces the reduced ranges (e.g. when a layer is unfrozen) and rebuilds the buckets.
    /// Only between steps, at the same step on every rank (an agreed decision).
    public func setRanges(_ ranges: [Range<Int>]) {
        precondition(isIdle, "setRanges called during a step (buckets in flight)")
        for range in ranges where !range.isEmpty {
            precondition(range.upperBound <= count, "gradient range \(range) exceeds the slab of \(count) elements")
        }
        layout = BucketLayout(
            ranges: ranges, bucketCapacity: bucketCapacity,
            firstBucketCapacity: firstBucketCapacity,
            maxElementsPerBucket: communicator.maxElementsPerCall)
        requests = Array(repeating: .completed, count: layout.buckets.count)
        bucketStarts = Array(repeating: 0, count: layout.buckets.count)
        bucketCompletions = bucketStarts
    }

    /// Buckets started in the current step (they start in `layout.buckets` order).
    public var startedBucketCount: Int { nextToStart }

    /// Buckets of the current step known complete (a prefix of `layout.buckets`).
    public var completedBucketCount: Int { firstIncomplete }

    /// True between steps: no bucket started and not finished.
    public var isIdle: Bool { nextToStart == 0 && readyFrom == Int.max }

    /// Declares every gradient at slab offset `offset` and above final for this step, starts
    /// the allreduce of each bucket now complete (in layout order), then polls.
    /// `offset` must not increase within a step.
    public func markReady(from offset: Int) throws(MPIError) {
        precondition(
            offset <= readyFrom,
            "markReady(from: \(offset)) after markReady(from: \(readyFrom)): offsets must decrease within a step")
        readyFrom = offset
        let buckets = layout.buckets
        while nextToStart < buckets.count && buckets[nextToStart].lowerBound >= offset {
            try start(nextToStart)
        }
        try poll()
    }

    /// `MPI_Test` on every bucket in flight: lets MPI advance the reductions while this rank
    /// computes. Returns true when every started bucket is complete.
    @discardableResult
    public func poll() throws(MPIError) -> Bool {
        guard firstIncomplete < nextToStart else { return true }
        let begin = monotonicSeconds()
        var allDone = true
        for index in firstIncomplete..<nextToStart {
            let done = try communicator.test(&requests[index])
            if done && bucketCompletions[index] == 0 { bucketCompletions[index] = monotonicSeconds() }
            if done && allDone {
                firstIncomplete = index + 1
                lastCompletionTime = monotonicSeconds()
            }
            allDone = allDone && done
        }
        step.pollSeconds += monotonicSeconds() - begin
        step.pollCalls += 1
        return allDone
    }

    /// Starts every bucket not yet started (all gradients are final), waits for all of them,
    /// and records the step's timing. Afterwards `gradients[layout.buckets]` hold the sums on
    /// every rank and the reducer is ready for the next step.
    public func finish() throws(MPIError) {
        let begin = monotonicSeconds()
        let buckets = layout.buckets
        while nextToStart < buckets.count { try start(nextToStart) }
        while firstIncomplete < nextToStart {
            try communicator.wait(&requests[firstIncomplete])
            lastCompletionTime = monotonicSeconds()
            if bucketCompletions[firstIncomplete] == 0 { bucketCompletions[firstIncomplete] = lastCompletionTime }
            firstIncomplete += 1
        }
        let end = monotonicSeconds()
        step.blockedSeconds = end - begin
        step.communicationSeconds = buckets.isEmpty ? 0 : lastCompletionTime - firstStartTime
        step.steps = 1
        step.buckets = buckets.count
        step.elements = layout.elementCount
        lastStep = step
        statistics.add(step)
        step = ReductionStatistics()
        nextToStart = 0
        firstIncomplete = 0
        readyFrom = Int.max
    }

    /// The flat path, for comparison: one blocking `MPI_Allreduce` per contiguous segment of
    /// the reduced ranges, now. Same result contract as a bucketed step. Returns its seconds.
    @discardableResult
    public func reduceAllNow() throws(MPIError) -> Double {
        precondition(isIdle, "reduceAllNow called during a bucketed step")
        let begin = monotonicSeconds()
        for segment in layout.segments {
            try communicator.allreduceSum(
                UnsafeMutableBufferPointer(
                    start: gradients + segment.lowerBound,
                    count: segment.count))
        }
        return monotonicSeconds() - begin
    }

    public func resetStatistics() {
        statistics = ReductionStatistics()
    }

    private func start(_ index: Int) throws(MPIError) {
        let bucket = layout.buckets[index]
        let begin = monotonicSeconds()
        if index == 0 { firstStartTime = begin }
        bucketStarts[index] = begin
        bucketCompletions[index] = 0
        requests[index] = try communicator.startAllreduceSum(
            UnsafeMutableBufferPointer(start: gradients + bucket.lowerBound, count: bucket.count))
        nextToStart = index + 1
        step.startSeconds += monotonicSeconds() - begin
    }
}

/// Where the time of bucketed reductions went, summed over `steps`.
///
/// `communicationSeconds` runs from the first bucket's start to the last completion this
/// rank observed (completions are only seen inside `poll`/`finish`, so it is an upper
/// bound). `blockedSeconds` is the time spent inside `finish()`: the part of communication
/// not hidden behind backward. `pollSeconds` is the time spent inside `poll()` — with no
/// progress thread, MPI does its copying and summing there, on the compute thread.
public struct ReductionStatistics: Sendable, Equatable {
    public var steps = 0
    public var buckets = 0
    public var elements = 0
    public var communicationSeconds = 0.0
    public var blockedSeconds = 0.0
    public var pollSeconds = 0.0
    public var pollCalls = 0
    /// Time inside `MPI_Iallreduce` calls (starting buckets), outside `finish()`'s share.
    public var startSeconds = 0.0

    public init() {}

    /// Time the compute thread spent inside MPI for these reductions (start + poll + finish):
    /// the number to compare with a flat blocking allreduce, since without a progress thread
    /// the work is done in those calls.
    public var mpiSeconds: Double { startSeconds + pollSeconds + blockedSeconds }

    /// Share of the communication time that was not spent blocked in `finish()`. It says
    /// how much of the waiting was hidden, not how much work: see `mpiSeconds`.
    public var hiddenFraction: Double {
        communicationSeconds > 0 ? max(0, 1 - blockedSeconds / communicationSeconds) : 0
    }

    mutating func add(_ other: ReductionStatistics) {
        steps += other.steps
        buckets += other.buckets
        elements += other.elements
        communicationSeconds += other.communicationSeconds
        blockedSeconds += other.blockedSeconds
        pollSeconds += other.pollSeconds
        pollCalls += other.pollCalls
        startSeconds += other.startSeconds
    }
}
