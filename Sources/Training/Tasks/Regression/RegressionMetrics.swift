/// Metrics of a regression head (STS-B style): mean squared error, and Pearson's and
/// Spearman's correlation between predictions and targets, as scikit-learn's
/// `mean_squared_error` and scipy.stats' `pearsonr` and `spearmanr`.
///
/// The correlations need every prediction at once, so unlike the count-based metrics they
/// cannot be summed over ranks: the caller gathers the predictions and targets of all ranks
/// (in example order) and computes the metrics once, on every rank or on rank 0. All
/// arithmetic is in `Double`.
public struct RegressionMetrics: Equatable, Sendable {
    /// Number of examples.
    public var count: Int
    /// `mean((p − t)²)`; 0 when there are no examples.
    public var meanSquaredError: Double
    /// Pearson's r; NaN for fewer than two examples or a constant input (as scipy).
    public var pearson: Double
    /// Spearman's ρ (Pearson's r of the average ranks); NaN as `pearson`.
    public var spearman: Double

    /// The metrics of `predictions` against `targets` (same length).
    public init(predictions: [Float], targets: [Float]) {
        self.init(predictions: predictions.map(Double.init), targets: targets.map(Double.init))
    }

    public init(predictions: [Double], targets: [Double]) {
        precondition(
            predictions.count == targets.count,
            "RegressionMetrics: \(predictions.count) predictions but \(targets.count) targets")
        count = predictions.count
        meanSquaredError = Self.meanSquaredError(predictions, targets)
        pearson = Self.pearson(predictions, targets)
        spearman = Self.spearman(predictions, targets)
    }

    /// `mean((p − t)²)`, 0 for no values.
    public static func meanSquaredError(_ predictions: [Double], _ targets: [Double]) -> Double {
        precondition(
            predictions.count == targets.count, "RegressionMetrics: \(predictions.count) vs \(targets.count) values")
        guard !predictions.isEmpty else { return 0 }
        var sum = 0.0
        for i in predictions.indices {
            let d = predictions[i] - targets[i]
            sum += d * d
        }
        return sum / Double(predictions.count)
    }

    /// Pearson's r, computed as scipy does — centred vectors, each scaled to unit length, their
    /// dot product clipped to [−1, 1]. NaN for fewer than two values, a NaN value, or when
    /// either input is constant (scipy warns and returns NaN).
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "RegressionMetrics: \(x.count) vs \(y.count) values")
        let n = x.count
        guard n >= 2, !x.contains(where: \.isNaN), !y.contains(where: \.isNaN) else { return .nan }
        guard x.contains(where: { $0 != x[0] }), y.contains(where: { $0 != y[0] }) else { return .nan }
        let meanX = x.reduce(0, +) / Double(n), meanY = y.reduce(0, +) / Double(n)
        var normX = 0.0, normY = 0.0
        for i in 0..<n {
            normX += (x[i] - meanX) * (x[i] - meanX)
            normY += (y[i] - meanY) * (y[i] - meanY)
        }
        normX = normX.squareRoot()
        normY = normY.squareRoot()
        var r = 0.0
        for i in 0..<n { r += ((x[i] - meanX) / normX) * ((y[i] - meanY) / normY) }
        return min(max(r, -1), 1)
    }

    /// Spearman's ρ: Pearson's r of the average ranks of each input.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "RegressionMetrics: \(x.count) vs \(y.count) values")
        guard !x.contains(where: \.isNaN), !y.contains(where: \.isNaN) else { return .nan }
        return pearson(averageRanks(x), averageRanks(y))
    }

    /// 1-based ranks with ties given the mean of the ranks they span, as
    /// `scipy.stats.rankdata(values, method="average")`: `[10, 20, 20, 5]` → `[2, 3.5, 3.5, 1]`.
    /// Values must not be NaN.
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            // Positions start..<end (0-based) hold ranks start+1 … end: their mean.
            let rank = Double(start + 1 + end) / 2
            for k in start..<end { ranks[order[k]] = rank }
            start = end
        }
        return ranks
    }
}
