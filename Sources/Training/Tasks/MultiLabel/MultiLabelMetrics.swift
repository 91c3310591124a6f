#if canImport(Glibc)
    import Glibc
#endif

/// Metrics of a multi-label head (independent sigmoid per label), as scikit-learn computes
/// them on `predicted = sigmoid(logits) >= threshold` with `zero_division=0`: per-label
/// precision, recall and F1 (`precision_recall_fscore_support(average=None)`), their micro
/// and macro averages, subset accuracy (`accuracy_score`: every label of an example right)
/// and the Hamming loss (the fraction of wrong label decisions).
///
/// Every rank records its shard; `counts` — per label true positives, false positives, false
/// negatives, true negatives; then exactly right examples and examples — add up, so one
/// allreduce of `counts` (and of `lossSum`) gives the metrics of the whole set.
public struct MultiLabelMetrics: Equatable, Sendable {
    /// Number of labels `K`.
    public let labels: Int
    /// The probability at or above which a label is predicted.
    public let threshold: Double
    /// `[4K + 2]`: for label `j`, `counts[4j ..< 4j + 4]` = true positives, false positives,
    /// false negatives, true negatives; then examples with every label right, and examples.
    public private(set) var counts: [Int]
    /// The summed loss (`BinaryCrossEntropyWithLogits`, over every label of every example).
    public var lossSum: Double = 0

    /// The logit at or above which a label is predicted: `log(threshold / (1 − threshold))`,
    /// 0 for 0.5. Deciding on the logit is the exact `sigmoid(z) >= threshold`; torch's
    /// float32 `sigmoid` rounds to exactly 0.5 for logits in about (−1.8e-7, 0) and so says
    /// yes there at 0.5 — the one place where the reference's decision differs.
    public let logitThreshold: Float

    public init(labels: Int, threshold: Double = 0.5) {
        precondition(labels > 0, "MultiLabelMetrics: \(labels) labels")
        precondition(threshold > 0 && threshold < 1, "MultiLabelMetrics: threshold \(threshold) is not in (0, 1)")
        self.labels = labels
        self.threshold = threshold
        logitThreshold = threshold == 0.5 ? 0 : Float(log(threshold / (1 - threshold)))
        counts = [Int](repeating: 0, count: 4 * labels + 2)
    }

    /// Metrics from summed `counts` (e.g. after the allreduce).
    public init(labels: Int, counts: [Int], lossSum: Double, threshold: Double = 0.5) {
        self.init(labels: labels, threshold: threshold)
        precondition(counts.count == 4 * labels + 2, "MultiLabelMetrics: \(counts.count) counts for \(labels) labels")
        self.counts = counts
        self.lossSum = lossSum
    }

    /// Counts `rows` examples: `logits` and `targets` `[rows, K]`; a target of 0.5 or more is
    /// a gold label.
    public mutating func record(logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, rows: Int) {
        let k = labels
        for i in 0..<rows {
            var allRight = true
            for j in 0..<k {
                let predicted = logits[i * k + j] >= logitThreshold
                let gold = targets[i * k + j] >= 0.5
                // 0 true positive, 1 false positive, 2 false negative, 3 true negative.
                counts[4 * j + (predicted ? (gold ? 0 : 1) : (gold ? 2 : 3))] += 1
                if predicted != gold { allRight = false }
            }
            if allRight { counts[4 * k] += 1 }
            counts[4 * k + 1] += 1
        }
    }

    /// Counts one example from its decisions: `predicted`, `gold` `[K]`.
    public mutating func record(predicted: [Bool], gold: [Bool]) {
        precondition(
            predicted.count == labels && gold.count == labels,
            "MultiLabelMetrics: \(predicted.count) predictions and \(gold.count) gold labels for \(labels) labels")
        for j in 0..<labels {
            counts[4 * j + (predicted[j] ? (gold[j] ? 0 : 1) : (gold[j] ? 2 : 3))] += 1
        }
        if predicted == gold { counts[4 * labels] += 1 }
        counts[4 * labels + 1] += 1
    }

    // MARK: Counts

    public func truePositives(_ j: Int) -> Int { counts[4 * j] }
    public func falsePositives(_ j: Int) -> Int { counts[4 * j + 1] }
    public func falseNegatives(_ j: Int) -> Int { counts[4 * j + 2] }
    /// Examples with gold label `j`.
    public func support(_ j: Int) -> Int { counts[4 * j] + counts[4 * j + 2] }
    public var examples: Int { counts[4 * labels + 1] }
    public var exactMatches: Int { counts[4 * labels] }

    // MARK: Metrics

    public func precision(_ j: Int) -> Double { Self.ratio(truePositives(j), truePositives(j) + falsePositives(j)) }
    public func recall(_ j: Int) -> Double { Self.ratio(truePositives(j), support(j)) }
    /// `2tp / (2tp + fp + fn)`, scikit-learn's form of `2pr / (p + r)`; 0 when undefined.
    public func f1(_ j: Int) -> Double {
        Self.ratio(2 * truePositives(j), 2 * truePositives(j) + falsePositives(j) + falseNegatives(j))
    }

    /// Over all label decisions pooled.
    public var microPrecision: Double { Self.ratio(sum(0), sum(0) + sum(1)) }
    public var microRecall: Double { Self.ratio(sum(0), sum(0) + sum(2)) }
    public var microF1: Double { Self.ratio(2 * sum(0), 2 * sum(0) + sum(1) + sum(2)) }

    /// Unweighted means over all `K` labels, a label never gold nor predicted counting as 0
    /// (scikit-learn's `average="macro"` on an indicator matrix).
    public var macroPrecision: Double { (0..<labels).reduce(0) { $0 + precision($1) } / Double(labels) }
    public var macroRecall: Double { (0..<labels).reduce(0) { $0 + recall($1) } / Double(labels) }
    public var macroF1: Double { (0..<labels).reduce(0) { $0 + f1($1) } / Double(labels) }

    /// Examples whose predicted label set is exactly the gold one; 0 when there are none.
    public var subsetAccuracy: Double { Self.ratio(exactMatches, examples) }
    /// Wrong label decisions over all decisions.
    public var hammingLoss: Double { Self.ratio(sum(1) + sum(2), examples * labels) }
    /// The mean loss per label decision (Hugging Face's mean `BCEWithLogitsLoss`).
    public var loss: Double { examples == 0 ? 0 : lossSum / Double(examples * labels) }

    private func sum(_ offset: Int) -> Int { (0..<labels).reduce(0) { $0 + counts[4 * $1 + offset] } }

    static func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }
}
