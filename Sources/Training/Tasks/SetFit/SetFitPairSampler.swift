import Parallel

/// A training pair for SetFit's contrastive stage: two example rows and the cosine-similarity
/// target, 1 for the same label (positive) and 0 for different labels (negative).
public struct SetFitPair: Equatable, Sendable {
    public var first: Int
    public var second: Int
    public var target: Float

    public init(first: Int, second: Int, target: Float) {
        self.first = first
        self.second = second
        self.target = target
    }
}

/// How many pairs SetFit draws, as setfit's `TrainingArguments` (`num_iterations`,
/// `sampling_strategy`).
public enum SetFitSampling: Equatable, Sendable {
    /// `iterations × n` positive and as many negative pairs for `n` examples (`--num-iterations`).
    case iterations(Int)
    /// As many of each kind as the larger pool has (setfit's default without `num_iterations`).
    case oversampling
    /// As many of each kind as the smaller pool has.
    case undersampling
    /// Every distinct pair once.
    case unique
}

/// Draws SetFit's pairs the way setfit 1.2 (`sampler.ContrastiveDataset`) does, with this
/// project's random stream:
///
/// 1. the pool is every unordered pair `(i, j)`, `i ≤ j`, of the `n` examples — an example
///    paired with itself included (setfit's combinations with replacement) — in an order
///    shuffled by Fisher–Yates from `SplitMix64(seed)`;
/// 2. it splits, keeping that order, into positives (same label) and negatives;
/// 3. each list is read cyclically to its count (`SetFitSampling`), so with `.iterations(k)`
///    there are exactly `k·n` positives and `k·n` negatives, repeats spread evenly;
/// 4. the pairs alternate positive, negative, … (the rest of the longer list at the end).
///
/// So the draw depends only on the labels and the seed, never on the rank count. setfit
/// shuffles with numpy's `RandomState(42)` whatever the seed; the pairs are the same in
/// distribution, not draw for draw. Memory: the pool holds `n(n+1)/2` pairs (8,256 for 128
/// examples), fine for few-shot data.
public enum SetFitPairSampler {
    /// The most examples the pool is built for: 50 M pairs, 400 MB.
    public static let maximumExamples = 10_000

    /// The pairs for examples labelled `labels` (any integer class ids).
    /// - Throws: `SetFitError` for no examples or more than `maximumExamples`, a single label
    ///   (no negative pair exists), or a non-positive iteration count.
    public static func pairs(labels: [Int], sampling: SetFitSampling, seed: UInt64) throws(SetFitError) -> [SetFitPair]
    {
        let n = labels.count
        guard n > 0 else { throw SetFitError("SetFit needs labelled examples; there are none") }
        guard Set(labels).count >= 2 else {
            throw SetFitError(
                "SetFit needs examples of at least two labels to draw negative pairs; all are \(labels[0])")
        }
        guard n <= maximumExamples else {
            throw SetFitError(
                "SetFit pairs every example with every other: \(n) examples would make \(n * (n + 1) / 2) pairs; "
                    + "it is a few-shot method, use at most \(maximumExamples) examples")
        }
        if case .iterations(let k) = sampling, k < 1 {
            throw SetFitError("--num-iterations must be at least 1, not \(k)")
        }
        var pool: [(Int32, Int32)] = []
        pool.reserveCapacity(n * (n + 1) / 2)
        for i in 0..<n { for j in i..<n { pool.append((Int32(i), Int32(j))) } }
        var random = SplitMix64(seed: seed)
        for i in stride(from: pool.count - 1, to: 0, by: -1) {
            pool.swapAt(i, random.next(below: i + 1))
        }
        var positives: [SetFitPair] = [], negatives: [SetFitPair] = []
        for (i, j) in pool {
            let same = labels[Int(i)] == labels[Int(j)]
            let pair = SetFitPair(first: Int(i), second: Int(j), target: same ? 1 : 0)
            if same { positives.append(pair) } else { negatives.append(pair) }
        }
        let (positiveCount, negativeCount): (Int, Int)
        switch sampling {
        case .iterations(let k): (positiveCount, negativeCount) = (k * n, k * n)
        case .oversampling:
            (positiveCount, negativeCount) = (
                max(positives.count, negatives.count), max(positives.count, negatives.count)
            )
        case .undersampling:
            (positiveCount, negativeCount) = (
                min(positives.count, negatives.count), min(positives.count, negatives.count)
            )
        case .unique: (positiveCount, negativeCount) = (positives.count, negatives.count)
        }
        var out: [SetFitPair] = []
        out.reserveCapacity(positiveCount + negativeCount)
        for t in 0..<max(positiveCount, negativeCount) {
            if t < positiveCount { out.append(positives[t % positives.count]) }
            if t < negativeCount { out.append(negatives[t % negatives.count]) }
        }
        return out
    }
}
