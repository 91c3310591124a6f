import Foundation

/// Inline SVG for the HTML report: line charts over steps, a scatter plot and a heat map.
/// Plain elements only (`line`, `polyline`, `circle`, `rect`, `text`); colours and fonts come
/// from the page's CSS classes, so the page needs nothing from outside.
enum SVGChart {
    /// A named line of a chart.
    struct Series {
        var name: String
        var points: [(x: Double, y: Double)]
    }

    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    static let width = 460.0
    static let height = 250.0
    /// Plot area inside the margins (left for the y tick labels, bottom for the x ones).
    static let plot = (left: 62.0, right: 450.0, top: 10.0, bottom: 218.0)

    /// Lines of `series` over a shared x axis; non-finite values break a line.
    static func lines(_ series: [Series], xLabel: String = "step") -> String {
        let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xs = Axis(values: all.map(\.x)), ys = Axis(values: all.map(\.y))
        var svg = open() + frame(xs, ys, xLabel: xLabel)
        for (i, line) in series.enumerated() {
            let colour = palette[i % palette.count]
            var segment: [String] = []
            func flush() {
                if segment.count == 1 {
                    let xy = segment[0].split(separator: ",")
                    svg += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"2.5\" fill=\"\(colour)\"/>"
                } else if segment.count > 1 {
                    svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\""
                    svg += segment.joined(separator: " ") + "\"/>"
                }
                segment.removeAll()
            }
            for p in line.points {
                if p.x.isFinite && p.y.isFinite {
                    segment.append(coordinate(xs.map(p.x), ys.map(p.y, flipped: true)))
                } else {
                    flush()
                }
            }
            flush()
        }
        return svg + "</svg>"
    }

    /// Points `(x, y)` with the diagonal y = x over the shared range.
    static func scatter(x: [Double], y: [Double], xLabel: String, yLabel: String) -> String {
        let pairs = zip(x, y).filter { $0.0.isFinite && $0.1.isFinite }
        let both = Axis(values: pairs.map(\.0) + pairs.map(\.1))
        var svg = open() + frame(both, both, xLabel: xLabel, yLabel: yLabel)
        let (lo, hi) = (both.ticks.first ?? 0, both.ticks.last ?? 1)
        svg += "<line class=\"diagonal\" x1=\"\(f(both.map(lo)))\" y1=\"\(f(both.map(lo, flipped: true)))\" "
        svg += "x2=\"\(f(both.map(hi)))\" y2=\"\(f(both.map(hi, flipped: true)))\"/>"
        for (a, b) in pairs {
            svg += "<circle cx=\"\(f(both.map(a)))\" cy=\"\(f(both.map(b, flipped: true)))\" r=\"2\" class=\"dot\"/>"
        }
        return svg + "</svg>"
    }

