extension SVGChart {
    /// One horizontal bar per row, made of its segments laid end to end from zero (colours in
    /// `palette` order, one per segment index), its total at the right; an x axis from zero
    /// to the largest total. Negative and non-finite segments count as zero. The height
    /// grows with the rows (16 px each), so 64 ranks stay readable.
    static func stackedBars(_ rows: [(label: String, segments: [Double])], xLabel: String) -> String {
        let clean = rows.map { row in (row.label, row.segments.map { $0.isFinite ? max($0, 0) : 0 }) }
        let totals = clean.map { $0.1.reduce(0, +) }
        let xs = Axis(values: [0] + totals)
        let left = 70.0, right = 400.0, top = 8.0, bar = 16.0
        let bottom = top + bar * Double(rows.count)
        let height = bottom + 34
        func x(_ value: Double) -> Double {
            left + (xs.high == xs.low ? 0 : (value - xs.low) / (xs.high - xs.low)) * (right - left)
        }
        var svg = "<svg class=\"plot-svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" "
        svg += "width=\"\(f(width))\" height=\"\(f(height))\" role=\"img\">"
        for t in xs.ticks {
            svg += "<line class=\"grid\" x1=\"\(f(x(t)))\" y1=\"\(f(top))\" x2=\"\(f(x(t)))\" y2=\"\(f(bottom))\"/>"
            svg += "<text class=\"tick\" x=\"\(f(x(t)))\" y=\"\(f(bottom + 14))\" text-anchor=\"middle\">"
            svg += Axis.label(t) + "</text>"
        }
        for (i, row) in clean.enumerated() {
            let y = top + bar * Double(i)
            svg += "<text class=\"tick\" x=\"\(f(left - 4))\" y=\"\(f(y + bar / 2 + 4))\" text-anchor=\"end\">"
            svg += HTML.escape(short(row.0)) + "</text>"
            var start = 0.0
            for (s, value) in row.1.enumerated() where value > 0 {
                svg += "<rect class=\"bar\" x=\"\(f(x(start)))\" y=\"\(f(y + 2))\" "
                svg += "width=\"\(f(x(start + value) - x(start)))\" height=\"\(f(bar - 4))\" "
                svg += "fill=\"\(palette[s % palette.count])\"/>"
                start += value
            }
            svg += "<text class=\"tick\" x=\"\(f(x(start) + 4))\" y=\"\(f(y + bar / 2 + 4))\">"
            svg += Axis.label(totals[i]) + "</text>"
        }
        svg += "<text class=\"axis-label\" x=\"\(f((left + right) / 2))\" y=\"\(f(height - 4))\" "
        svg += "text-anchor=\"middle\">\(HTML.escape(xLabel))</text>"
        return svg + "</svg>"
    }
}
