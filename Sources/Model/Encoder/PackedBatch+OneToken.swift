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

    /// `full` `[N, C]` ← zero but for the source rows, which get the rows of `compact` `[B, C]`
    /// (a compact gradient spread back over the batch). The two must not overlap.
    public func spread(_ compact: MatrixView, of source: PackedBatch, into full: MatrixView) {
        for r in 0..<full.rows { full.row(r).update(repeating: 0, count: full.cols) }
        for b in 0..<sequenceCount {
            full.row(sourceRow(b, in: source)).update(from: compact.row(b), count: full.cols)
        }
    }
}
