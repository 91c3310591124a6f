import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A rank's heartbeat to the monitors, sent over UDP outside MPI (the MPI thread may be
/// stuck in a collective): who, at which step, and whether — and for how long — it is
/// blocked in a collective.
struct Heartbeat: Equatable {
    var rank: Int
    var step: Int
    /// Seconds the rank has been inside its current collective; negative when it is not in one.
    var secondsInCollective: Double

    static let byteCount = 24

    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Heartbeat.byteCount)
        for value in [UInt64(bitPattern: Int64(rank)), UInt64(bitPattern: Int64(step)), secondsInCollective.bitPattern]
        {
            for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(k)))) }
        }
        return out
    }

    init(rank: Int, step: Int, secondsInCollective: Double) {
        self.rank = rank
        self.step = step
        self.secondsInCollective = secondsInCollective
    }

    /// Decodes a datagram; nil when it is not a heartbeat.
    init?(_ bytes: ArraySlice<UInt8>) {
        guard bytes.count == Heartbeat.byteCount else { return nil }
        func word(_ k: Int) -> UInt64 {
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[bytes.startIndex + 8 * k + $1]) << (8 * UInt64($1)) }
        }
        rank = Int(Int64(bitPattern: word(0)))
        step = Int(Int64(bitPattern: word(1)))
        secondsInCollective = Double(bitPattern: word(2))
    }
}

/// A UDP socket bound to every IPv4 address of this host on an ephemeral port: a monitor
/// receives on it, every rank sends from one. Its address list (`"10.0.0.2,127.0.0.1:40123"`)
/// is what the other ranks are told, so that heartbeats reach a monitor on another node or
/// in another network namespace without name resolution.
final class HeartbeatSocket {
    let descriptor: Int32

    init() throws(MPIError) {
        descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else {
            throw MPIError(call: "watchdog socket: \(String(cString: strerror(errno)))", code: 0)
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = INADDR_ANY
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            close(descriptor)
            throw MPIError(call: "watchdog bind: \(String(cString: strerror(errno)))", code: 0)
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    /// "a1,a2,…:port": every IPv4 address of this host and the bound port.
    var reachableAs: String {
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        let port = UInt16(bigEndian: bound.sin_port)
        var addresses: [String] = []
        var list: UnsafeMutablePointer<ifaddrs>?
        if getifaddrs(&list) == 0 {
            var entry = list
            while let current = entry {
                if let address = current.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) {
                    var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        var raw = $0.pointee.sin_addr
                        _ = inet_ntop(AF_INET, &raw, &text, socklen_t(INET_ADDRSTRLEN))
                    }
                    addresses.append(String(cString: text))
                }
                entry = current.pointee.ifa_next
            }
            freeifaddrs(list)
        }
        return addresses.joined(separator: ",") + ":\(port)"
    }

    /// The `sockaddr_in`s named by a `reachableAs` string.
    static func destinations(_ text: String) -> [sockaddr_in] {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else { return [] }
        return parts[0].split(separator: ",").compactMap { host in
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            guard inet_pton(AF_INET, String(host), &address.sin_addr) == 1 else { return nil }
            return address
        }
    }

    /// Sends `heartbeat` to each destination; a failure (an unreachable network) is ignored.
    func send(_ heartbeat: Heartbeat, to destinations: [sockaddr_in]) {
        let bytes = heartbeat.bytes
        for var destination in destinations {
            _ = bytes.withUnsafeBytes { raw in
                withUnsafePointer(to: &destination) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(
                            descriptor, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT), $0,
                            socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
        }
    }

    /// The next heartbeat received within the socket's 0.2 s timeout, or nil.
    func receive() -> Heartbeat? {
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Heartbeat(buffer[0..<count])
    }
}
