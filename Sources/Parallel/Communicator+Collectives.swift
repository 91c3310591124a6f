import CMPI

// Blocking collectives on MPI_COMM_WORLD. Each wrapper is one MPI call per chunk of at most
// `maxElementsPerCall` elements, in place on the caller's memory; nothing is allocated.
// Every rank must pass the same element count (and the same root).
extension Communicator {
    /// `MPI_Barrier` on the world communicator.
    public func barrier() throws(MPIError) {
        assertOnMPIThread()
        try watched("MPI_Barrier") { () throws(MPIError) in try checkMPI(MPI_Barrier(world), "MPI_Barrier") }
    }

    /// `MPI_Bcast`: afterwards every rank's `buffer` holds `root`'s contents.
    ///
    /// - Parameters:
    ///   - buffer: `[n]` elements, the same `n` on every rank; read on `root`, written elsewhere.
    ///   - root: the rank that sends, `0..<size`.
    public func broadcast<T: MPIScalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int) throws(MPIError) {
        assertOnMPIThread()
        precondition((0..<size).contains(root), "broadcast root \(root) is not a rank of 0..<\(size)")
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            let count = min(maxElementsPerCall, buffer.count - offset)
            try watched("MPI_Bcast") { () throws(MPIError) in
                try checkMPI(MPI_Bcast(base + offset, Int32(count), T.mpiDatatype, Int32(root), world), "MPI_Bcast")
            }
            offset += count
        }
    }

    /// Broadcasts one value from `root` into `value` on every rank.
    public func broadcast<T: MPIScalar>(_ value: inout T, root: Int) throws(MPIError) {
        try withUnsafeMutablePointer(to: &value) { (pointer) throws(MPIError) in
            try broadcast(UnsafeMutableBufferPointer(start: pointer, count: 1), root: root)
        }
    }

    /// The sum over ranks of `Float`s, in place: afterwards every rank's `buffer[i]` is the sum
    /// over ranks of `buffer[i]`, bitwise identical on every rank. Sums, not means: scaling is
    /// the caller's. Buffers of `ringThreshold` floats or more go around a ring of
    /// `MPI_Sendrecv` (`ringAllreduceSum`), shorter ones through `MPI_Allreduce(MPI_IN_PLACE)`.
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws(MPIError) {
        if size > 1 && buffer.count >= Self.ringThreshold {
            assertOnMPIThread()
            try ringAllreduceSum(buffer)
        } else {
            try allreduce(buffer, operation: .sum)
        }
    }

    /// `MPI_Allreduce(MPI_IN_PLACE, …)` with `operation`, element-wise over `buffer` (`[n]`,
    /// same `n` on every rank).
    public func allreduce<T: MPIScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>,
        operation: ReduceOperation
    ) throws(MPIError) {
        assertOnMPIThread()
        guard let base = buffer.baseAddress else { return }
        let op = operation.handle
        var offset = 0
        while offset < buffer.count {
            let count = min(maxElementsPerCall, buffer.count - offset)
            try watched("MPI_Allreduce") { () throws(MPIError) in
                try checkMPI(
                    MPI_Allreduce(cmpi_in_place(), base + offset, Int32(count), T.mpiDatatype, op, world),
                    "MPI_Allreduce")
            }
            offset += count
        }
    }

    /// Reduces one scalar over all ranks and returns the result (e.g. a sample count, a loss
    /// sum, a maximum step time).
    public func allreduce<T: MPIScalar>(_ value: T, operation: ReduceOperation) throws(MPIError) -> T {
        var result = value
        try withUnsafeMutablePointer(to: &result) { (pointer) throws(MPIError) in
            try allreduce(UnsafeMutableBufferPointer(start: pointer, count: 1), operation: operation)
        }
        return result
    }

    /// `MPI_Allgather` of one value per rank: afterwards `gathered[r]` holds rank `r`'s
    /// `value` on every rank.
    ///
    /// - Parameter gathered: `[size]` elements, written.
    public func allgather<T: MPIScalar>(_ value: T, into gathered: UnsafeMutableBufferPointer<T>) throws(MPIError) {
        assertOnMPIThread()
        precondition(gathered.count == size, "allgather needs \(size) slots, got \(gathered.count)")
        var local = value
        try watched("MPI_Allgather") { () throws(MPIError) in
            try checkMPI(
                MPI_Allgather(&local, 1, T.mpiDatatype, gathered.baseAddress, 1, T.mpiDatatype, world),
                "MPI_Allgather")
        }
    }

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
        try watched("MPI_Gather") { () throws(MPIError) in
            try checkMPI(
                MPI_Gather(
                    values.baseAddress, Int32(values.count), T.mpiDatatype, rank == root ? gathered.baseAddress : nil,
                    Int32(values.count), T.mpiDatatype, Int32(root), world),
                "MPI_Gather")
        }
    }
}
