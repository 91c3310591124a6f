import Foundation

@testable import Reports

/// A reader of what `TensorBoardWriter` writes, for the tests: the framing with both CRCs
/// checked, and the `Event` fields it uses. Stops at a torn or corrupt record, as
/// TensorFlow's reader does.
struct EventFileReader {
    struct Event: Equatable {
        var wallTime: Double?
        var step: Int64 = 0
        var fileVersion: String?
        var scalars: [String: Float] = [:]
    }

    static func records(_ bytes: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var i = 0
        while i + 12 <= bytes.count {
            let header = Array(bytes[i..<(i + 8)])
            let length = Int(littleEndian(header, UInt64.self))
            guard CRC32C.masked(header) == littleEndian(Array(bytes[(i + 8)..<(i + 12)]), UInt32.self),
                i + 12 + length + 4 <= bytes.count
            else { break }
            let data = Array(bytes[(i + 12)..<(i + 12 + length)])
            let footer = Array(bytes[(i + 12 + length)..<(i + 16 + length)])
            guard CRC32C.masked(data) == littleEndian(footer, UInt32.self) else { break }
            out.append(data)
            i += 16 + length
        }
        return out
    }

    static func littleEndian<T: FixedWidthInteger>(_ bytes: [UInt8], _: T.Type) -> T {
        bytes.reversed().reduce(T(0)) { $0 << 8 | T($1) }
    }

    /// The fields of a message: number → raw values (varints as UInt64, fixed as bytes).
    static func fields(_ bytes: [UInt8]) -> [(Int, Any)] {
        var out: [(Int, Any)] = []
        var i = 0
        func varint() -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while true {
                let b = bytes[i]
                i += 1
                value |= UInt64(b & 0x7F) << shift
                shift += 7
                if b < 0x80 { return value }
            }
        }
        while i < bytes.count {
            let key = varint()
            let field = Int(key >> 3)
            switch key & 7 {
            case 0: out.append((field, varint()))
            case 1:
                out.append((field, Array(bytes[i..<(i + 8)])))
                i += 8
            case 5:
                out.append((field, Array(bytes[i..<(i + 4)])))
                i += 4
            default:
                let n = Int(varint())
                out.append((field, Array(bytes[i..<(i + n)])))
                i += n
            }
        }
        return out
    }

    static func event(_ bytes: [UInt8]) -> Event {
        var event = Event()
        for (field, value) in fields(bytes) {
            switch field {
            case 1: event.wallTime = Double(bitPattern: littleEndian(value as! [UInt8], UInt64.self))
            case 2: event.step = Int64(bitPattern: value as! UInt64)
            case 3: event.fileVersion = String(decoding: value as! [UInt8], as: UTF8.self)
            case 5:
                for case (1, let entry as [UInt8]) in fields(value as! [UInt8]) {
                    var tag = "", number: Float = .nan
                    for (f, v) in fields(entry) {
                        if f == 1 { tag = String(decoding: v as! [UInt8], as: UTF8.self) }
                        if f == 2 { number = Float(bitPattern: littleEndian(v as! [UInt8], UInt32.self)) }
                    }
                    event.scalars[tag] = number
                }
            default: break
            }
        }
        return event
    }
}
