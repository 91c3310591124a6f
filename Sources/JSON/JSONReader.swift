/// A value that is missing or of the wrong kind, named by the file and the key path into it
/// (`model.vocab.hello`, `added_tokens[3].id`).
public struct JSONReadError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var key: String
    /// What was expected: "an object", "a whole number in 0...2147483647", ….
    public var expected: String
    /// What was there: `JSONValue.summary`, or "no such key".
    public var found: String

    public init(file: String, key: String, expected: String, found: String) {
        self.file = file
        self.key = key
        self.expected = expected
        self.found = found
    }

    /// `tokenizer.json: key "model.type": expected a string, found 3`.
    public var description: String { "\(file): key \"\(key)\": expected \(expected), found \(found)" }
}

/// Typed access to the values of a parsed JSON document. Each accessor takes the value (nil
/// when the key is absent) and its key path, and throws `Failure` made from a
/// `JSONReadError` when the value is not what was asked for, so a caller keeps its own
/// error type. Key paths are built only for a message (`@autoclosure`), so reading a 30k
/// entry vocabulary builds no key strings.
public struct JSONReader<Failure: Error> {
    /// The file as messages name it.
    public let file: String
    private let failure: (JSONReadError) -> Failure

    public init(file: String, failure: @escaping (JSONReadError) -> Failure) {
        self.file = file
        self.failure = failure
    }

    /// The error for `value` at `key`, which should have been `expected`.
    public func mismatch(_ value: JSONValue?, key: String, expected: String) -> Failure {
        failure(JSONReadError(file: file, key: key, expected: expected, found: value?.summary ?? "no such key"))
    }

    public func object(_ value: JSONValue?, key: @autoclosure () -> String) throws(Failure) -> [JSONMember] {
        guard case .object(let members)? = value else { throw mismatch(value, key: key(), expected: "an object") }
        return members
    }

    public func array(_ value: JSONValue?, key: @autoclosure () -> String) throws(Failure) -> [JSONValue] {
        guard case .array(let elements)? = value else { throw mismatch(value, key: key(), expected: "an array") }
        return elements
    }

    public func string(_ value: JSONValue?, key: @autoclosure () -> String) throws(Failure) -> String {
        guard case .string(let text)? = value else { throw mismatch(value, key: key(), expected: "a string") }
        return text
    }

    /// A string, or `fallback` when the key is absent.
    public func string(
        _ value: JSONValue?, key: @autoclosure () -> String, default fallback: String
    ) throws(Failure) -> String {
        if value == nil { return fallback }
        return try string(value, key: key())
    }

    /// A boolean, or `fallback` when the key is absent.
    public func bool(
        _ value: JSONValue?, key: @autoclosure () -> String, default fallback: Bool
    ) throws(Failure) -> Bool {
        switch value {
        case nil: return fallback
        case .bool(let flag)?: return flag
        default: throw mismatch(value, key: key(), expected: "true or false")
        }
    }

    /// A boolean that may be null: absent and null both give nil.
    public func optionalBool(_ value: JSONValue?, key: @autoclosure () -> String) throws(Failure) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        default: throw mismatch(value, key: key(), expected: "true, false or null")
        }
    }

    /// A whole number in `range`: an integer literal, or any number literal whose value is
    /// whole (`2.0`, `1e2`).
    public func int(
        _ value: JSONValue?, key: @autoclosure () -> String, range: ClosedRange<Int> = 0...Int(Int32.max)
    ) throws(Failure) -> Int {
        if let exact = value?.integerValue, range.contains(exact) { return exact }
        if let double = value?.doubleValue, double == double.rounded(),
            double >= Double(range.lowerBound), double <= Double(range.upperBound)
        {
            return Int(double)
        }
        throw mismatch(value, key: key(), expected: "a whole number in \(range.lowerBound)...\(range.upperBound)")
    }

    /// A whole number in 0...Int32.max, or `fallback` when the key is absent.
    public func int(_ value: JSONValue?, key: @autoclosure () -> String, default fallback: Int) throws(Failure) -> Int {
        if value == nil { return fallback }
        return try int(value, key: key())
    }
}

extension JSONReader where Failure == JSONReadError {
    /// A reader that throws `JSONReadError` itself.
    public init(file: String) {
        self.init(file: file) { $0 }
    }
}
