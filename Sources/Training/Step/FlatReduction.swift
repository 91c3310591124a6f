import Model
import Parallel

/// Sums the gradients after the backward pass: one blocking allreduce per contiguous run of
/// the densely reduced ranges (from the end of the slab toward its start), then the touched
/// word-embedding rows. Every rank then holds the global sums and updates every parameter.
final class FlatReduction: GradientReduction {
    private let communicator: Communicator
    private let replicated: ReplicatedGradients
    /// The dense ranges merged where adjacent, in reduction order.
    private var segments: [Range<Int>] = []

    init(communicator: Communicator, gradients: FloatSlab, expectedEmbeddingRows: Int) {
        self.communicator = communicator
        replicated = ReplicatedGradients(gradients: gradients, expectedEmbeddingRows: expectedEmbeddingRows)
    }

    func configure(_ trained: TrainedSet) {
        replicated.configure(trained)
        segments = mergedDescending(replicated.denseRanges)
    }

    func zeroGradients() { replicated.zero() }

    func prepare(_ batch: PackedBatch) { replicated.mark(batch) }

    func finish() throws {
        let g = replicated.gradients.base
        for segment in segments {
            let buffer = UnsafeMutableBufferPointer(start: g + segment.lowerBound, count: segment.count)
            try communicator.allreduceSum(buffer)
        }
        try replicated.reduceRows(communicator: communicator)
    }

    var updatedRuns: [UpdateRun] { replicated.runs }

    var touchedEmbeddingRows: [Int]? { replicated.touchedRows }

    func globalNorm(pool: ThreadPool) throws -> Double { replicated.globalNorm(pool: pool) }

    var reducedElementCount: Int { replicated.reducedElementCount }
}
