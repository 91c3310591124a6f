/// A problem with a data file, naming the file, the line when there is one, and what was
/// expected — e.g. `train.tsv:1042: label "positve" is not one of [negative, positive]`.
public struct DataError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let line: Int?
    public let message: String

    public init(file: String, line: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
    }
}
