/// Where and why a JSON text failed to parse. `offset` counts bytes from 0; `line` and
/// `column` count from 1, columns in bytes.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var line: Int
    public var column: Int
    public var message: String

    public init(offset: Int, line: Int, column: Int, message: String) {
        self.offset = offset
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line 3, column 7: unexpected '2', expected ':' after key "b"`.
    public var description: String { "line \(line), column \(column): \(message)" }
}
