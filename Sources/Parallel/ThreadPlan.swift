import CMPI
#if canImport(Glibc)
    import Glibc
#endif

/// How many BLAS / compute threads a rank should run: the node's cores divided among the
/// ranks on the node, so 8 ranks on 2 cores do not each start 2 threads. Only computes the
/// number; the caller sets it (OpenBLAS, `concurrentPerform` width).
///
/// Precedence: `DDP_TRAIN_THREADS`, then `OPENBLAS_NUM_THREADS`, then `OMP_NUM_THREADS` (the
/// order OpenBLAS itself reads its variables in), then
/// `max(1, min(cpusThisRankMayUse, cpusOnline / ranksOnNode))`. The affinity term matters
/// when the launcher binds ranks (Open MPI binds each rank to one core when np ≤ 2): a rank
/// pinned to one core gains nothing from a second thread.
public struct ThreadPlan: Sendable, Equatable, CustomStringConvertible {
    /// Threads for this rank, ≥ 1.
    public let threads: Int
    /// Where the number came from: an environment variable's name, or "computed".
    public let source: String
    public let onlineCPUs: Int
    public let affinityCPUs: Int
    public let ranksOnNode: Int

    /// - Parameters:
    ///   - ranksOnNode: `Communicator.localSize`.
    ///   - environment: variable lookup (default: the process environment).
    ///   - onlineCPUs, affinityCPUs: defaults read from the system.
    /// - Throws: `ThreadPlanError` when `DDP_TRAIN_THREADS` is set but not a positive integer.
    ///   A malformed OpenBLAS/OpenMP variable is ignored (its owners accept forms such as
    ///   OpenMP's "4,2", of which the first number is taken).
    public init(
        ranksOnNode: Int,
        environment: (String) -> String? = { getenv($0).map { String(cString: $0) } },
        onlineCPUs: Int = ThreadPlan.onlineCPUCount(),
        affinityCPUs: Int = ThreadPlan.affinityCPUCount()
    ) throws(ThreadPlanError) {
        precondition(ranksOnNode > 0, "ranksOnNode \(ranksOnNode) must be positive")
        self.onlineCPUs = onlineCPUs
        self.affinityCPUs = affinityCPUs
        self.ranksOnNode = ranksOnNode
        if let value = environment("DDP_TRAIN_THREADS"), !value.isEmpty {
            guard let threads = Int(value.trimmingSpaces), threads > 0 else {
                throw ThreadPlanError(variable: "DDP_TRAIN_THREADS", value: value)
            }
            self.threads = threads
            self.source = "DDP_TRAIN_THREADS"
            return
        }
        for name in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"] {
            if let value = environment(name),
                let first = value.split(separator: ",").first,
                let threads = Int(String(first).trimmingSpaces), threads > 0
            {
                self.threads = threads
                self.source = name
                return
            }
        }
        let share = max(1, onlineCPUs) / ranksOnNode
        self.threads = max(1, min(max(1, affinityCPUs), share))
        self.source = "computed"
    }

    /// True when the launcher's CPU binding, not the node's cores, set the number: e.g.
    /// `mpirun -np 1` binds its one rank to one core. Worth a hint to the user.
    public var isLimitedByBinding: Bool {
        source == "computed" && affinityCPUs < max(1, onlineCPUs) / ranksOnNode
    }

    public var description: String {
        guard source == "computed" else { return "\(threads) thread(s) per rank (from \(source))" }
        let hint =
            isLimitedByBinding
            ? "; the launcher bound this rank to \(affinityCPUs) CPU(s): mpirun --bind-to none (or --map-by "
                + "slot:PE=n) gives it more"
            : ""
        return
            "\(threads) thread(s) per rank (\(onlineCPUs) CPUs online, \(affinityCPUs) usable by this rank, "
            + "\(ranksOnNode) rank(s) on the node\(hint))"
    }

    /// `sysconf(_SC_NPROCESSORS_ONLN)`.
    public static func onlineCPUCount() -> Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// CPUs in this process's affinity mask (`sched_getaffinity`), or the online count if
    /// the mask cannot be read.
    public static func affinityCPUCount() -> Int {
        var set = cpu_set_t()
        guard cmpi_sched_getaffinity(&set) == 0 else { return onlineCPUCount() }
        let count = withUnsafeBytes(of: &set) { bytes in
            bytes.reduce(0) { $0 + $1.nonzeroBitCount }
        }
        return max(1, count)
    }
}

/// `DDP_TRAIN_THREADS` holds something other than a positive integer.
public struct ThreadPlanError: Error, CustomStringConvertible, Sendable {
    public let variable: String
    public let value: String

    public var description: String {
        "\(variable)=\"\(value)\" is not a positive integer; hint: unset it to use cores ÷ ranks per node, or set "
            + "e.g. \(variable)=1"
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
