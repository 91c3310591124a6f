// A strict JSON (RFC 8259) value, shared by every JSON document the project reads or
// writes: the safetensors header, config.json, tokenizer.json, JSON Lines data, metrics.
//
// Why not JSONSerialization: on Linux it hands numbers back as NSNumber, where `true` also
// casts to `Int` and a 20-digit integer quietly becomes a Double; it re-prints floats with
// noise digits (0.1 -> 0.10000000000000001) and keeps no key order. Here numbers keep their
// literal text (integers are exact, unknown fields round-trip unchanged) and objects keep
// their members in file order.

/// A JSON value. Numbers keep their source text; objects keep their members in order.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The literal text of a number, already checked against the JSON number grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The exact value of an integer literal (no fraction, no exponent) that fits in `Int`;
    /// `nil` for anything else, including integers too large for `Int`.
    public var integerValue: Int? {
        guard case .number(let text) = self, JSONValue.isIntegerLiteral(text) else { return nil }
        return Int(text)
    }

    /// The value of any number as the nearest Double; `nil` for other values.
    public var doubleValue: Double? {
        guard case .number(let text) = self else { return nil }
        return Double(text)
    }

    /// The members of an object, `nil` for other values.
    public var objectMembers: [JSONMember]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// Looks a key up in an object (keys are unique: the parser rejects duplicates); `nil`
    /// when the key is absent or the value is not an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// Whether a number literal is an integer: no `.`, `e` or `E`.
    public static func isIntegerLiteral(_ text: String) -> Bool {
        !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    }
}

extension JSONValue {
    public init(_ text: String) { self = .string(text) }

    public init(_ flag: Bool) { self = .bool(flag) }

    public init(_ value: Int) { self = .number(String(value)) }

    /// A number as `JSON.number` writes it (whole numbers without a fraction); `null` when
    /// not finite, as JSON has no NaN or infinity.
    public init(_ value: Double) { self = value.isFinite ? .number(JSON.number(value)) : .null }

    /// A number in Float's shortest round-trip form; `null` when not finite.
    public init(_ value: Float) { self = value.isFinite ? .number(JSON.number(value)) : .null }
}

/// One `"key": value` member of a JSON object.
public struct JSONMember: Equatable, Sendable {
    public var key: String
    public var value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

extension Array where Element == JSONMember {
    /// The value of the first member named `key` (a linear search: objects are short, and a
    /// long one such as a vocabulary is read by iterating it).
    public subscript(key: String) -> JSONValue? {
        for member in self where member.key == key { return member.value }
        return nil
    }
}
