/// GPT-2's byte-to-unicode map: every byte gets a printable, non-space character, so that
/// any UTF-8 text is a string over 256 symbols that a vocabulary file can hold.
///
/// Bytes 33–126 (`!`…`~`), 161–172 and 174–255 map to the scalar of the same value; the other
/// 68 bytes (controls, space, DEL, the C1 range, NBSP, soft hyphen) map to U+0100 + n, in byte
/// order: 0 → `Ā`, …, 32 (space) → `Ġ`, 10 (newline) → `Ċ`. (Radford et al. 2019,
/// `bytes_to_unicode` in GPT-2's encoder.py; tokenizers' `bytes_char`.)
public enum ByteLevelAlphabet {
    /// `[256]`: the character that stands for each byte.
    public static let scalarOfByte: [Unicode.Scalar] = {
        var scalars = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 0x100
        for byte in 0..<256 {
            if (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte) {
                scalars[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                scalars[byte] = Unicode.Scalar(next).unsafelyUnwrapped
                next += 1
            }
        }
        return scalars
    }()

    /// `[324]`: the byte each character U+0000…U+0143 stands for, -1 for characters outside
    /// the alphabet (every mapped scalar is below U+0100 + 68).
    private static let byteOfScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x100 + 68)
        for (byte, scalar) in scalarOfByte.enumerated() { table[Int(scalar.value)] = Int16(byte) }
        return table
    }()

    /// The byte `scalar` stands for, or nil when it is not one of the 256 characters.
    @inline(__always)
    public static func byte(of scalar: Unicode.Scalar) -> UInt8? {
        let value = Int(scalar.value)
        guard value < byteOfScalar.count else { return nil }
        let byte = byteOfScalar[value]
        return byte < 0 ? nil : UInt8(byte)
    }

    /// The byte-level form of `bytes`: one character per byte (`"a b"` → `"aĠb"`).
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(scalarOfByte[Int(byte)]) }
        return String(scalars)
    }

    /// The bytes a byte-level token stands for, or nil when one of its characters is outside
    /// the alphabet (an added token such as `"<sep> x"` written with a plain space).
    public static func decode(_ token: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let byte = byte(of: scalar) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
