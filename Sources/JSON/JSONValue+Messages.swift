// How a JSON value is named in error messages.

extension JSONValue {
    /// The name of the JSON type, for messages ("expected an integer, found string").
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number(let text): JSONValue.isIntegerLiteral(text) ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The value written as compact JSON, cut at `limit` characters (then ending in "…").
    public func excerpt(limit: Int = 60) -> String {
        let text = JSONWriter.compact(self)
        return text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    /// The value as a "found …" phrase shows it: scalars and strings of up to 40 characters
    /// in full (`null`, `true`, `1.5`, `"yes"`), longer strings and containers by their size
    /// ("a string of 312 characters", "an array of 3 elements", "an object with 2 keys").
    public var summary: String {
        switch self {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let text): text
        case .string(let text): text.count <= 40 ? JSON.quoted(text) : "a string of \(text.count) characters"
        case .array(let elements): "an array of \(elements.count) elements"
        case .object(let members): "an object with \(members.count) keys"
        }
    }
}
