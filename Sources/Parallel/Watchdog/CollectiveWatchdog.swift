import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Ends the job when a rank has been inside one collective longer than a deadline. A rank
/// that stops without exiting (SIGSTOP, a frozen node, a cut link) otherwise leaves every
/// other rank waiting in a collective for ever: Open MPI has no timeout there.
///
/// A thread on every rank, which makes no MPI call: it reads `CollectiveWatch.shared`, sends
/// a heartbeat each interval over UDP to the monitors (ranks 0 and 1), and past the deadline
/// prints what the rank is blocked in and exits with status 69, which makes the launcher
/// end the job. The monitors also print which ranks have not arrived: those not heard from
/// lately, or heard outside a collective. Rank 0 reports at the deadline, rank 1 a few
/// seconds later (it speaks when rank 0 is the one that stopped), the others after that.
public final class CollectiveWatchdog: @unchecked Sendable {
    /// EX_UNAVAILABLE: a rank or its node stopped answering.
    public static let exitStatus: Int32 = 69

    let timeout: Double
    let rank: Int
    let size: Int
    let socket: HeartbeatSocket
    let monitors: [sockaddr_in]
    let isMonitor: Bool
    /// Seconds between heartbeats.
    let interval: Double
    /// Last heartbeat from each rank and when it came (monitors; the watchdog thread only).
    var heard: [Int: (heartbeat: Heartbeat, at: Double)] = [:]

    /// Starts the watchdog on every rank (collective: the monitors' addresses are broadcast,
    /// so every rank calls it with the same `timeout`). Returns nil when `timeout` is 0
    /// (disabled) or this rank cannot open a UDP socket (it then goes unwatched; the
    /// broadcasts still happen, so no rank is left waiting).
    public static func start(timeout: Double, communicator: Communicator) throws(MPIError) -> CollectiveWatchdog? {
        guard timeout > 0 else { return nil }
        let socket = try? HeartbeatSocket()
        var monitors: [sockaddr_in] = []
        for monitor in 0..<min(2, communicator.size) {
            let address = try communicator.broadcast(
                string: communicator.rank == monitor ? socket?.reachableAs ?? "" : nil, root: monitor)
            monitors += HeartbeatSocket.destinations(address)
        }
        guard let socket else { return nil }
        let watchdog = CollectiveWatchdog(
            timeout: timeout, communicator: communicator, socket: socket, monitors: monitors)
        Thread.detachNewThread { watchdog.run() }
        return watchdog
    }

    init(timeout: Double, communicator: Communicator, socket: HeartbeatSocket, monitors: [sockaddr_in]) {
        self.timeout = timeout
        rank = communicator.rank
        size = communicator.size
        self.socket = socket
        self.monitors = monitors
        isMonitor = communicator.rank < 2
        interval = min(1, max(timeout / 5, 0.2))
    }

    /// Extra seconds past the deadline before this rank ends the job: rank 0 first, so that
    /// its report (which names the missing ranks) is the one printed.
    var grace: Double { rank == 0 ? 0 : rank == 1 ? 5 : 10 }

    func run() {
        while true {
            let watched = CollectiveWatch.shared.snapshot
            let now = monotonicSeconds()
            let blocked = watched.call == nil ? -1 : now - watched.since
            socket.send(Heartbeat(rank: rank, step: watched.step, secondsInCollective: blocked), to: monitors)
            if blocked > timeout + grace { end(watched, blocked: blocked) }
            if isMonitor {
                let until = monotonicSeconds() + interval
                while monotonicSeconds() < until {
                    if let beat = socket.receive() { heard[beat.rank] = (beat, monotonicSeconds()) }
                }
            } else {
                usleep(UInt32(interval * 1e6))
            }
        }
    }

    /// Prints the report and exits; the launcher then ends the other ranks.
    func end(_ watched: CollectiveWatch.Snapshot, blocked: Double) -> Never {
        let call = watched.call.map { "\($0)" } ?? "?"
        var message =
            "[rank \(rank)] error: collective \(call) at step \(watched.step) unfinished after \(Int(blocked)) s "
            + "(--collective-timeout \(Int(timeout)))"
        if isMonitor {
            message += "; " + arrivals(now: monotonicSeconds())
        } else {
            message += "; ranks 0 and 1 name the ranks that did not arrive"
        }
        message +=
            "; ending the job (status \(Self.exitStatus)); resume with --resume auto from the newest checkpoint\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        _exit(Self.exitStatus)
    }

    /// Which ranks have not arrived: not heard from within a few intervals, or heard while
    /// outside any collective.
    func arrivals(now: Double) -> String {
        let recent = 3 * interval + 1
        var missing: [String] = []
        for other in 0..<size where other != rank {
            guard let (beat, at) = heard[other] else {
                missing.append("rank \(other) (never heard from)")
                continue
            }
            let age = now - at
            if age > recent {
                missing.append("rank \(other) (silent for \(Int(age)) s; last at step \(beat.step))")
            } else if beat.secondsInCollective < 0 {
                missing.append("rank \(other) (at step \(beat.step), not in a collective)")
            }
        }
        if missing.isEmpty { return "every rank is inside a collective: MPI itself is stalled (a cut link?)" }
        return "not arrived: " + missing.joined(separator: ", ")
    }
}
