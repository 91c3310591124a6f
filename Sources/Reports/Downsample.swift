/// Curves of long runs, thinned for drawing: a 100,000-step run logged every step would
/// otherwise put 100,000 points in each line of the page.
enum Downsample {
    /// At most `limit` points (`limit` ≥ 4): the points split into `limit / 2` runs of
    /// consecutive points, each kept as its lowest and highest point in x order, so spikes
    /// (a loss blow-up, a non-finite value) survive where an average would hide them.
    static func minMax(_ points: [(x: Double, y: Double)], limit: Int = 500) -> [(x: Double, y: Double)] {
        guard points.count > limit, limit >= 4 else { return points }
        let buckets = limit / 2
        var out: [(x: Double, y: Double)] = []
        out.reserveCapacity(limit)
        for b in 0..<buckets {
            let range = (b * points.count / buckets)..<((b + 1) * points.count / buckets)
            guard !range.isEmpty else { continue }
            if let broken = range.first(where: { !points[$0].y.isFinite }) {
                // Keep the gap: a line breaks at a non-finite value.
                out.append(points[broken])
                continue
            }
            var low = range.lowerBound, high = range.lowerBound
            for i in range {
                if points[i].y < points[low].y { low = i }
                if points[i].y > points[high].y { high = i }
            }
            for i in Set([low, high]).sorted() { out.append(points[i]) }
        }
        return out
    }

    /// At most `limit` of the indices `0..<count`, evenly spaced (for scatter points).
    static func indices(count: Int, limit: Int) -> [Int] {
        guard count > limit, limit > 0 else { return Array(0..<count) }
        return (0..<limit).map { $0 * count / limit }
    }
}
