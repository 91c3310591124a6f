/// A fast 64-bit hash of a float slab's bits, and the collective that compares it across ranks
/// (docs/ARCHITECTURE.md, invariant 1: after every step all replicas are bitwise identical).
///
/// The hash is XXH64 (Yann Collet's xxHash, 64-bit variant, seed 0) over the slab's bytes:
/// four independent multiply–rotate lanes over 32-byte stripes run at memory speed, and
/// every bit matters (−0.0 ≠ +0.0, NaN payloads differ), which is what "bitwise identical"
/// asks.
public enum ReplicaChecksum {
    private static let p1: UInt64 = 0x9e37_79b1_85eb_ca87
    private static let p2: UInt64 = 0xc2b2_ae3d_27d4_eb4f
    private static let p3: UInt64 = 0x1656_67b1_9e37_79f9
    private static let p4: UInt64 = 0x85eb_ca77_c2b2_ae63
    private static let p5: UInt64 = 0x27d4_eb2f_1656_67c5

    /// XXH64 of `values`' bytes.
    public static func hash(_ values: UnsafeBufferPointer<Float>) -> UInt64 {
        hash(UnsafeRawBufferPointer(values))
    }

    /// XXH64 (seed 0) of `bytes`.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        guard let base = bytes.baseAddress else { return finish(p5, length: 0, tail: bytes, from: 0) }
        var offset = 0
        var acc: UInt64
        if count >= 32 {
            var v1 = p1 &+ p2, v2 = p2, v3: UInt64 = 0, v4 = 0 &- p1
            while offset + 32 <= count {
                v1 = round(v1, base.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian)
                v2 = round(v2, base.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self).littleEndian)
                v3 = round(v3, base.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self).littleEndian)
                v4 = round(v4, base.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self).littleEndian)
                offset += 32
            }
            acc = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            acc = merge(acc, v1)
            acc = merge(acc, v2)
            acc = merge(acc, v3)
            acc = merge(acc, v4)
        } else {
            acc = p5
        }
        return finish(acc &+ UInt64(count), length: count, tail: bytes, from: offset)
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always) private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }

    @inline(__always) private static func merge(_ acc: UInt64, _ lane: UInt64) -> UInt64 {
        (acc ^ round(0, lane)) &* p1 &+ p4
    }

    /// The last < 32 bytes, then the avalanche.
    private static func finish(_ accumulated: UInt64, length: Int, tail bytes: UnsafeRawBufferPointer, from start: Int)
        -> UInt64
    {
        var acc = accumulated
        var offset = start
        if let base = bytes.baseAddress {
            while offset + 8 <= length {
                acc ^= round(0, base.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian)
                acc = rotl(acc, 27) &* p1 &+ p4
                offset += 8
            }
            if offset + 4 <= length {
                acc ^= UInt64(base.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian) &* p1
                acc = rotl(acc, 23) &* p2 &+ p3
                offset += 4
            }
            while offset < length {
                acc ^= UInt64(base.load(fromByteOffset: offset, as: UInt8.self)) &* p5
                acc = rotl(acc, 11) &* p1
                offset += 1
            }
        }
        acc ^= acc >> 33
        acc = acc &* p2
        acc ^= acc >> 29
        acc = acc &* p3
        acc ^= acc >> 32
        return acc
    }
}

/// The outcome of comparing replica hashes across ranks.
public struct ReplicaReport: Sendable, Equatable, CustomStringConvertible {
    /// `hashes[r]`: rank `r`'s hash.
    public let hashes: [UInt64]
    /// The hash most ranks hold (ties: the one rank 0 holds).
    public let reference: UInt64
    /// Ranks whose hash differs from `reference`, ascending; empty when all replicas agree.
    public let differingRanks: [Int]

    public init(hashes: [UInt64]) {
        precondition(!hashes.isEmpty, "a replica report needs at least one rank")
        var votes: [UInt64: Int] = [:]
        for hash in hashes { votes[hash, default: 0] += 1 }
        let top = votes.values.max()!
        let reference = votes[hashes[0]] == top ? hashes[0] : hashes.first { votes[$0] == top }!
        self.hashes = hashes
        self.reference = reference
        self.differingRanks = hashes.indices.filter { hashes[$0] != reference }
    }

    public var identical: Bool { differingRanks.isEmpty }

    public var description: String {
        if identical {
            return "all \(hashes.count) replicas identical (xxh64 \(hex(reference)))"
        }
        let differing = differingRanks.map { "rank \($0): \(hex(hashes[$0]))" }.joined(separator: ", ")
        return
            "replicas diverged: \(differingRanks.count) of \(hashes.count) ranks differ from \(hex(reference)) "
            + "(\(differing))"
    }

    private func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension Communicator {
    /// Hashes `values` on every rank and gathers the hashes (`MPI_Allgather`): every rank
    /// returns the same report, so all can stop together on a mismatch. Collective; allocates
    /// a few words per rank, so run it between steps (e.g. every N steps).
    public func verifyReplicas(_ values: UnsafeBufferPointer<Float>) throws(MPIError) -> ReplicaReport {
        let local = ReplicaChecksum.hash(values)
        var hashes = [UInt64](repeating: 0, count: size)
        try hashes.withUnsafeMutableBufferPointer { (gathered) throws(MPIError) in
            try allgather(local, into: gathered)
        }
        return ReplicaReport(hashes: hashes)
    }
}
