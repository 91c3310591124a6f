import Model
import Parallel

/// Sums the gradients in buckets during the last micro-batch's backward pass
/// (`GradientBucketReducer`): each bucket's nonblocking allreduce starts as soon as the
/// layers it covers are done, and MPI is polled between layers; `finish` starts what is
/// left, waits, then sums the touched word-embedding rows. Every rank then holds the global
/// sums and updates every parameter.
final class BucketedReduction: GradientReduction {
    private let communicator: Communicator
    private let replicated: ReplicatedGradients
    let reducer: GradientBucketReducer
    private let observer: ReductionObserver

    init(
        communicator: Communicator, gradients: FloatSlab, table: ParameterTable, bucketBytes: Int,
        expectedEmbeddingRows: Int
    ) {
        self.communicator = communicator
        replicated = ReplicatedGradients(gradients: gradients, expectedEmbeddingRows: expectedEmbeddingRows)
        reducer = GradientBucketReducer(
            communicator: communicator, gradients: gradients.base, count: gradients.count,
            ranges: [], bucketBytes: bucketBytes)
        observer = ReductionObserver(reducer: reducer, table: table)
    }

    /// The reducer gets one range per trained parameter, from the end of the slab toward
    /// its start. Buckets are packed from whole ranges, so merged runs would make a single
    /// bucket that starts only when backward ends; per-parameter ranges let the top layers'
    /// buckets fill and start while the layers below are still computing.
    func configure(_ trained: TrainedSet) {
        replicated.configure(trained)
        reducer.setRanges(replicated.denseRanges.reversed())
    }

    func zeroGradients() { replicated.zero() }

    func prepare(_ batch: PackedBatch) { replicated.mark(batch) }

    var backwardObserver: GradientObserver? { observer }

    func finish() throws {
        try observer.rethrow()
        try reducer.markReady(from: 0)
        try reducer.finish()
        try replicated.reduceRows(communicator: communicator)
    }

    var updatedRuns: [UpdateRun] { replicated.runs }

    var touchedEmbeddingRows: [Int]? { replicated.touchedRows }

    func globalNorm(pool: ThreadPool) throws -> Double { replicated.globalNorm(pool: pool) }

    var reducedElementCount: Int { replicated.reducedElementCount }

    var statistics: ReductionStatistics { reducer.statistics }

    func resetStatistics() { reducer.resetStatistics() }

    var bucketSpans: [(start: Double, end: Double)] {
        zip(reducer.bucketStarts, reducer.bucketCompletions).map { ($0, $1) }
    }
}

/// Tells the bucket reducer when a group's gradients are final, and polls MPI between
/// layers. Errors are kept and rethrown by `BucketedReduction.finish` (the observer
/// protocol does not throw).
final class ReductionObserver: GradientObserver {
    let reducer: GradientBucketReducer
    let offsets: [ParameterGroup: Int]
    private var error: MPIError?

    init(reducer: GradientBucketReducer, table: ParameterTable) {
        self.reducer = reducer
        var offsets: [ParameterGroup: Int] = [:]
        for entry in table.entries where offsets[entry.group] == nil { offsets[entry.group] = entry.offset }
        self.offsets = offsets
    }

    func gradientsReady(_ group: ParameterGroup) {
        guard error == nil, let offset = offsets[group] else { return }
        do { try reducer.markReady(from: offset) } catch { self.error = error }
    }

    func poll() {
        guard error == nil else { return }
        do { _ = try reducer.poll() } catch { self.error = error }
    }

    func rethrow() throws {
        if let error { throw error }
    }
}
