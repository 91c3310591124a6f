import CMPI

#if canImport(Glibc)
    import Glibc
#endif

extension Communicator {
    /// An in-flight nonblocking collective started by `startAllreduceSum(_:)`.
    ///
    /// Open MPI here has no progress thread: the reduction advances only while this rank is
    /// inside an MPI call, so call `test(_:)` regularly (between layers) and `wait(_:)` at
    /// the end. The buffer must stay untouched until the request completes.
    ///
    /// Holds one handle, plus extra handles only when the range exceeded
    /// `maxElementsPerCall` (never for gradient buckets, which are capped below it); so
    /// starting a bucket allocates nothing.
    public struct Request {
        var first: MPI_Request?
        var rest: [MPI_Request?] = []

        init(first: MPI_Request?) { self.first = first }

        /// A request that is already complete (`MPI_REQUEST_NULL`).
        public static var completed: Request { Request(first: cmpi_request_null()) }
    }

    /// `MPI_Iallreduce(MPI_IN_PLACE, …, MPI_FLOAT, MPI_SUM)` on `buffer`: starts summing it over
    /// all ranks and returns at once. Every rank must start the same ranges in the same order.
    ///
    /// - Parameter buffer: `[n]` floats, the same `n` on every rank; holds the sum once the
    ///   request completes.
    public func startAllreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws(MPIError) -> Request {
        assertOnMPIThread()
        var request = Request.completed
        guard let base = buffer.baseAddress, buffer.count > 0 else { return request }
        var offset = 0
        while offset < buffer.count {
            let count = min(maxElementsPerCall, buffer.count - offset)
            var handle: MPI_Request? = requestNull
            try checkMPI(
                MPI_Iallreduce(
                    cmpi_in_place(), base + offset, Int32(count), cmpi_float(), cmpi_sum(),
                    world, &handle), "MPI_Iallreduce")
            if offset == 0 { request.first = handle } else { request.rest.append(handle) }
            offset += count
        }
        return request
    }

    /// `MPI_Test`: drives MPI's progress engine and returns whether `request` is complete.
    /// Completed handles become `MPI_REQUEST_NULL`; testing a completed request returns true.
    public func test(_ request: inout Request) throws(MPIError) -> Bool {
        assertOnMPIThread()
        var done: Int32 = 1
        if request.first != requestNull {
            try checkMPI(MPI_Test(&request.first, &done, cmpi_status_ignore()), "MPI_Test")
        }
        if !request.rest.isEmpty {
            var restDone: Int32 = 0
            let count = Int32(request.rest.count)
            try request.rest.withUnsafeMutableBufferPointer { (handles) throws(MPIError) in
                try checkMPI(MPI_Testall(count, handles.baseAddress, &restDone, cmpi_statuses_ignore()), "MPI_Testall")
            }
            if restDone != 0 { request.rest.removeAll() } else { done = 0 }
        }
        return done != 0
    }

    /// `MPI_Wait`: blocks until `request` is complete.
    public func wait(_ request: inout Request) throws(MPIError) {
        assertOnMPIThread()
        CollectiveWatch.shared.begin("MPI_Wait")
        defer { CollectiveWatch.shared.end() }
        if request.first != requestNull {
            try checkMPI(MPI_Wait(&request.first, cmpi_status_ignore()), "MPI_Wait")
        }
        if !request.rest.isEmpty {
            let count = Int32(request.rest.count)
            try request.rest.withUnsafeMutableBufferPointer { (handles) throws(MPIError) in
                try checkMPI(MPI_Waitall(count, handles.baseAddress, cmpi_statuses_ignore()), "MPI_Waitall")
            }
            request.rest.removeAll()
        }
    }
}

extension Communicator {
    /// Waits until every rank of the group has called it: `MPI_Ibarrier`, polled with
    /// `MPI_Test` and a sleep of `pollSeconds` between polls. Unlike a blocking collective it
    /// neither spins a core nor counts for the collective watchdog — for ranks that finish
    /// their share long before the others (a sweep's groups, whose last trials may run for
    /// hours after the first group is done).
    public func waitForAll(pollSeconds: Double = 0.2) throws(MPIError) {
        assertOnMPIThread()
        var request = Request.completed
        try checkMPI(MPI_Ibarrier(world, &request.first), "MPI_Ibarrier")
        while try !test(&request) { usleep(UInt32(pollSeconds * 1e6)) }
    }
}
