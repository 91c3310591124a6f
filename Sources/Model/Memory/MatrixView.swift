/// A non-owning, row-major view of a matrix inside a slab: `rows × cols` elements where
/// row `r` starts at `data + r * rowStride` (`rowStride ≥ cols`, so a view can pick columns
/// out of a wider matrix without copying — e.g. one attention head out of the fused QKV).
public struct MatrixView: @unchecked Sendable {
    public let data: UnsafeMutablePointer<Float>
    public let rows: Int
    public let cols: Int
    public let rowStride: Int

    public init(_ data: UnsafeMutablePointer<Float>, rows: Int, cols: Int, rowStride: Int? = nil) {
        self.data = data
        self.rows = rows
        self.cols = cols
        self.rowStride = rowStride ?? cols
        precondition(
            rows >= 0 && cols >= 0 && self.rowStride >= cols,
            "MatrixView: bad shape [\(rows), \(cols)] with row stride \(self.rowStride)")
    }

    /// Element (`row`, `col`).
    public subscript(row: Int, col: Int) -> Float {
        get { data[row * rowStride + col] }
        nonmutating set { data[row * rowStride + col] = newValue }
    }

    /// Pointer to the first element of `row`.
    public func row(_ row: Int) -> UnsafeMutablePointer<Float> { data + row * rowStride }

    /// `count` rows starting at `first`, same columns.
    public func rows(_ first: Int, count: Int) -> MatrixView {
        MatrixView(data + first * rowStride, rows: count, cols: cols, rowStride: rowStride)
    }

    /// `count` columns starting at `first`, same rows.
    public func columns(_ first: Int, count: Int) -> MatrixView {
        MatrixView(data + first, rows: rows, cols: count, rowStride: rowStride)
    }

    /// "[rows, cols]" (with the stride when it is not dense), for error messages.
    public var shapeDescription: String {
        rowStride == cols ? "[\(rows), \(cols)]" : "[\(rows), \(cols)] (row stride \(rowStride))"
    }
}
