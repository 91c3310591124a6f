/// Each row scaled to unit Euclidean length, as sentence-transformers' `Normalize` module
/// (`torch.nn.functional.normalize(x, p=2, dim=1)`, ε = 1e-12):
///
///     y = x / max(‖x‖, ε)
///
/// Shapes: `input`, `output` `[B, D]` (they may be the same buffer), `norms` `[B]` (‖x‖ of
/// each row, kept for backward).
public enum L2Normalize {
    public static let epsilon: Float = 1e-12

    public static func forward(input: MatrixView, output: MatrixView, norms: UnsafeMutablePointer<Float>) {
        precondition(
            input.rows == output.rows && input.cols == output.cols,
            "L2Normalize.forward: input \(input.shapeDescription), output \(output.shapeDescription)")
        for r in 0..<input.rows {
            let x = input.row(r), y = output.row(r)
            var sum = 0.0
            for i in 0..<input.cols { sum += Double(x[i]) * Double(x[i]) }
            let norm = Float(sum.squareRoot())
            norms[r] = norm
            let scale = 1 / Swift.max(norm, epsilon)
            for i in 0..<input.cols { y[i] = x[i] * scale }
        }
    }

    /// From `outputGrad` to `inputGrad` (overwritten; may be `outputGrad` itself), given the
    /// forward pass's `output` and `norms`:
    ///
    ///     ∂x = (∂y − y·(y·∂y)) / ‖x‖     (‖x‖ > ε; below it y = x/ε is linear: ∂x = ∂y / ε)
    public static func backward(
        outputGrad: MatrixView, output: MatrixView, norms: UnsafePointer<Float>, inputGrad: MatrixView
    ) {
        precondition(
            outputGrad.rows == output.rows && outputGrad.cols == output.cols && inputGrad.rows == output.rows
                && inputGrad.cols == output.cols,
            "L2Normalize.backward: outputGrad \(outputGrad.shapeDescription), output \(output.shapeDescription), "
                + "inputGrad \(inputGrad.shapeDescription)")
        for r in 0..<output.rows {
            let y = output.row(r), dy = outputGrad.row(r), dx = inputGrad.row(r)
            let norm = norms[r]
            guard norm > epsilon else {
                for i in 0..<output.cols { dx[i] = dy[i] / epsilon }
                continue
            }
            var dot = 0.0
            for i in 0..<output.cols { dot += Double(y[i]) * Double(dy[i]) }
            let projection = Float(dot)
            for i in 0..<output.cols { dx[i] = (dy[i] - y[i] * projection) / norm }
        }
    }
}
