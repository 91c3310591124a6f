/// What the model should predict for each example of a data set.
public enum Targets: Sendable, Equatable {
    /// A class id per example (−1: unlabelled).
    case classes([Int32])
    /// A number per example (regression).
    case values([Float])
    /// 0/1 per example and label, `[examples × labelCount]` (multi-label).
    case multiHot([Float], labelCount: Int)
    /// A label per token, aligned with the data set's token ids: the tag id on each word's
    /// first piece, −100 elsewhere (specials, continuation pieces: not scored).
    case tokens([Int32])
    /// A retrieval evaluation set: its first `queryCount` examples are queries, the rest the
    /// corpus; `relevant[q]` lists the corpus rows (0-based within the corpus) relevant to
    /// query q. Evaluated, never trained on.
    case retrieval(queryCount: Int, relevant: [[Int]])
}

/// This rank's targets of one batch, in batch order; storage allocated once.
public final class TargetBuffer {
    /// Class ids `[rows]`, or token labels `[tokens]`.
    public private(set) var integers: [Int32]
    /// Regression values `[rows]`, or multi-hot targets `[rows × labels]`.
    public private(set) var floats: [Float]
    public private(set) var integerCount = 0
    public private(set) var floatCount = 0

    public init(integerCapacity: Int, floatCapacity: Int) {
        integers = Array(repeating: -100, count: max(integerCapacity, 1))
        floats = Array(repeating: 0, count: max(floatCapacity, 1))
    }

    public func removeAll() {
        integerCount = 0
        floatCount = 0
    }

    /// Appends example `i`'s targets.
    public func append(_ targets: Targets, example i: Int, tokens: Range<Int>) {
        switch targets {
        case .classes(let ids):
            append(integer: ids[i])
        case .values(let values):
            append(float: values[i])
        case .multiHot(let values, let k):
            for j in 0..<k { append(float: values[i * k + j]) }
        case .tokens(let labels):
            for t in tokens { append(integer: labels[t]) }
        case .retrieval:
            break
        }
    }

    public func append(integer: Int32) {
        precondition(integerCount < integers.count, "TargetBuffer: more than \(integers.count) integer targets")
        integers[integerCount] = integer
        integerCount += 1
    }

    public func append(float: Float) {
        precondition(floatCount < floats.count, "TargetBuffer: more than \(floats.count) float targets")
        floats[floatCount] = float
        floatCount += 1
    }
}
