import Parallel

extension Communicator {
    /// Runs `body` on every rank and agrees on the outcome with one collective: if any rank
    /// failed, every rank throws — the lowest failing rank its own error, the others
    /// `PeerFailure` — so that no rank goes on into a collective alone, and the error is
    /// printed once.
    @discardableResult
    public func agreeing<T>(_ body: () throws -> T) throws -> T {
        let outcome = Result { try body() }
        let failed: Int64 = { if case .failure = outcome { return Int64(rank) }; return Int64.max }()
        let lowestFailing = try allreduce(failed, operation: .min)
        if lowestFailing == Int64.max { return try outcome.get() }
        if case .failure(let error) = outcome, lowestFailing == Int64(rank) { throw error }
        throw PeerFailure(rank: Int(lowestFailing))
    }
}

/// Another rank failed while this one succeeded; that rank reports the error.
public struct PeerFailure: Error, CustomStringConvertible {
    public let rank: Int
    public var description: String { "rank \(rank) failed (its error is printed above)" }
}
