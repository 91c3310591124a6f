// SHA-256 from FIPS 180-4 (Secure Hash Standard, August 2015), sections 4.1.2 (functions),
// 4.2.2 (constants), 5.1.1 (padding), 5.3.3 (initial value) and 6.2 (computation). Used for
// the checksums of checkpoint manifests, where it hashes 90 MB files: the compression works
// on raw pointers over whole blocks of the caller's buffer, without copying or per-byte
// arrays, on the CPU's SHA instructions where it has them (Sources/CHashing) and in the
// software rounds below otherwise.
import CHashing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A 32-byte SHA-256 digest; `description` is the lower-case hex that `sha256sum` prints.
public struct SHA256Digest: Hashable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes, big-endian words H0…H7.
    public let bytes: [UInt8]

    init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "SHA256Digest: \(bytes.count) bytes, expected 32")
        self.bytes = bytes
    }

    /// Lower-case hex, 64 characters.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public var description: String { hex }
}

/// A file that could not be hashed: the path and the operating-system error.
public struct SHA256FileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var message: String

    public var description: String { "\(file): \(message)" }
}

/// Streaming SHA-256: `update` with any number of byte runs, then `finalize`.
///
///     var hasher = SHA256()
///     hasher.update(header)
///     hasher.update(payload)
///     let digest = hasher.finalize()
public struct SHA256: Sendable {
    /// H0…H7 (FIPS 180-4 §5.3.3 initially).
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    /// Bytes of a started block, waiting for the rest (fewer than 64).
    private var pending: [UInt8] = []
    /// Total message length in bytes.
    private var length: UInt64 = 0
    /// Whether blocks go through the CPU's SHA instructions.
    let usesHardware: Bool

    /// Whether this CPU has the SHA instructions (x86 SHA extensions).
    static let hardwareAvailable = ddp_sha256_x86_available() != 0

    public init() {
        self.init(hardware: SHA256.hardwareAvailable)
    }

    /// A hasher on the SHA instructions (`hardware`, where `hardwareAvailable`) or on the
    /// software rounds: the tests compare the two.
    init(hardware: Bool) {
        usesHardware = hardware && SHA256.hardwareAvailable
        pending.reserveCapacity(64)
    }

    /// Appends `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var next = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        length &+= UInt64(remaining)
        if !pending.isEmpty {
            let take = min(64 - pending.count, remaining)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: next, count: take))
            next += take
            remaining -= take
            if pending.count < 64 { return }
            let block = pending
            block.withUnsafeBytes { compress($0.baseAddress!, count: 1) }
            pending.removeAll(keepingCapacity: true)
        }
        let wholeBlocks = remaining / 64
        if wholeBlocks > 0 {
            compress(next, count: wholeBlocks)
            next += 64 * wholeBlocks
            remaining -= 64 * wholeBlocks
        }
        if remaining > 0 { pending.append(contentsOf: UnsafeRawBufferPointer(start: next, count: remaining)) }
    }

    /// Appends `bytes` to the message.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    /// Pads the message (FIPS 180-4 §5.1.1) and returns the digest. The hasher is spent:
    /// start a new one for the next message.
    public mutating func finalize() -> SHA256Digest {
        let bitLength = length &* 8
        // A 1 bit, zeros to 56 mod 64 bytes, the 64-bit big-endian bit length.
        var tail: [UInt8] = [0x80]
        let padded = (pending.count + 1) % 64
        tail.append(contentsOf: repeatElement(0, count: (56 - padded + 64) % 64))
        for shift in stride(from: 56, through: 0, by: -8) {
            tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        let savedLength = length
        tail.withUnsafeBytes { update($0) }
        length = savedLength
        precondition(pending.isEmpty, "SHA256: padding left \(pending.count) bytes")

        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        let words = [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7]
        for word in words {
            for shift in stride(from: 24, through: 0, by: -8) {
                digest.append(UInt8(truncatingIfNeeded: word >> UInt32(shift)))
            }
        }
        return SHA256Digest(bytes: digest)
    }

    /// The digest of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of the file at `path`, read in `chunkSize`-byte chunks (memory use is one
    /// chunk, whatever the file size).
    public static func hash(fileAt path: String, chunkSize: Int = 1 << 20) throws(SHA256FileError) -> SHA256Digest {
        precondition(chunkSize > 0, "SHA256.hash(fileAt:): chunkSize \(chunkSize) must be positive")
        func failure(_ call: String, _ code: Int32) -> SHA256FileError {
            SHA256FileError(file: path, message: "\(call) failed: \(String(cString: strerror(code))) (errno \(code))")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw failure("open", errno) }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        var hasher = SHA256()
        while true {
            let got = read(fd, buffer.baseAddress!, chunkSize)
            if got < 0 {
                if errno == EINTR { continue }
                throw failure("read", errno)
            }
            if got == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
        }
        return hasher.finalize()
    }

    // MARK: Compression (FIPS 180-4 §6.2.2)

    /// K0…K63, §4.2.2: the first 32 bits of the fractional parts of the cube roots of the
    /// first 64 primes.
    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// Runs the compression function over `count` consecutive 64-byte blocks at `blocks`.
    private mutating func compress(_ blocks: UnsafeRawPointer, count: Int) {
        guard usesHardware else { return SHA256.softwareCompress(&state, blocks: blocks, count: count) }
        SHA256.roundConstants.withUnsafeBufferPointer { k in
            withUnsafeMutableBytes(of: &state) {
                ddp_sha256_x86_compress(
                    $0.baseAddress!.assumingMemoryBound(to: UInt32.self), k.baseAddress!,
                    blocks.assumingMemoryBound(to: UInt8.self), count)
            }
        }
    }

    /// The compression function in software, FIPS 180-4 §6.2.2.
    private static func softwareCompress(
        _ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
        blocks: UnsafeRawPointer, count: Int
    ) {
        roundConstants.withUnsafeBufferPointer { k in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                var (h0, h1, h2, h3, h4, h5, h6, h7) = state
                for block in 0..<count {
                    let base = blocks + 64 * block
                    // Message schedule W0…W63 (§6.2.2 step 1); words are big-endian.
                    for t in 0..<16 {
                        w[t] = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self))
                    }
                    for t in 16..<64 {
                        let x = w[t - 15]
                        let y = w[t - 2]
                        let sigma0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)
                        let sigma1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10)
                        w[t] = sigma1 &+ w[t - 7] &+ sigma0 &+ w[t - 16]
                    }
                    var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
                    for t in 0..<64 {
                        let bigSigma1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                        let choose = (e & f) ^ (~e & g)
                        let t1 = h &+ bigSigma1 &+ choose &+ k[t] &+ w[t]
                        let bigSigma0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                        let majority = (a & b) ^ (a & c) ^ (b & c)
                        let t2 = bigSigma0 &+ majority
                        h = g
                        g = f
                        f = e
                        e = d &+ t1
                        d = c
                        c = b
                        b = a
                        a = t1 &+ t2
                    }
                    h0 &+= a
                    h1 &+= b
                    h2 &+= c
                    h3 &+= d
                    h4 &+= e
                    h5 &+= f
                    h6 &+= g
                    h7 &+= h
                }
                state = (h0, h1, h2, h3, h4, h5, h6, h7)
            }
        }
    }

    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
        (x >> n) | (x << (32 - n))
    }
}
