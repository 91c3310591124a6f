/// An evaluation input that does not fit: embedding matrices whose sizes disagree with the row
/// count and dimension given, or labels and scores of the wrong length or range. Thrown, not
/// asserted, because release builds are compiled `-Ounchecked`.
public struct EmbeddingEvaluationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    /// Checks that `values` holds `rows × dim` floats, naming `what` when it does not.
    static func checkShape(_ values: [Float], rows: Int, dim: Int, _ what: String) throws(EmbeddingEvaluationError) {
        guard dim > 0 else { throw EmbeddingEvaluationError("\(what): the dimension must be positive, not \(dim)") }
        guard rows >= 0, values.count == rows * dim else {
            throw EmbeddingEvaluationError(
                "\(what): \(values.count) values are not \(rows) rows × \(dim) (expected \(rows * dim))")
        }
    }
}
