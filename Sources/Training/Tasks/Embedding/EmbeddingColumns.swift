import Model

/// The sentence embeddings one loss call reads or writes: `columns` texts per example (an
/// anchor, its positive, hard negatives…; or the two sentences of a pair), stored column by
/// column, each column a dense block of `rows` rows of `dim` floats:
///
///     values[(c · rows + i) · dim + d]      shape [columns, rows, dim]
///
/// Column blocks are contiguous, so columns 1… together are one `[(columns − 1) · rows, dim]`
/// matrix: the candidates of multiple-negatives ranking in sentence-transformers' order (all
/// positives, then all first negatives, …). A non-owning view; the caller owns the memory.
public struct EmbeddingColumns: @unchecked Sendable {
    public let values: UnsafeMutablePointer<Float>
    public let columns: Int
    public let rows: Int
    public let dim: Int

    public init(_ values: UnsafeMutablePointer<Float>, columns: Int, rows: Int, dim: Int) {
        precondition(columns >= 1 && rows >= 0 && dim >= 1, "EmbeddingColumns: bad shape [\(columns), \(rows), \(dim)]")
        self.values = values
        self.columns = columns
        self.rows = rows
        self.dim = dim
    }

    /// Elements in all columns: `columns · rows · dim`.
    public var count: Int { columns * rows * dim }

    /// Column `c` as a `[rows, dim]` matrix.
    public func column(_ c: Int) -> MatrixView {
        precondition((0..<columns).contains(c), "EmbeddingColumns: column \(c) of \(columns)")
        return MatrixView(values + c * rows * dim, rows: rows, cols: dim)
    }

    /// Columns `first…` as one `[(columns − first) · rows, dim]` matrix.
    public func columns(from first: Int) -> MatrixView {
        precondition((0..<columns).contains(first), "EmbeddingColumns: column \(first) of \(columns)")
        return MatrixView(values + first * rows * dim, rows: (columns - first) * rows, cols: dim)
    }

    /// Row `i` of column `c`.
    public func row(_ c: Int, _ i: Int) -> UnsafeMutablePointer<Float> { values + (c * rows + i) * dim }

    /// "[columns, rows, dim]", for error messages.
    public var shapeDescription: String { "[\(columns), \(rows), \(dim)]" }
}
