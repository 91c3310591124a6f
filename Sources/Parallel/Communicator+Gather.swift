import CMPI

extension Communicator {
    /// `MPI_Gather`: `root` receives every rank's `values`, rank after rank, in `gathered`; the
    /// other ranks only send. For small per-rank records (a logging step's timings), so it is
    /// one call, not chunked.
    ///
    /// - Parameters:
    ///   - values: `[n]`, the same `n` on every rank, `n * size` at most `Int32.max`.
    ///   - gathered: on `root`, `[size * n]`, written: `gathered[r * n + i]` = rank r's
    ///     `values[i]`; ignored elsewhere (pass an empty buffer).
    public func gather<T: MPIScalar>(
        _ values: UnsafeBufferPointer<T>, into gathered: UnsafeMutableBufferPointer<T>, root: Int
    ) throws(MPIError) {
        assertOnMPIThread()
        precondition((0..<size).contains(root), "gather root \(root) is not a rank of 0..<\(size)")
        precondition(values.count * size <= Int(Int32.max), "gather of \(values.count) × \(size) is too large")
        if rank == root {
            precondition(
                gathered.count == values.count * size,
                "gather needs \(values.count) × \(size) slots on the root, got \(gathered.count)")
        }
        try checkMPI(
            MPI_Gather(
                values.baseAddress, Int32(values.count), T.mpiDatatype,
                rank == root ? gathered.baseAddress : nil, Int32(values.count), T.mpiDatatype, Int32(root), world),
            "MPI_Gather")
    }
}
