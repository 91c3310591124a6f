/// A problem with a `config.json`: unreadable, not JSON, a missing or mistyped key, or a
/// value this project does not support. The description names the file and the key:
///
///     config.json: "hidden_size": expected an integer, found string "384"
public struct HuggingFaceConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file as the caller named it.
    public var file: String
    /// The key concerned, if any.
    public var key: String?
    /// What was expected and what was found.
    public var message: String

    public init(file: String, key: String? = nil, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        if let key { return "\(file): \"\(key)\": \(message)" }
        return "\(file): \(message)"
    }
}