    /// A confusion matrix: rows truth, columns predicted, shaded by the row's fraction.
    static func heatMap(labels: [String], counts: [Int]) -> String {
        let n = labels.count
        let cell = min(64.0, 400.0 / Double(max(n, 1)))
        let left = 100.0, top = 30.0
        let size = (w: left + cell * Double(n) + 10, h: top + cell * Double(n) + 30)
        var svg = "<svg viewBox=\"0 0 \(f(size.w)) \(f(size.h))\" "
        svg += "width=\"\(f(size.w))\" height=\"\(f(size.h))\" role=\"img\">"
        svg += "<text class=\"axis-label\" x=\"\(f(left))\" y=\"12\">predicted →</text>"
        svg += "<text class=\"axis-label\" x=\"4\" y=\"\(f(top - 6))\">truth ↓</text>"
        for t in 0..<n {
            let rowTotal = max((0..<n).reduce(0) { $0 + counts[t * n + $1] }, 1)
            let y = top + cell * Double(t)
            svg += "<text class=\"tick\" x=\"\(f(left - 4))\" y=\"\(f(y + cell / 2 + 4))\" text-anchor=\"end\">"
            svg += HTML.escape(short(labels[t])) + "</text>"
            for p in 0..<n {
                let count = counts[t * n + p]
                let x = left + cell * Double(p)
                let shade = Double(count) / Double(rowTotal)
                svg += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(cell - 1))\" height=\"\(f(cell - 1))\" "
                svg += "fill=\"rgb(31,119,180)\" fill-opacity=\"\(String(format: "%.2f", 0.05 + 0.95 * shade))\"/>"
                if n <= 16 {
                    svg += "<text class=\"\(shade > 0.5 ? "cell light" : "cell")\" x=\"\(f(x + cell / 2))\" "
                    svg += "y=\"\(f(y + cell / 2 + 4))\" text-anchor=\"middle\">\(count)</text>"
                }
            }
        }
        for p in 0..<n where n <= 16 {
            let x = left + cell * Double(p) + cell / 2
            svg += "<text class=\"tick\" x=\"\(f(x))\" y=\"\(f(top + cell * Double(n) + 14))\" text-anchor=\"middle\">"
            svg += HTML.escape(short(labels[p], limit: max(3, Int(cell / 7)))) + "</text>"
        }
        return svg + "</svg>"
    }

    // MARK: Parts

    static func open() -> String {
        "<svg class=\"plot-svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" "
            + "width=\"\(f(width))\" height=\"\(f(height))\" role=\"img\">"
    }

    /// Grid lines, tick labels and axis titles.
    static func frame(_ xs: Axis, _ ys: Axis, xLabel: String, yLabel: String? = nil) -> String {
        var svg = ""
        for t in ys.ticks {
            let y = f(ys.map(t, flipped: true))
            svg += "<line class=\"grid\" x1=\"\(f(plot.left))\" y1=\"\(y)\" x2=\"\(f(plot.right))\" y2=\"\(y)\"/>"
            svg += "<text class=\"tick\" x=\"\(f(plot.left - 4))\" y=\"\(y)\" dy=\"4\" text-anchor=\"end\">"
            svg += Axis.label(t) + "</text>"
        }
        for t in xs.ticks {
            let x = f(xs.map(t))
            svg += "<line class=\"grid\" x1=\"\(x)\" y1=\"\(f(plot.top))\" x2=\"\(x)\" y2=\"\(f(plot.bottom))\"/>"
            svg += "<text class=\"tick\" x=\"\(x)\" y=\"\(f(plot.bottom + 14))\" text-anchor=\"middle\">"
            svg += Axis.label(t) + "</text>"
        }
        svg += "<rect class=\"plot\" x=\"\(f(plot.left))\" y=\"\(f(plot.top))\" "
        svg += "width=\"\(f(plot.right - plot.left))\" height=\"\(f(plot.bottom - plot.top))\"/>"
        svg += "<text class=\"axis-label\" x=\"\(f((plot.left + plot.right) / 2))\" y=\"\(f(height - 4))\" "
        svg += "text-anchor=\"middle\">\(HTML.escape(xLabel))</text>"
        if let yLabel {
            svg += "<text class=\"axis-label\" transform=\"translate(12 \(f((plot.top + plot.bottom) / 2))) "
            svg += "rotate(-90)\" text-anchor=\"middle\">\(HTML.escape(yLabel))</text>"
        }
        return svg
    }

    static func coordinate(_ x: Double, _ y: Double) -> String { f(x) + "," + f(y) }

    /// One decimal: enough for a 460-pixel chart, and short.
    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    static func short(_ text: String, limit: Int = 14) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}

/// A linear axis over the values, widened to round ticks (1, 2 or 5 × 10ᵏ apart).
struct Axis {
    let ticks: [Double]
    let low: Double
    let high: Double

    init(values: [Double]) {
        var lo = values.min() ?? 0, hi = values.max() ?? 1
        if lo == hi {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            (lo, hi) = (lo - pad, hi + pad)
        }
        let rough = (hi - lo) / 5
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let spacing = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let first = (lo / spacing).rounded(.down) * spacing
        let last = (hi / spacing).rounded(.up) * spacing
        ticks = stride(from: first, through: last + spacing / 2, by: spacing).map { $0 }
        (low, high) = (first, last)
    }

    /// Pixel position of `value`: along x, or along y (top = high) when `flipped`.
    func map(_ value: Double, flipped: Bool = false) -> Double {
        let fraction = high == low ? 0.5 : (value - low) / (high - low)
        let p = SVGChart.plot
        return flipped ? p.bottom - fraction * (p.bottom - p.top) : p.left + fraction * (p.right - p.left)
    }

    /// A short tick label: `0.25`, `1.5e-05`, `20k`.
    static func label(_ value: Double) -> String {
        let a = abs(value)
        if a == 0 { return "0" }
        if a >= 10_000 && a < 1e7 && value.rounded() == value {
            return String(format: "%gk", value / 1000)
        }
        if a < 1e-3 || a >= 1e7 { return String(format: "%.1e", value) }
        return String(format: "%.4g", value)
    }
}

/// Escaping for text and attribute values.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
