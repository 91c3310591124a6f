import Foundation
import JSON

/// The label set of a multi-label example, from the field that holds it:
///
/// - a delimited string, `sports,politics` (the separator is configurable; names are trimmed;
///   an empty field is the empty set);
/// - a JSON array written in the field, `["sports", "politics"]` (a field that starts with `[`);
/// - in JSON Lines, the value itself: an array of strings or integers, a single string (read
///   as a delimited string), a single integer, or null (the empty set).
///
/// Integers become their decimal text, so `[0, 3]` and `"0,3"` give the same names. Repeated
/// names count once. An empty name (`sports,,politics`, `["a", ""]`) or any other JSON value
/// is an error naming the file and line.
public enum MultiLabelField {
    /// The label names in a text field.
    public static func parse(
        _ field: String, separator: Character = ",", path: String, line: Int
    ) throws -> Set<String> {
        let trimmed = field.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return [] }
        if trimmed.hasPrefix("[") {
            guard case .array(let array)? = try? JSONParser.parse(trimmed) else {
                throw DataError(file: path, line: line, "labels \(trimmed) start with \"[\" but are not a JSON array")
            }
            return try names(ofArray: array, path: path, line: line)
        }
        var names = Set<String>()
        for part in trimmed.split(separator: separator, omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else {
                throw DataError(
                    file: path, line: line, "empty label name in \"\(trimmed)\" (labels separated by \"\(separator)\")")
            }
            names.insert(name)
        }
        return names
    }

    /// The label names in a value of a JSON Lines object.
    public static func parse(
        jsonValue value: JSONValue, separator: Character = ",", path: String, line: Int
    ) throws -> Set<String> {
        switch value {
        case .null: return []
        case .array(let array): return try names(ofArray: array, path: path, line: line)
        case .string(let string): return try parse(string, separator: separator, path: path, line: line)
        default:
            if let name = integerName(value) { return [name] }
            throw DataError(
                file: path, line: line,
                "labels must be an array of strings or integers, "
                    + "a string or null; found \(describe(value))")
        }
    }

    private static func names(ofArray array: [JSONValue], path: String, line: Int) throws -> Set<String> {
        var names = Set<String>()
        for element in array {
            if case .string(let string) = element {
                let name = string.trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else {
                    throw DataError(file: path, line: line, "empty label name in a label array")
                }
                names.insert(name)
            } else if let name = integerName(element) {
                names.insert(name)
            } else {
                throw DataError(
                    file: path, line: line,
                    "label \(describe(element)) in a label array is not a string or an integer")
            }
        }
        return names
    }

    /// The decimal text of a whole JSON number (`3`, `3.0`), else nil.
    private static func integerName(_ value: JSONValue) -> String? {
        guard case .number(let literal) = value, let double = Double(literal), double == double.rounded() else {
            return nil
        }
        return JSON.normalizedNumber(literal)
    }

    /// A JSON value as a message shows it: scalars as written, containers by kind.
    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .object: return "an object"
        case .array: return "an array"
        default: return value.summary
        }
    }

    /// `[labels.count]` multi-hot targets: 1 where `names[j]` is in `labels`, else 0.
    ///
    /// - Throws: `DataError` naming `path`:`line` when a label is not in `names`.
    public static func targets(
        _ labels: Set<String>, names: [String], path: String, line: Int
    ) throws -> [Float] {
        var targets = [Float](repeating: 0, count: names.count)
        for label in labels.sorted() {
            guard let j = names.firstIndex(of: label) else {
                throw DataError(
                    file: path, line: line, "label \"\(label)\" is not one of [\(names.joined(separator: ", "))]")
            }
            targets[j] = 1
        }
        return targets
    }
}
