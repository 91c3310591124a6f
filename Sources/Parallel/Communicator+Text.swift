import Foundation

// Setup-time broadcasts of variable-length values (the resolved config as JSON, a label
// list, a run id). They allocate, so they belong outside the training step.
extension Communicator {
    /// Broadcasts `root`'s bytes to every rank: first the length, then the bytes.
    ///
    /// - Parameter data: the payload on `root`; ignored (may be nil) elsewhere.
    /// - Returns: `root`'s bytes, on every rank.
    public func broadcast(data: Data?, root: Int) throws(MPIError) -> Data {
        var length = Int64(rank == root ? (data?.count ?? 0) : 0)
        try broadcast(&length, root: root)
        var bytes = [UInt8](repeating: 0, count: Int(length))
        if rank == root, let data { data.copyBytes(to: &bytes, count: Int(length)) }
        try bytes.withUnsafeMutableBufferPointer { (buffer) throws(MPIError) in
            try broadcast(buffer, root: root)
        }
        return Data(bytes)
    }

    /// Broadcasts `root`'s string (UTF-8) to every rank.
    ///
    /// - Parameter string: the text on `root`; ignored (may be nil) elsewhere.
    public func broadcast(string: String?, root: Int) throws(MPIError) -> String {
        let data = try broadcast(data: rank == root ? string.map { Data($0.utf8) } : nil, root: root)
        return String(decoding: data, as: UTF8.self)
    }
}
