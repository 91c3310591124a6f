import Parallel
import Text

/// How an error ends the program, so that every rank exits with the same status.
public enum FailureKind: String, Sendable {
    /// An option or combination of options that cannot work.
    case usage
    /// A data file that cannot be used.
    case data
    /// A checkpoint or model that could not be written (`StorageError`).
    case storage
    /// Anything else (model files, checkpoints, MPI, the file system).
    case other

    public init(of error: Error) {
        switch error {
        case is OptionError: self = .usage
        case is DataError: self = .data
        case is StorageError: self = .storage
        case let peer as PeerFailure: self = peer.kind
        default: self = .other
        }
    }
}

extension Communicator {
    /// Runs `body` on every rank and agrees on the outcome with collectives, so that no rank
    /// goes on into a collective alone: if any rank failed, every rank throws — the lowest
    /// failing rank its own error, the others a `PeerFailure` carrying that error's message
    /// and kind (sent from the failing rank), so all can exit alike and rank 0 can print it.
    @discardableResult
    public func agreeing<T>(_ body: () throws -> T) throws -> T {
        let outcome = Result { try body() }
        let failed: Int64 = {
            if case .failure = outcome { return Int64(rank) }; return Int64.max
        }()
        let lowestFailing = try allreduce(failed, operation: .min)
        if lowestFailing == Int64.max { return try outcome.get() }
        let root = Int(lowestFailing)
        var report: String?
        if case .failure(let error) = outcome, root == rank {
            report = FailureKind(of: error).rawValue + "\n" + "\(error)"
        }
        let received = try broadcast(string: report, root: root)
        if case .failure(let error) = outcome, root == rank { throw error }
        let parts = received.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        throw PeerFailure(
            rank: root, kind: FailureKind(rawValue: String(parts[0])) ?? .other,
            message: parts.count > 1 ? String(parts[1]) : "")
    }
}

/// Another rank failed while this one succeeded: its rank, and its error's kind and message.
public struct PeerFailure: Error, CustomStringConvertible {
    public let rank: Int
    public let kind: FailureKind
    public let message: String
    public var description: String { message }
}
