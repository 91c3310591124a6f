import CMPI
#if canImport(Glibc)
    import Glibc
#endif

/// A group of ranks and the collectives the trainer uses, each a thin wrapper over one MPI
/// call: `init()` makes the process's handle on `MPI_COMM_WORLD`; `split(color:key:)` makes
/// sub-groups of it (`MPI_Comm_split`), each a `Communicator` of its own, so that a trainer
/// runs on a group (a sweep's trial) exactly as it runs on the world.
///
/// Contract:
/// - Exactly one world `Communicator` per process, created before any other MPI use; MPI
///   cannot be initialised twice, and a second `init()` is a programmer error (`precondition`).
/// - Every MPI call happens on the thread that created it (`MPI_THREAD_FUNNELED`): worker
///   threads (BLAS, `concurrentPerform`) never touch MPI. Debug builds check this.
/// - Collectives operate in place on caller-owned memory and allocate nothing on the Swift
///   side (but the ring `allreduceSum`'s receive buffer, grown once to the largest part); counts
///   larger than `maxElementsPerCall` are split into several calls, so a slab may exceed
///   `Int32.max` elements.
/// - Errors come back as `MPIError` (the world communicator uses `MPI_ERRORS_RETURN`). They
///   are fatal for the job: report, then `abort(code:)`, so that no rank waits forever.
/// - Every rank must call the same collectives in the same order, including ranks whose
///   share of a batch is empty.
public final class Communicator {
    /// This process's rank in the group, `0..<size`.
    public let rank: Int
    /// Number of ranks in the group.
    public let size: Int
    /// Rank among the processes sharing this node's memory (`MPI_COMM_TYPE_SHARED`).
    public let localRank: Int
    /// Number of ranks on this node; divides the node's cores between them.
    public let localSize: Int
    /// `MPI_Get_processor_name`, usually the host name.
    public let processorName: String
    /// The thread level MPI granted (at least `MPI_THREAD_FUNNELED`).
    public let providedThreadLevel: Int32

    /// Largest element count passed to a single MPI call. Must lie in `1...Int(Int32.max)`;
    /// the default, 2^30, keeps every call well below the C `int` limit. Tests lower it to
    /// exercise the chunking on small buffers.
    public var maxElementsPerCall: Int = 1 << 30 {
        didSet {
            precondition(
                (1...Int(Int32.max)).contains(maxElementsPerCall),
                "maxElementsPerCall \(maxElementsPerCall) is outside 1...\(Int32.max)")
        }
    }

    /// True once `finalize()` has run; no MPI call is allowed afterwards.
    public private(set) var isFinalized = false

    /// The group's MPI communicator (`MPI_COMM_WORLD` for the world; the field keeps its name).
    let world: MPI_Comm
    private var node: MPI_Comm?
    /// A group made by `split`: its communicator is freed by `finalize`, MPI is not.
    private var splitHandle: MPI_Comm?
    /// `MPI_REQUEST_NULL`: what a completed request handle becomes.
    let requestNull: MPI_Request
    private let mpiThread: pthread_t
    /// The ring allreduce's receive buffer (`ringScratch`).
    private var ringBuffer: UnsafeMutableBufferPointer<Float>?

    deinit { ringBuffer?.deallocate() }

    /// The ring allreduce's receive buffer, at least `capacity` floats (allocated when a larger
    /// one is first needed, then kept).
    func ringScratch(capacity: Int) -> UnsafeMutablePointer<Float> {
        if let ringBuffer, ringBuffer.count >= capacity { return ringBuffer.baseAddress! }
        ringBuffer?.deallocate()
        ringBuffer = .allocate(capacity: max(capacity, 1))
        return ringBuffer!.baseAddress!
    }

    /// `MPI_Init_thread(MPI_THREAD_FUNNELED)`, then `MPI_ERRORS_RETURN` on the world
    /// communicator and a node-local communicator for `localRank`/`localSize`.
    ///
    /// Works under `mpirun`/`srun --mpi=pmix` and as a singleton (started directly).
    public init() throws(MPIError) {
        var initialized: Int32 = 0
        try checkMPI(MPI_Initialized(&initialized), "MPI_Initialized")
        precondition(initialized == 0, "MPI is already initialised: create one Communicator per process")

        var provided: Int32 = 0
        try checkMPI(MPI_Init_thread(nil, nil, cmpi_thread_funneled(), &provided), "MPI_Init_thread")
        guard provided >= cmpi_thread_funneled() else {
            throw MPIError(call: "MPI_Init_thread (provided thread level \(provided) < MPI_THREAD_FUNNELED)", code: 0)
        }
        providedThreadLevel = provided
        mpiThread = pthread_self()
        world = cmpi_comm_world()
        requestNull = cmpi_request_null()
        try checkMPI(MPI_Comm_set_errhandler(world, cmpi_errors_return()), "MPI_Comm_set_errhandler")

        (rank, size, localRank, localSize, node) = try Self.identity(world)
        processorName = try Self.processorName()
    }

