import Foundation
import JSON

#if canImport(Glibc)
    import Glibc
#endif

/// The sweep's shared queue: files in `OUTPUT/queue/`, so that the groups of one job and the
/// jobs of a Slurm job array (which share nothing but the file system) take jobs from one list.
///
///     queue/lock                       flock(2)ed around every decision (read, decide, claim)
///     queue/trial-<t>.rung-<k>.claim   created (O_CREAT|O_EXCL) when a group takes the job;
///                                      its taker holds flock on it until the job's record is
///                                      written, so a claim nobody holds is abandoned
///     queue/trial-<t>.rung-<k>.json    the job's result (`Sweep.jsonLine`), written whole
///     queue/stopped.<run>              a job of process `run` stopped on request (SIGUSR1)
///
/// Why files rather than rank 0 handing out work over MPI: the job-array variant has no MPI
/// between its jobs, and rank 0 trains a trial itself (with no progress thread it could answer
/// only between its own steps). A flock is released by the kernel when its process dies, so
/// a killed job never leaves the queue locked, and its claims read as abandoned: the next
/// taker reruns them (resuming from the trial's checkpoints). The file system must honour
/// flock across the nodes that share it (local disks, NFS, Lustre mounted with `flock`).
final class TrialQueue {
    let directory: String

    init(output: String) { directory = output + "/queue" }

    func path(_ job: TrialSchedule.Job, _ suffix: String) -> String {
        directory + "/trial-\(job.trial).rung-\(job.rung).\(suffix)"
    }

    /// Whether the directory holds any claim (a sweep was started in it).
    var isStarted: Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.contains { $0.hasSuffix(".claim") }
    }

    /// Runs `body` holding the queue's lock (blocking until the holder releases it).
    func locked<T>(_ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fd = open(directory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("open", directory + "/lock") }
        defer { close(fd) }  // closing releases the lock
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw failure("flock", directory + "/lock") }
        }
        return try body()
    }

    /// A job this process holds; `release` (or deinit) lets it go.
    final class Claim {
        let job: TrialSchedule.Job
        private var fd: Int32
        init(job: TrialSchedule.Job, fd: Int32) {
            self.job = job
            self.fd = fd
        }
        func release() {
            if fd >= 0 { close(fd) }
            fd = -1
        }
        deinit { release() }
    }

    /// What is recorded: every job's record (one file per job: its final record — paused,
    /// finished or failed —, or `stopped`, an interrupted job to rerun), in job order; every
    /// claimed job; and the claimed jobs without a final record that nobody holds. Call inside
    /// `locked`.
    func state() throws -> (results: [Sweep.Result], claimed: Set<TrialSchedule.Job>, abandoned: [TrialSchedule.Job]) {
        var results: [Sweep.Result] = []
        var claimed = Set<TrialSchedule.Job>()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            guard let job = Self.job(named: name) else { continue }
            if name.hasSuffix(".claim") { claimed.insert(job) }
            if name.hasSuffix(".json") {
                let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
                do {
                    results.append(try Sweep.result(Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))))
                } catch {
                    throw CheckpointError(
                        "\(directory)/\(name): not a sweep record (\(error)); remove it to rerun the job")
                }
            }
        }
        let final = Set(results.filter(\.isFinal).map(\.job))
        let abandoned = try claimed.subtracting(final).filter { try !isHeld($0) }.sorted()
        return (results.sorted { $0.job < $1.job }, claimed, abandoned)
    }

    /// Takes `job`: a new claim file, or the abandoned one, noting `run` (which sweep process
    /// took it: world rank 0's host and pid). Call inside `locked`.
    func claim(_ job: TrialSchedule.Job, abandoned: Bool, run: String = "") throws -> Claim {
        let file = path(job, "claim")
        let fd = open(file, O_RDWR | O_CLOEXEC | (abandoned ? 0 : O_CREAT | O_EXCL), 0o644)
        guard fd >= 0 else { throw failure("create", file) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw failure("flock", file)
        }
        // For people reading the directory: who holds it.
        let note = "\(ProcessInfo.processInfo.hostName) pid \(getpid()) run \(run) \(Date())\n"
        _ = ftruncate(fd, 0)
        _ = note.withCString { pwrite(fd, $0, strlen($0), 0) }
        return Claim(job: job, fd: fd)
    }

    /// Writes the job's record (temporary file, rename); the claim is released after it, so no
    /// reader sees a job neither held nor recorded.
    func record(_ result: Sweep.Result, claim: Claim) throws {
        let file = path(claim.job, "json")
        try Sweep.replace(file, with: Sweep.jsonLine(result) + "\n")
        claim.release()
    }

    /// Notes that a job of `run` stopped on request, so that its other groups take no more.
    func markStopped(run: String) throws {
        try Sweep.replace(directory + "/stopped." + run, with: "\(Date())\n")
    }

    func isStopped(run: String) -> Bool { FileManager.default.fileExists(atPath: directory + "/stopped." + run) }

    /// The `run` noted in the job's claim ("" when unreadable).
    func run(of job: TrialSchedule.Job) -> String {
        let note = (try? String(contentsOfFile: path(job, "claim"), encoding: .utf8)) ?? ""
        let words = note.split(separator: " ")
        guard let index = words.firstIndex(of: "run"), index + 1 < words.count else { return "" }
        return String(words[index + 1])
    }

    /// Whether a live process holds the job's claim (a lock attempt fails).
    private func isHeld(_ job: TrialSchedule.Job) throws -> Bool {
        let fd = open(path(job, "claim"), O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", path(job, "claim")) }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return false }
        guard errno == EWOULDBLOCK else { throw failure("flock", path(job, "claim")) }
        return true
    }

    /// `trial-<t>.rung-<k>.claim` or `.json` → the job.
    static func job(named name: String) -> TrialSchedule.Job? {
        let parts = name.split(separator: ".")
        guard parts.count == 3, parts[0].hasPrefix("trial-"), parts[1].hasPrefix("rung-"),
            let trial = Int(parts[0].dropFirst(6)), let rung = Int(parts[1].dropFirst(5))
        else { return nil }
        return TrialSchedule.Job(trial: trial, rung: rung)
    }

    private func failure(_ call: String, _ file: String) -> CheckpointError {
        CheckpointError(
            "\(file): \(call) failed (\(String(cString: strerror(errno)))); the sweep's queue needs a writable "
                + "directory on a file system with working flock")
    }
}
