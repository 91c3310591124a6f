import Foundation
import JSON

/// `explain --html`: one self-contained page (inline CSS, no scripts, nothing fetched) with a
/// row per explanation line, each token shaded by its attribution — green for tokens that
/// raise f, red for those that lower it, the opacity |A_i| / max_j |A_j| within the line. Each
/// token's value shows on hover (`title`).
public enum ExplanationHTML {
    /// The page of `lines` (JSON lines written by `ExplanationSession`), `title` on top.
    public static func page(_ lines: [String], title: String) throws -> String {
        var rows = ""
        for (index, line) in lines.enumerated() {
            let value: JSONValue
            do {
                value = try JSONParser.parse(line)
            } catch {
                throw OptionError("explanation \(index + 1): not valid JSON (\(error.message))")
            }
            rows += try row(value, index: index)
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>
            body { font: 15px/1.6 system-ui, sans-serif; margin: 2em; color: #222; }
            .ex { margin: 0 0 1.2em; padding-bottom: .6em; border-bottom: 1px solid #ddd; }
            .meta { color: #555; font-size: 13px; }
            .tok { padding: 1px 3px; margin: 0 1px; border-radius: 3px; white-space: pre; }
            .key span { padding: 1px 6px; border-radius: 3px; }
            </style></head><body>
            <h1>\(escape(title))</h1>
            <p class="key">Integrated gradients: <span style="background: rgba(0, 150, 0, .6)">raises f</span>
            <span style="background: rgba(210, 0, 0, .6)">lowers f</span> (hover a token for its attribution)</p>
            \(rows)</body></html>

            """
    }

    static func row(_ value: JSONValue, index: Int) throws -> String {
        guard case .array(let tokenValues) = value["tokens"],
            case .array(let attributionValues) = value["attributions"],
            tokenValues.count == attributionValues.count
        else { throw OptionError("explanation \(index + 1): expected \"tokens\" and \"attributions\" of one length") }
        let tokens = tokenValues.map { value -> String in
            if case .string(let text) = value { return text }
            return "?"
        }
        let attributions = attributionValues.map { $0.doubleValue ?? 0 }
        let largest = max(attributions.map(abs).max() ?? 0, 1e-12)
        let label: String
        if case .string(let text) = value["label"] { label = text } else { label = "?" }
        let score = value["score"]?.doubleValue ?? .nan, baseline = value["baseline_score"]?.doubleValue ?? .nan
        let total = attributions.reduce(0, +)
        var meta = "line \(value["line"]?.integerValue ?? index + 1) · <b>\(escape(label))</b>"
        if case .string(let text) = value["text"] { meta += " “\(escape(text))”" }
        meta += String(
            format: " · f(x) %.4f, f(baseline) %.4f, Σ attributions %.4f (gap %.2g)", score, baseline, total,
            total - (score - baseline))
        let spans = zip(tokens, attributions).map { token, a in
            let color = a >= 0 ? "0, 150, 0" : "210, 0, 0"
            let alpha = String(format: "%.3f", abs(a) / largest)
            return "<span class=\"tok\" style=\"background: rgba(\(color), \(alpha))\" title=\""
                + String(format: "%.5g", a) + "\">\(escape(token))</span>"
        }
        return "<div class=\"ex\"><div class=\"meta\">\(meta)</div><div>\(spans.joined())</div></div>\n"
    }

    /// `text` with `& < > "` escaped.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