    /// A group of the ranks of `parent` that passed the same `color`, ordered by `key` (then
    /// by parent rank). Errors return, as on the world.
    private init(splitting parent: Communicator, color: Int, key: Int) throws(MPIError) {
        var handle: MPI_Comm? = nil
        CollectiveWatch.shared.begin("MPI_Comm_split")
        defer { CollectiveWatch.shared.end() }
        try checkMPI(MPI_Comm_split(parent.world, Int32(color), Int32(key), &handle), "MPI_Comm_split")
        guard let handle else { throw MPIError(call: "MPI_Comm_split (no communicator)", code: 0) }
        world = handle
        splitHandle = handle
        requestNull = parent.requestNull
        mpiThread = parent.mpiThread
        providedThreadLevel = parent.providedThreadLevel
        processorName = parent.processorName
        maxElementsPerCall = parent.maxElementsPerCall
        (rank, size, localRank, localSize, node) = try Self.identity(handle)
    }

    /// Splits this group (collective: every rank calls it): ranks passing the same `color`
    /// form one new group, ranked by `key`. The parent stays usable.
    public func split(color: Int, key: Int) throws(MPIError) -> Communicator {
        assertOnMPIThread()
        return try Communicator(splitting: self, color: color, key: key)
    }

    /// Rank and size in `comm`, and in the part of it on this node.
    private static func identity(_ comm: MPI_Comm) throws(MPIError) -> (Int, Int, Int, Int, MPI_Comm?) {
        var value: Int32 = 0
        try checkMPI(MPI_Comm_rank(comm, &value), "MPI_Comm_rank")
        let rank = Int(value)
        try checkMPI(MPI_Comm_size(comm, &value), "MPI_Comm_size")
        let size = Int(value)
        // The node communicator inherits MPI_ERRORS_RETURN from its parent.
        var nodeComm: MPI_Comm? = nil
        try checkMPI(
            MPI_Comm_split_type(comm, cmpi_comm_type_shared(), Int32(rank), cmpi_info_null(), &nodeComm),
            "MPI_Comm_split_type")
        try checkMPI(MPI_Comm_rank(nodeComm, &value), "MPI_Comm_rank")
        let localRank = Int(value)
        try checkMPI(MPI_Comm_size(nodeComm, &value), "MPI_Comm_size")
        return (rank, size, localRank, Int(value), nodeComm)
    }

    private static func processorName() throws(MPIError) -> String {
        let capacity = Int(cmpi_max_processor_name()) + 1
        var nameLength: Int32 = 0
        var nameBytes = [CChar](repeating: 0, count: capacity)
        try checkMPI(MPI_Get_processor_name(&nameBytes, &nameLength), "MPI_Get_processor_name")
        return String(decoding: nameBytes[..<Int(nameLength)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// True on rank 0, the rank that owns outputs (checkpoints, metrics, reports).
    public var isRoot: Bool { rank == 0 }

    /// Frees the node communicator and calls `MPI_Finalize` (a group made by `split` frees
    /// its own communicator instead; MPI goes on). Collective over the group. Calling it again
    /// does nothing.
    public func finalize() throws(MPIError) {
        guard !isFinalized else { return }
        assertOnMPIThread()
        if node != nil {
            try checkMPI(MPI_Comm_free(&node), "MPI_Comm_free")
        }
        isFinalized = true
        if splitHandle != nil {
            try checkMPI(MPI_Comm_free(&splitHandle), "MPI_Comm_free")
            return
        }
        try checkMPI(MPI_Finalize(), "MPI_Finalize")
    }

    /// Ends the whole job: flushes stdio, then `MPI_Abort`, which makes the launcher kill every
    /// rank (so none is left in a collective). Use after a fatal error on this rank.
    public func abort(code: Int32 = 1) -> Never {
        fflush(nil)  // every stdio stream
        if !isFinalized {
            _ = MPI_Abort(world, code)
        }
        exit(code)
    }

    /// `MPI_Wtime`: seconds since an arbitrary point, for timing.
    public func wallTime() -> Double { MPI_Wtime() }

    /// Debug-build check of the `MPI_THREAD_FUNNELED` contract.
    @inline(__always)
    func assertOnMPIThread() {
        assert(
            pthread_equal(pthread_self(), mpiThread) != 0,
            "MPI called off the thread that initialised it (MPI_THREAD_FUNNELED)")
    }
}
