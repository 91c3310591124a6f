/// A SetFit input or head problem, with the message the user sees.
public struct SetFitError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
