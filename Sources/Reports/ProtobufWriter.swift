/// The few protocol-buffer encodings TensorBoard's `Event` needs, by hand: varints, field
/// keys, 32- and 64-bit little-endian fixed values and length-delimited fields
/// (https://protobuf.dev/programming-guides/encoding/). Fields are appended in the order
/// called; readers accept any order.
public struct ProtobufWriter {
    /// The encoded message so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Wire types of a field key.
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    /// Base-128 varint: 7 bits per byte, least significant first, high bit set on all but the last.
    public static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
        return out
    }

    mutating func key(_ field: Int, _ type: WireType) {
        bytes += Self.varint(UInt64(field) << 3 | type.rawValue)
    }

    /// An `int64` field (negative values take ten bytes, as protobuf's two's complement).
    public mutating func int64(_ field: Int, _ value: Int64) {
        key(field, .varint)
        bytes += Self.varint(UInt64(bitPattern: value))
    }

    /// A `double` field: 8 bytes little-endian.
    public mutating func double(_ field: Int, _ value: Double) {
        key(field, .fixed64)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    /// A `float` field: 4 bytes little-endian.
    public mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    /// A `string` field, UTF-8.
    public mutating func string(_ field: Int, _ value: String) {
        message(field, Array(value.utf8))
    }

    /// An embedded message (or `bytes`) field: its length, then its bytes.
    public mutating func message(_ field: Int, _ encoded: [UInt8]) {
        key(field, .lengthDelimited)
        bytes += Self.varint(UInt64(encoded.count))
        bytes += encoded
    }
}
