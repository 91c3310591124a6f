import CMPI

// Collectives with a different element count per rank: the forward and backward of gathering
// a global batch's embeddings (contrastive losses score each rank's anchors against every
// rank's candidates). `counts[r]` is rank r's element count, the same array on every rank;
// rank r's block sits at offset `counts[0] + … + counts[r − 1]` of the gathered buffer. Each
// wrapper is one MPI call; the gathered total must stay below `Int32.max` elements (MPI's
// displacements are C ints), far above a global batch of embeddings (4,096 × 4 × 1,024).
extension Communicator {
    /// `MPI_Allgatherv`: afterwards every rank's `gathered` holds every rank's `local`, in
    /// rank order.
    ///
    /// - Parameters:
    ///   - local: this rank's `counts[rank]` elements.
    ///   - counts: `[size]` element counts, identical on every rank.
    ///   - gathered: `[Σ counts]` elements, written.
    public func allgather<T: MPIScalar>(
        _ local: UnsafeBufferPointer<T>, counts: [Int], into gathered: UnsafeMutableBufferPointer<T>
    ) throws(MPIError) {
        assertOnMPIThread()
        let (counts32, displacements) = blockLayout(counts, gathered: gathered.count)
        precondition(
            local.count == counts[rank], "allgather: \(local.count) local elements, counts say \(counts[rank])")
        CollectiveWatch.shared.begin("MPI_Allgatherv")
        defer { CollectiveWatch.shared.end() }
        let result = counts32.withUnsafeBufferPointer { c in
            displacements.withUnsafeBufferPointer { d in
                MPI_Allgatherv(
                    local.baseAddress, Int32(local.count), T.mpiDatatype, gathered.baseAddress, c.baseAddress,
                    d.baseAddress, T.mpiDatatype, world)
            }
        }
        try checkMPI(result, "MPI_Allgatherv")
    }

    /// `MPI_Reduce_scatter` with `MPI_SUM`: the backward of `allgather(_:counts:into:)`. Every
    /// rank passes a full `[Σ counts]` buffer (its contribution to every rank's block); rank r
    /// receives, in `own`, the sum over ranks of block r.
    ///
    /// - Parameters:
    ///   - buffer: `[Σ counts]` elements, read.
    ///   - counts: `[size]` element counts, identical on every rank.
    ///   - own: `[counts[rank]]` elements, written.
    public func reduceScatterSum<T: MPIScalar>(
        _ buffer: UnsafeBufferPointer<T>, counts: [Int], into own: UnsafeMutableBufferPointer<T>
    ) throws(MPIError) {
        assertOnMPIThread()
        let (counts32, _) = blockLayout(counts, gathered: buffer.count)
        precondition(
            own.count == counts[rank], "reduceScatterSum: \(own.count) own elements, counts say \(counts[rank])")
        CollectiveWatch.shared.begin("MPI_Reduce_scatter")
        defer { CollectiveWatch.shared.end() }
        let result = counts32.withUnsafeBufferPointer { c in
            MPI_Reduce_scatter(
                buffer.baseAddress, own.baseAddress, c.baseAddress, T.mpiDatatype, ReduceOperation.sum.handle, world)
        }
        try checkMPI(result, "MPI_Reduce_scatter")
    }

    /// `counts` and their running offsets as C ints; stops on a count list that does not
    /// describe `gathered` elements over this group.
    private func blockLayout(_ counts: [Int], gathered: Int) -> ([Int32], [Int32]) {
        precondition(counts.count == size, "\(counts.count) per-rank counts for \(size) ranks")
        let total = counts.reduce(0, +)
        precondition(
            counts.allSatisfy { $0 >= 0 } && total == gathered,
            "per-rank counts \(counts) do not add up to the \(gathered) gathered elements")
        precondition(total <= Int(Int32.max), "gathering \(total) elements exceeds MPI's Int32 displacements")
        var displacements: [Int32] = []
        displacements.reserveCapacity(size)
        var offset = 0
        for count in counts {
            displacements.append(Int32(offset))
            offset += count
        }
        return (counts.map { Int32($0) }, displacements)
    }
}
