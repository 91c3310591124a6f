import Foundation

/// A parsed JSON document, read through `JSONReader` so that every error names the file and
/// the key path.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The value of a `JSONSerialization` result. (`JSONDecoder` into this enum is ~15× slower
    /// on a 30k-token vocabulary: every failed `try?` builds an error.) JSON booleans arrive as
    /// NSNumber of the boolean class, numbers as plain NSNumber.
    init(foundation value: Any) {
        // Collections and strings first: asking a Swift dictionary `as? NSNumber` bridges the
        // whole dictionary to NSDictionary before failing.
        switch value {
        case let object as [String: Any]:
            self = .object(object.mapValues(JSONValue.init(foundation:)))
        case let array as [Any]:
            self = .array(array.map(JSONValue.init(foundation:)))
        case let string as String:
            self = .string(string)
        case is NSNull:
            self = .null
        case let number as NSNumber:
            if type(of: number) == Self.booleanClass {
                self = .bool(number.boolValue)
            } else {
                self = .number(number.doubleValue)
            }
        default:
            self = .string("\(value)")
        }
    }

    private static let booleanClass = type(of: NSNumber(value: true))

    /// How the value shows in an error message: its kind, and short scalars in full.
    var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "\(b)"
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? "\(Int(n))" : "\(n)"
        case .string(let s): return s.count <= 40 ? "\"\(s)\"" : "a string of \(s.count) characters"
        case .array(let a): return "an array of \(a.count) elements"
        case .object(let o): return "an object with \(o.count) keys"
        }
    }
}

/// Typed access to a JSON file; each accessor throws `TokenizerError.invalidValue` naming the
/// file, the dotted key path and what was expected.
struct JSONReader {
    let path: String

    /// Parses the file at `url` (`path` is how messages name it).
    static func parse(_ url: URL) throws(TokenizerError) -> JSONValue {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        do {
            return JSONValue(foundation: try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw .malformedJSON(path: url.path, reason: detail ?? error.localizedDescription)
        }
    }

    func object(_ value: JSONValue?, key: String) throws(TokenizerError) -> [String: JSONValue] {
        guard case .object(let object)? = value else { throw mismatch(value, key: key, expected: "an object") }
        return object
    }

    func array(_ value: JSONValue?, key: String) throws(TokenizerError) -> [JSONValue] {
        guard case .array(let array)? = value else { throw mismatch(value, key: key, expected: "an array") }
        return array
    }

    func string(_ value: JSONValue?, key: String) throws(TokenizerError) -> String {
        guard case .string(let string)? = value else { throw mismatch(value, key: key, expected: "a string") }
        return string
    }

    func string(_ value: JSONValue?, key: String, default fallback: String) throws(TokenizerError) -> String {
        if value == nil { return fallback }
        return try string(value, key: key)
    }

    func bool(_ value: JSONValue?, key: String, default fallback: Bool) throws(TokenizerError) -> Bool {
        switch value {
        case nil: return fallback
        case .bool(let b)?: return b
        default: throw mismatch(value, key: key, expected: "true or false")
        }
    }

    /// A Bool that may be null (`strip_accents`): absent and null both give nil.
    func optionalBool(_ value: JSONValue?, key: String) throws(TokenizerError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        default: throw mismatch(value, key: key, expected: "true, false or null")
        }
    }

    func int(_ value: JSONValue?, key: String, range: ClosedRange<Int> = 0...Int(Int32.max)) throws(TokenizerError)
        -> Int
    {
        guard case .number(let n)? = value, n == n.rounded(), n >= Double(range.lowerBound),
            n <= Double(range.upperBound)
        else {
            throw mismatch(value, key: key, expected: "a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(n)
    }

    func int(_ value: JSONValue?, key: String, default fallback: Int) throws(TokenizerError) -> Int {
        if value == nil { return fallback }
        return try int(value, key: key)
    }

    func mismatch(_ value: JSONValue?, key: String, expected: String) -> TokenizerError {
        .invalidValue(path: path, key: key, expected: expected, found: value?.summary ?? "no such key")
    }
}
