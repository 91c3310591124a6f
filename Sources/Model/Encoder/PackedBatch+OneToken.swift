/// A batch of one token per sequence of another — its first (BERT's `[CLS]`) or last (a
/// decoder's sequence head) — for a top layer that computes only the rows its head reads
/// (`BertModel+FirstTokenLayer`, `GPT2Model+LastTokenBlock`). Row b of a compact `[B, ·]`
/// matrix stands for sequence b's row `sourceRow(b, in: source)` of the full `[N, ·]` one.
extension PackedBatch {
    /// Makes this batch that token of each sequence of `source`: a sequence of length 1 per
    /// sequence, with the token's position and the same sample id, so that per-token operations
    /// (dropout masks included) treat row b as they treat its row in `source`.
    public func setOneTokenPerSequence(of source: PackedBatch, last: Bool) {
        removeAll()
        for b in 0..<source.sequenceCount {
            let t = last ? source.length(b) - 1 : 0, row = source.offset(b) + t
            append(
                ids: UnsafeBufferPointer(start: source.tokenIds + row, count: 1),
                typeIds: UnsafeBufferPointer(start: source.typeIds + row, count: 1), sample: source.sampleIds[b])
            positions[b] = Int32(t)
        }
    }

    /// The row of `source` that row b stands for.
    public func sourceRow(_ b: Int, in source: PackedBatch) -> Int { source.offset(b) + Int(positions[b]) }

    /// Row b of `compact` `[B, C]` ← its source row of `full` `[N, C]`.
    public func gather(_ full: MatrixView, of source: PackedBatch, into compact: MatrixView) {
        for b in 0..<sequenceCount {
            compact.row(b).update(from: full.row(sourceRow(b, in: source)), count: full.cols)
        }
    }

    /// `full` `[N, C]` holds a compact `[B, C]` in its first B rows on entry; on exit each of
    /// those rows is at its source row and every other row is zero (a compact gradient spread
    /// back over the batch, in place). Row b's source row is at or after b (every sequence before
    /// b has a token), so moving the last row first never overwrites a row still to move.
    public func spreadInPlace(_ full: MatrixView, of source: PackedBatch) {
        let c = full.cols
        for b in stride(from: sequenceCount - 1, through: 0, by: -1) {
            let to = sourceRow(b, in: source)
            if to != b { full.row(to).update(from: full.row(b), count: c) }
        }
        for b in 0..<sequenceCount {
            let kept = sourceRow(b, in: source)
            for r in source.offset(b)..<(source.offset(b) + source.length(b)) where r != kept {
                full.row(r).update(repeating: 0, count: c)
            }
        }
    }
}
