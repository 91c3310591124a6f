/// Small JSON helpers for code that writes JSON text itself: string quoting here, number
/// formatting in JSONNumber.swift.
public enum JSON {
    /// `text` as a JSON string literal with its quotes: `"` and `\` escaped, control
    /// characters (U+0000…U+001F) as `\n`, `\r`, `\t`, `\b`, `\f` or `\u00XX`; every other
    /// character, non-ASCII included, written as itself (the output is UTF-8 JSON).
    ///
    ///     JSON.quoted("say \"hi\"\n") == #""say \"hi\"\n""#
    public static func quoted(_ text: String) -> String {
        var out = ""
        appendQuoted(text, to: &out)
        return out
    }

    /// Appends `quoted(text)` to `out`.
    public static func appendQuoted(_ text: String, to out: inout String) {
        out.append("\"")
        // Bytes of multi-byte UTF-8 sequences are all >= 0x80, so escaping byte by byte
        // never splits a character.
        guard text.utf8.contains(where: needsEscape) else {
            out.append(text)
            out.append("\"")
            return
        }
        var escaped: [UInt8] = []
        escaped.reserveCapacity(text.utf8.count + 8)
        for byte in text.utf8 {
            guard needsEscape(byte) else {
                escaped.append(byte)
                continue
            }
            escaped.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): escaped.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): escaped.append(UInt8(ascii: "\\"))
            case 0x0A: escaped.append(UInt8(ascii: "n"))
            case 0x0D: escaped.append(UInt8(ascii: "r"))
            case 0x09: escaped.append(UInt8(ascii: "t"))
            case 0x08: escaped.append(UInt8(ascii: "b"))
            case 0x0C: escaped.append(UInt8(ascii: "f"))
            default:
                escaped.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                escaped.append(hex[Int(byte >> 4)])
                escaped.append(hex[Int(byte & 0x0F)])
            }
        }
        out.append(String(decoding: escaped, as: UTF8.self))
        out.append("\"")
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }
}
