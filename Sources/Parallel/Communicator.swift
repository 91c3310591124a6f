import CMPI
#if canImport(Glibc)
    import Glibc
#endif

/// The process's handle on `MPI_COMM_WORLD`: identity (rank, size, ranks on this node) and
/// the collectives the trainer uses, each a thin wrapper over one MPI call.
///
/// Contract:
/// - Exactly one `Communicator` per process, created before any other MPI use; MPI cannot be
///   initialised twice, and a second `init()` is a programmer error (`precondition`).
/// - Every MPI call happens on the thread that created it (`MPI_THREAD_FUNNELED`): worker
///   threads (BLAS, `concurrentPerform`) never touch MPI. Debug builds check this.
/// - Collectives operate in place on caller-owned memory and allocate nothing on the Swift
///   side; counts larger than `maxElementsPerCall` are split into several calls, so a slab
///   may exceed `Int32.max` elements.
/// - Errors come back as `MPIError` (the world communicator uses `MPI_ERRORS_RETURN`). They
///   are fatal for the job: report, then `abort(code:)`, so that no rank waits forever.
/// - Every rank must call the same collectives in the same order, including ranks whose
///   share of a batch is empty.
public final class Communicator {
    /// This process's rank in `MPI_COMM_WORLD`, `0..<size`.
    public let rank: Int
    /// Number of ranks in `MPI_COMM_WORLD`.
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

    let world: MPI_Comm
    private var node: MPI_Comm?
    /// `MPI_REQUEST_NULL`: what a completed request handle becomes.
    let requestNull: MPI_Request
    private let mpiThread: pthread_t

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

        var value: Int32 = 0
        try checkMPI(MPI_Comm_rank(world, &value), "MPI_Comm_rank")
        rank = Int(value)
        try checkMPI(MPI_Comm_size(world, &value), "MPI_Comm_size")
        size = Int(value)

        // The node communicator inherits MPI_ERRORS_RETURN from its parent.
        var nodeComm: MPI_Comm? = nil
        try checkMPI(
            MPI_Comm_split_type(world, cmpi_comm_type_shared(), Int32(rank), cmpi_info_null(), &nodeComm),
            "MPI_Comm_split_type")
        node = nodeComm
        try checkMPI(MPI_Comm_rank(nodeComm, &value), "MPI_Comm_rank")
        localRank = Int(value)
        try checkMPI(MPI_Comm_size(nodeComm, &value), "MPI_Comm_size")
        localSize = Int(value)

        let capacity = Int(cmpi_max_processor_name()) + 1
        var nameLength: Int32 = 0
        var nameBytes = [CChar](repeating: 0, count: capacity)
        try checkMPI(MPI_Get_processor_name(&nameBytes, &nameLength), "MPI_Get_processor_name")
        processorName = String(decoding: nameBytes[..<Int(nameLength)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// True on rank 0, the rank that owns outputs (checkpoints, metrics, reports).
    public var isRoot: Bool { rank == 0 }

    /// Frees the node communicator and calls `MPI_Finalize`. Collective: every rank calls it.
    /// Calling it again does nothing.
    public func finalize() throws(MPIError) {
        guard !isFinalized else { return }
        assertOnMPIThread()
        if node != nil {
            try checkMPI(MPI_Comm_free(&node), "MPI_Comm_free")
        }
        isFinalized = true
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
