/// A JSON object built member by member and written on one line, for JSON Lines output
/// (metrics, predictions):
///
///     var record = JSONRecord()
///     record.append("label", "positive")
///     record.append("probabilities", .array([JSONValue(Float(0.9)), JSONValue(Float(0.1))]))
///     record.line  // {"label": "positive", "probabilities": [0.9, 0.1]}
///
/// Members stay in the order appended; keys are not checked for repeats (append each once).
public struct JSONRecord: Equatable, Sendable {
    public private(set) var members: [JSONMember] = []

    public init() {}

    public init(_ members: [JSONMember]) { self.members = members }

    public mutating func append(_ key: String, _ value: JSONValue) {
        members.append(JSONMember(key: key, value: value))
    }

    public mutating func append(_ key: String, _ text: String) { append(key, .string(text)) }

    public mutating func append(_ key: String, _ flag: Bool) { append(key, .bool(flag)) }

    public mutating func append(_ key: String, _ value: Int) { append(key, JSONValue(value)) }

    /// A whole number is written as an integer, a non-finite one as `null` (`JSON.number`).
    public mutating func append(_ key: String, _ value: Double) { append(key, JSONValue(value)) }

    /// Float's shortest form (`0.1`); a whole number as an integer, non-finite as `null`.
    public mutating func append(_ key: String, _ value: Float) { append(key, JSONValue(value)) }

    /// The object as it is.
    public var value: JSONValue { .object(members) }

    /// The object on one line, `{"key": value, ...}`, without a line end.
    public var line: String { JSONWriter.line(value) }
}
