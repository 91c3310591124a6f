/// A sentence-transformers pooling mode: `pooling_mode_<rawValue>` flags in `1_Pooling/config.json`
/// before sentence-transformers 6, `pooling_mode: "<modeName>"` (or a list) from 6 on.
/// `allCases` is the order in which the flags' outputs are concatenated: CLS, max, mean,
/// mean-sqrt-len.
public enum PoolingMode: String, CaseIterable, Equatable, Hashable, Sendable {
    /// The first token's state (`[CLS]` in BERT).
    case cls = "cls_token"
    /// Per dimension, the largest state over the sequence's tokens.
    case max = "max_tokens"
    /// The mean of the sequence's token states.
    case mean = "mean_tokens"
    /// The sum of the token states divided by √(token count).
    case meanSqrtLength = "mean_sqrt_len_tokens"

    /// The name in sentence-transformers 6's `pooling_mode`.
    public var modeName: String {
        switch self {
        case .cls: "cls"
        case .max: "max"
        case .mean: "mean"
        case .meanSqrtLength: "mean_sqrt_len_tokens"
        }
    }

    /// `cls`, `max`, `mean`, `mean-sqrt-len`: the names `--pooling` and messages use.
    public var name: String {
        switch self {
        case .cls: "cls"
        case .max: "max"
        case .mean: "mean"
        case .meanSqrtLength: "mean-sqrt-len"
        }
    }
}

/// Token states to one vector per sequence, as sentence-transformers' `Pooling` module.
///
/// Shapes: `hidden` `[N, C]` (the encoder's last hidden state of a `PackedBatch`: sequence b
/// is rows `offset(b) ..< offset(b) + n_b`), `output` `[B, C·k]` for k modes, mode j in
/// columns `j·C ..< (j+1)·C` (the modes in the order given), `argmax` `[B, C]`
/// (the row max pooling took, for backward; unused without `.max`).
///
/// With n_b the length of sequence b and h_t its token states (padding never reaches a
/// packed batch, so every row counts — the attention mask of a padded batch is implicit):
///
///     cls   = h_0
///     max_c = max_t h_t,c                 (the first such t on ties)
///     mean  = Σ_t h_t / n_b
///     sqrt  = Σ_t h_t / √n_b
public enum Pooling {
    public static func forward(
        hidden: MatrixView, batch: PackedBatch, modes: [PoolingMode], output: MatrixView,
        argmax: UnsafeMutablePointer<Int32>
    ) {
        let c = hidden.cols, b = batch.sequenceCount
        precondition(
            !modes.isEmpty && output.rows >= b && output.cols == c * modes.count && hidden.rows >= batch.tokenCount,
            "Pooling.forward: hidden \(hidden.shapeDescription), output \(output.shapeDescription), "
                + "\(modes.count) modes, \(b) sequences")
        for s in 0..<b {
            let first = batch.offset(s), n = batch.length(s)
            for (j, mode) in modes.enumerated() {
                let y = output.row(s) + j * c
                switch mode {
                case .cls:
                    y.update(from: hidden.row(first), count: c)
                case .max:
                    let index = argmax + s * c
                    y.update(from: hidden.row(first), count: c)
                    for i in 0..<c { index[i] = Int32(first) }
                    for t in 1..<max(n, 1) {
                        let x = hidden.row(first + t)
                        for i in 0..<c where x[i] > y[i] {
                            y[i] = x[i]
                            index[i] = Int32(first + t)
                        }
                    }
                case .mean, .meanSqrtLength:
                    // Summed in Double so a long sequence's mean does not depend on the order.
                    let scale = mode == .mean ? 1 / Double(n) : 1 / Double(n).squareRoot()
                    for i in 0..<c {
                        var sum = 0.0
                        for t in 0..<n { sum += Double(hidden[first + t, i]) }
                        y[i] = Float(sum * scale)
                    }
                }
            }
        }
    }

    /// From `outputGrad` `[B, C·k]` to `hiddenGrad` `[N, C]` (overwritten; rows of tokens that
    /// no mode touches are zero):
    ///
    ///     ∂/∂h_t += ∂cls·[t = 0] + ∂max·[t = argmax] + ∂mean / n_b + ∂sqrt / √n_b
    public static func backward(
        outputGrad: MatrixView, batch: PackedBatch, modes: [PoolingMode], argmax: UnsafePointer<Int32>,
        hiddenGrad: MatrixView
    ) {
        let c = hiddenGrad.cols, b = batch.sequenceCount
        precondition(
            outputGrad.rows >= b && outputGrad.cols == c * modes.count && hiddenGrad.rows >= batch.tokenCount,
            "Pooling.backward: outputGrad \(outputGrad.shapeDescription), hiddenGrad \(hiddenGrad.shapeDescription)")
        for r in 0..<batch.tokenCount { hiddenGrad.row(r).update(repeating: 0, count: c) }
        for s in 0..<b {
            let first = batch.offset(s), n = batch.length(s)
            for (j, mode) in modes.enumerated() {
                let dy = outputGrad.row(s) + j * c
                switch mode {
                case .cls:
                    let dx = hiddenGrad.row(first)
                    for i in 0..<c { dx[i] += dy[i] }
                case .max:
                    let index = argmax + s * c
                    for i in 0..<c { hiddenGrad[Int(index[i]), i] += dy[i] }
                case .mean, .meanSqrtLength:
                    let scale = mode == .mean ? 1 / Float(n) : 1 / Float(n).squareRoot()
                    for t in 0..<n {
                        let dx = hiddenGrad.row(first + t)
                        for i in 0..<c { dx[i] += dy[i] * scale }
                    }
                }
            }
        }
    }
}
