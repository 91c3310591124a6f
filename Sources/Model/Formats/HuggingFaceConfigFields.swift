import JSON

/// Typed access to the members of a config object; remembers which keys were read so the
/// rest can be preserved.
struct ConfigFields {
    let file: String
    private let members: [JSONMember]
    private var consumed = Set<String>()

    init(file: String, members: [JSONMember]) {
        self.file = file
        self.members = members
    }

    /// The members never read by a consuming accessor, in file order.
    var unconsumed: [JSONMember] { members.filter { !consumed.contains($0.key) } }

    func error(_ key: String, _ message: String) -> HuggingFaceConfigError {
        HuggingFaceConfigError(file: file, key: key, message: message)
    }

    private func value(_ key: String) -> JSONValue? {
        members.first { $0.key == key }?.value
    }

    private func typeError(_ key: String, expected: String, found value: JSONValue) -> HuggingFaceConfigError {
        error(key, "expected \(expected), found \(value.typeName) \(value.excerpt())")
    }

    /// Consumes `key`; returns its value unless absent or null.
    private mutating func take(_ key: String) -> JSONValue? {
        consumed.insert(key)
        guard let value = value(key), value != .null else { return nil }
        return value
    }

    mutating func requiredInt(_ key: String) throws(HuggingFaceConfigError) -> Int {
        guard value(key) != nil else { throw error(key, "missing; this key is required") }
        guard let value = try int(key) else { throw error(key, "is null, expected an integer") }
        return value
    }

    mutating func int(_ key: String) throws(HuggingFaceConfigError) -> Int? {
        guard let value = take(key) else { return nil }
        guard let int = value.integerValue else { throw typeError(key, expected: "an integer", found: value) }
        return int
    }

    mutating func float(_ key: String) throws(HuggingFaceConfigError) -> Float? {
        guard let value = take(key) else { return nil }
        guard case .number(let text) = value, let float = Float(text), float.isFinite else {
            throw typeError(key, expected: "a finite number", found: value)
        }
        return float
    }

    mutating func string(_ key: String) throws(HuggingFaceConfigError) -> String? {
        guard let value = take(key) else { return nil }
        guard case .string(let text) = value else { throw typeError(key, expected: "a string", found: value) }
        return text
    }

    mutating func bool(_ key: String) throws(HuggingFaceConfigError) -> Bool? {
        guard let value = take(key) else { return nil }
        guard case .bool(let flag) = value else { throw typeError(key, expected: "a boolean", found: value) }
        return flag
    }

    mutating func stringArray(_ key: String) throws(HuggingFaceConfigError) -> [String]? {
        guard let value = take(key) else { return nil }
        guard case .array(let elements) = value else {
            throw typeError(key, expected: "an array of strings", found: value)
        }
        var strings: [String] = []
        for element in elements {
            guard case .string(let text) = element else {
                throw typeError(key, expected: "an array of strings", found: value)
            }
            strings.append(text)
        }
        return strings
    }

    mutating func object(_ key: String) throws(HuggingFaceConfigError) -> [JSONMember]? {
        guard let value = take(key) else { return nil }
        guard case .object(let members) = value else { throw typeError(key, expected: "an object", found: value) }
        return members
    }

    /// Reads `key` without consuming it (it stays preserved).
    func peekString(_ key: String) throws(HuggingFaceConfigError) -> String? {
        guard let value = value(key), value != .null else { return nil }
        guard case .string(let text) = value else { throw typeError(key, expected: "a string", found: value) }
        return text
    }

    /// Reads `key` without consuming it (it stays preserved).
    func peekBool(_ key: String) throws(HuggingFaceConfigError) -> Bool? {
        guard let value = value(key), value != .null else { return nil }
        guard case .bool(let flag) = value else { throw typeError(key, expected: "a boolean", found: value) }
        return flag
    }
}
