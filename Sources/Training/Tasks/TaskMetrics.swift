import Model

/// One rank's share of an evaluation, for one task: it records batches, exposes what must
/// be summed over the ranks (counts; or per-example values at their own indices, zero
/// elsewhere), and turns the all-rank sums into the report. Summing is what makes the
/// metrics cover every example once whatever the rank count, and equal on every rank.
public protocol TaskMetrics {
    /// Records the batch of examples `examples` (data set indices, in batch order) whose
    /// head outputs are in `logits` (`[rows × outputs]`).
    mutating func record(
        _ logits: UnsafePointer<Float>, outputs: Int, batch: PackedBatch, targets: TargetBuffer,
        examples: Range<Int>)
    /// The values to sum over ranks.
    var partialSums: [Double] { get }
    /// The report from the summed `partialSums` and the summed loss.
    func report(sums: [Double], lossSum: Double) -> EvaluationReport
}

extension Array where Element == Int {
    /// Counts carried through a `Double` allreduce (exact below 2⁵³).
    init(counts: [Double]) { self = counts.map { Int($0) } }
}
