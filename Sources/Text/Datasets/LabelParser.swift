import JSON

/// How the label column of a data file becomes an example's label, for
/// `TextDatasetReader.read(_:columns:labels:)`: `SingleLabelParser` (the field as written)
/// or `LabelListParser` (a set of label names).
public protocol LabelParser: Sendable {
    associatedtype Label: Equatable & Sendable

    /// How messages name a missing label: `no label (key "label")`, `no labels (key …)`.
    var noun: String { get }

    /// The label in a field of a delimited file (trimmed of spaces); `nil` when the field
    /// holds no label, which is an error ("empty label") when labels are required.
    func label(field: String, path: String, line: Int) throws -> Label?

    /// The label in the value of a JSON Lines key; `nil` when the value holds no label,
    /// which is an error (`no label (key "label")`) when labels are required.
    func label(json: JSONValue, key: String, path: String, line: Int) throws -> Label?
}

/// One label per example, kept as written: an empty field or a JSON null is no label; a
/// JSON number becomes its text with whole numbers as integers, so `1`, `1.0` and `"1"`
/// are one label.
public struct SingleLabelParser: LabelParser {
    public init() {}

    public var noun: String { "label" }

    public func label(field: String, path: String, line: Int) throws -> String? {
        field.isEmpty ? nil : field
    }

    public func label(json: JSONValue, key: String, path: String, line: Int) throws -> String? {
        try Self.text(of: json, key: key, what: "label", path: path, line: line)
    }

    /// The text of a string or number value of a JSON Lines object (a text, second text or
    /// label); `nil` for null.
    ///
    /// - Throws: `DataError` for any other value, naming `what` and `key`.
    static func text(of value: JSONValue, key: String, what: String, path: String, line: Int) throws -> String? {
        switch value {
        case .null: return nil
        case .string(let text): return text
        case .number(let literal): return JSON.normalizedNumber(literal)
        default: throw DataError(file: path, line: line, "\(what) (key \"\(key)\") must be a string or a number")
        }
    }
}

/// A set of label names per example, read by `MultiLabelField`: `sports,politics` or
/// `["sports", "politics"]` in a field, a JSON array (or string, integer or null) in JSON
/// Lines. An empty field or null is the empty set — an example with no labels, not a
/// missing label.
public struct LabelListParser: LabelParser {
    /// Between label names in a text field.
    public var separator: Character

    public init(separator: Character = ",") {
        self.separator = separator
    }

    public var noun: String { "labels" }

    public func label(field: String, path: String, line: Int) throws -> Set<String>? {
        try MultiLabelField.parse(field, separator: separator, path: path, line: line)
    }

    public func label(json: JSONValue, key: String, path: String, line: Int) throws -> Set<String>? {
        try MultiLabelField.parse(jsonValue: json, separator: separator, path: path, line: line)
    }
}
