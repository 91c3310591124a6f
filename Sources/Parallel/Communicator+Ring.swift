import CMPI

/// The sum of a large `Float` buffer over ranks as a ring (reduce-scatter, then allgather, with
/// `MPI_Sendrecv` to the neighbours), for `allreduceSum`.
///
/// Why not `MPI_Allreduce`: for the gradients' tens of megabytes, Open MPI 4.1's tuned choice on
/// two ranks of one node took 20–40 ms where its own ring algorithm took 11–12 ms (44 MB, this
/// machine; `coll_tuned_allreduce_algorithm` 4) — but forcing that algorithm through MCA
/// parameters would force it on every small allreduce too. The ring moves 2·(P−1)/P of the
/// buffer per rank, the least any allreduce can, in 2·(P−1) messages.
///
/// Each element is summed by one rank and copied to the others, so every rank gets the same
/// bits. The order of the additions is fixed by the ring (rank positions), not by timing.
extension Communicator {
    /// Buffers at least this long (floats) go around the ring when there are several ranks;
    /// shorter ones (marks, scalars, packed embedding rows) through `MPI_Allreduce`, where the
    /// ring's 2·(P−1) latencies would dominate.
    public static let ringThreshold = 1 << 18

    /// Sums `buffer` over the ranks by the ring; every rank passes the same count. Uses the
    /// communicator's receive buffer (`ringScratch`, grown to the largest part once).
    func ringAllreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws(MPIError) {
        guard let base = buffer.baseAddress, size > 1 else { return }
        let n = buffer.count, parts = size
        /// Part `k` of the buffer: `[k·n/P, (k+1)·n/P)`.
        func part(_ k: Int) -> Range<Int> {
            let k = (k % parts + parts) % parts
            return (k * n / parts)..<((k + 1) * n / parts)
        }
        let scratch = ringScratch(capacity: (n + parts - 1) / parts)
        let right = Int32((rank + 1) % size), left = Int32((rank + size - 1) % size)
        try watched("MPI_Sendrecv (ring allreduce)") { () throws(MPIError) in
            // Reduce-scatter: after P−1 steps this rank holds the whole sum of part rank+1.
            for step in 0..<(parts - 1) {
                let outgoing = part(rank - step), incoming = part(rank - step - 1)
                try exchange(
                    from: base + outgoing.lowerBound, count: outgoing.count, to: right,
                    into: scratch, count: incoming.count, from: left, tag: 1)
                let sums = base + incoming.lowerBound
                for i in 0..<incoming.count { sums[i] += scratch[i] }
            }
            // Allgather: the summed parts go around once more, written in place.
            for step in 0..<(parts - 1) {
                let outgoing = part(rank + 1 - step), incoming = part(rank - step)
                try exchange(
                    from: base + outgoing.lowerBound, count: outgoing.count, to: right,
                    into: base + incoming.lowerBound, count: incoming.count, from: left, tag: 2)
            }
        }
    }

    /// One `MPI_Sendrecv` per `maxElementsPerCall` elements: sends `sendCount` floats to `destination`
    /// while receiving `receiveCount` from `source` (the two counts differ by at most one).
    private func exchange(
        from send: UnsafeMutablePointer<Float>, count sendCount: Int, to destination: Int32,
        into receive: UnsafeMutablePointer<Float>, count receiveCount: Int, from source: Int32, tag: Int32
    ) throws(MPIError) {
        var offset = 0
        while offset < max(sendCount, receiveCount) {
            let sending = max(0, min(maxElementsPerCall, sendCount - offset))
            let receiving = max(0, min(maxElementsPerCall, receiveCount - offset))
            try checkMPI(
                MPI_Sendrecv(
                    send + min(offset, sendCount), Int32(sending), cmpi_float(), destination, tag,
                    receive + min(offset, receiveCount), Int32(receiving), cmpi_float(), source, tag, world,
                    cmpi_status_ignore()),
                "MPI_Sendrecv")
            offset += maxElementsPerCall
        }
    }
}
