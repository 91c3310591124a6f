import Foundation
import JSON

/// A `--config` file: one JSON object of option names (kebab- or snake-case) to values
/// (`{"learning_rate": 2e-5, "no-shuffle": true}`), as the command line reads it.
public enum ConfigFile {
    /// One member: the option's kebab-case `name`, the `key` as written (for messages), and
    /// the value as command-line text (nil for JSON null: keep the default).
    public struct Entry: Equatable, Sendable {
        public let name: String
        public let key: String
        public let value: String?
    }

    /// The members of the file at `path`, in order. Errors name the file and say what was
    /// expected.
    public static func entries(_ path: String) throws(ConfigFileError) -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigFileError("--config \(path): no such file or it cannot be read")
        }
        let object: JSONValue
        do {
            object = try JSONParser.parse(Array(data))
        } catch {
            throw ConfigFileError("--config \(path): not valid JSON (\(error.description))")
        }
        guard let members = object.objectMembers else {
            throw ConfigFileError("--config \(path): expected a JSON object of option names to values")
        }
        return try members.map { (member) throws(ConfigFileError) -> Entry in
            let name = member.key.replacingOccurrences(of: "_", with: "-")
            switch member.value {
            case .string(let text), .number(let text): return Entry(name: name, key: member.key, value: text)
            case .bool(let flag): return Entry(name: name, key: member.key, value: flag ? "true" : "false")
            case .null: return Entry(name: name, key: member.key, value: nil)
            default:
                throw ConfigFileError("--config \(path): \"\(member.key)\" must be a string, number or boolean")
            }
        }
    }

    /// How a number default is shown in help text: whole numbers as integers.
    public static func text(_ value: Double) -> String { JSON.number(value) }
}

/// A `--config` file that cannot be used.
public struct ConfigFileError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}
