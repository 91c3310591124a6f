/// Something a test needs is not on this machine: a fixture file, the pretrained model, a
/// data set. The message says what is missing, where the test looked, and how to get it;
/// every test target throws this one error so a missing input reads the same everywhere.
public struct FixtureMissing: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }

    /// "missing <what> at <path>; <remedy>".
    public init(_ what: String, at path: String, remedy: String) {
        description = "missing \(what) at \(path); \(remedy)"
    }
}
