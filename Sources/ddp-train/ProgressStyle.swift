/// How rank 0 shows training progress: a bar redrawn in place, or one log line per logging
/// step. Decided once, from the launch environment, by `choose`.
enum ProgressStyle: String, Equatable {
    case bar
    case lines

    /// Variables an MPI launcher sets in every rank: Open MPI's mpirun, PMIx launchers (Open
    /// MPI 5, srun --mpi=pmix) and PMI ones (MPICH's hydra, srun --mpi=pmi2).
    static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"]

    /// The style for a process started with `environment` (read before MPI starts, since
    /// MPI_Init may add launcher variables of its own) whose standard output is a terminal
    /// or not. In order:
    /// 1. `DDP_TRAIN_PROGRESS=bar|lines` decides: the user knows where the output goes.
    /// 2. Under an MPI launcher: lines. mpirun hands each rank a pseudo-terminal of its own
    ///    whatever mpirun's own output is, so a rank cannot tell a person's terminal from a
    ///    batch log, and a bar in a log is one line of carriage returns. Lines read well on
    ///    a terminal too, so the cheap error is the one taken.
    /// 3. In a Slurm batch job (`SLURM_JOB_ID` without `SLURM_PTY_PORT`, which only
    ///    `srun --pty` sets): lines; the output goes to the job's log file.
    /// 4. `TERM` unset, empty or `dumb`: lines; nothing that draws in place is there.
    /// 5. Otherwise a bar if standard output is a terminal, else lines (a file or a pipe).
    static func choose(environment: [String: String], standardOutputIsTerminal: Bool) -> ProgressStyle {
        switch environment["DDP_TRAIN_PROGRESS"] {
        case "bar": return .bar
        case "lines": return .lines
        default: break
        }
        func isSet(_ name: String) -> Bool { !(environment[name] ?? "").isEmpty }
        if launcherVariables.contains(where: isSet) { return .lines }
        if isSet("SLURM_JOB_ID") && !isSet("SLURM_PTY_PORT") { return .lines }
        guard let term = environment["TERM"], !term.isEmpty, term != "dumb" else { return .lines }
        return standardOutputIsTerminal ? .bar : .lines
    }
}
