/// Contiguous ranges of the parameter slab that the optimizer updates, each with one weight
/// decay flag and one learning-rate multiplier — the table's entries merged where adjacent
/// entries agree. Built outside the step whenever what trains changes.
public struct UpdateRun: Equatable, Sendable {
    public var range: Range<Int>
    public var decays: Bool
    public var learningRateScale: Float
    public var group: ParameterGroup
}

extension ParameterTable {
    /// The runs of the entries that train, with `learningRateScale(group)` per group.
    public func updateRuns(
        trainable: (ParameterEntry) -> Bool,
        learningRateScale: (ParameterGroup) -> Float = { _ in 1 }
    ) -> [UpdateRun] {
        var runs: [UpdateRun] = []
        for e in entries where trainable(e) {
            let scale = learningRateScale(e.group)
            if var last = runs.last, last.range.upperBound == e.offset, last.decays == e.decays,
                last.learningRateScale == scale, last.group == e.group
            {
                last.range = last.range.lowerBound..<e.range.upperBound
                runs[runs.count - 1] = last
            } else {
                runs.append(UpdateRun(range: e.range, decays: e.decays, learningRateScale: scale, group: e.group))
            }
        }
        return runs
    }
}

extension Array where Element == UpdateRun {
    /// The parts of these runs inside `ranges` (sorted, disjoint): what one rank of a
    /// sharded optimizer updates.
    public func restricted(to ranges: [Range<Int>]) -> [UpdateRun] {
        var result: [UpdateRun] = []
        for run in self {
            for range in ranges where range.overlaps(run.range) {
                var part = run
                part.range =
                    Swift.max(
                        run.range.lowerBound, range.lowerBound)..<Swift.min(run.range.upperBound, range.upperBound)
                result.append(part)
            }
        }
        return result
    }
}
