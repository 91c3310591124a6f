/// Accuracy, macro-F1 and per-class precision and recall from a confusion matrix, plus the
/// mean loss — what rank 0 reports after each evaluation.
///
/// The confusion matrix is counted on every rank over its shard of the validation set and
/// summed with one allreduce, so the metrics cover the whole set exactly once.
public struct ClassificationMetrics: Equatable, Sendable {
    /// `counts[truth * classes + predicted]`.
    public private(set) var counts: [Int]
    public let classes: Int
    public var lossSum: Double = 0

    public init(classes: Int) {
        self.classes = classes
        counts = Array(repeating: 0, count: classes * classes)
    }

    public init(classes: Int, counts: [Int], lossSum: Double) {
        precondition(
            counts.count == classes * classes, "ClassificationMetrics: \(counts.count) counts for \(classes) classes")
        self.classes = classes
        self.counts = counts
        self.lossSum = lossSum
    }

    public mutating func record(truth: Int, predicted: Int) {
        counts[truth * classes + predicted] += 1
    }

    public var total: Int { counts.reduce(0, +) }
    public var correct: Int { (0..<classes).reduce(0) { $0 + counts[$1 * classes + $1] } }
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }
    public var loss: Double { total == 0 ? 0 : lossSum / Double(total) }

    /// Of the examples predicted as `c`, the fraction that are `c` (0 when none predicted).
    public func precision(_ c: Int) -> Double {
        let predicted = (0..<classes).reduce(0) { $0 + counts[$1 * classes + c] }
        return predicted == 0 ? 0 : Double(counts[c * classes + c]) / Double(predicted)
    }

    /// Of the examples of class `c`, the fraction predicted as `c` (0 when there are none).
    public func recall(_ c: Int) -> Double {
        let actual = (0..<classes).reduce(0) { $0 + counts[c * classes + $1] }
        return actual == 0 ? 0 : Double(counts[c * classes + c]) / Double(actual)
    }

    public func f1(_ c: Int) -> Double {
        let p = precision(c), r = recall(c)
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }

    /// The unweighted mean of the per-class F1 scores (scikit-learn's `average="macro"`).
    public var macroF1: Double {
        classes == 0 ? 0 : (0..<classes).map(f1).reduce(0, +) / Double(classes)
    }
}
