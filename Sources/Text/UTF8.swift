/// Minimal UTF-8 helpers for the tokenizer's byte loops. Input always comes from a Swift
/// `String` (or from our own encoder), so it is valid UTF-8 and the decoder does not validate.
enum UTF8Bytes {
    /// Decodes the scalar that starts at `index`; returns it with its length in bytes.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (scalar: Unicode.Scalar, length: Int) {
        let b0 = UInt32(bytes[index])
        if b0 < 0x80 { return (Unicode.Scalar(UInt8(b0)), 1) }
        if b0 < 0xE0 {
            let v = (b0 & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
            return (Unicode.Scalar(v).unsafelyUnwrapped, 2)
        }
        if b0 < 0xF0 {
            let v = (b0 & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
            return (Unicode.Scalar(v).unsafelyUnwrapped, 3)
        }
        let v =
            (b0 & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12
            | UInt32(bytes[index + 2] & 0x3F) << 6 | UInt32(bytes[index + 3] & 0x3F)
        return (Unicode.Scalar(v).unsafelyUnwrapped, 4)
    }

    /// Appends the UTF-8 encoding of `scalar`.
    @inline(__always)
    static func append(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
        let v = scalar.value
        if v < 0x80 {
            bytes.append(UInt8(v))
        } else if v < 0x800 {
            bytes.append(UInt8(0xC0 | v >> 6))
            bytes.append(UInt8(0x80 | v & 0x3F))
        } else if v < 0x10000 {
            bytes.append(UInt8(0xE0 | v >> 12))
            bytes.append(UInt8(0x80 | (v >> 6) & 0x3F))
            bytes.append(UInt8(0x80 | v & 0x3F))
        } else {
            bytes.append(UInt8(0xF0 | v >> 18))
            bytes.append(UInt8(0x80 | (v >> 12) & 0x3F))
            bytes.append(UInt8(0x80 | (v >> 6) & 0x3F))
            bytes.append(UInt8(0x80 | v & 0x3F))
        }
    }

    /// True for the bytes that continue a scalar (10xxxxxx), which never start one.
    @inline(__always)
    static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }

    /// Runs `body` over the UTF-8 of `text` without copying when the string is native.
    static func withBytes<R>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        var text = text
        return try text.withUTF8(body)
    }
}
