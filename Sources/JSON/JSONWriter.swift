/// Serialises `JSONValue`s in three layouts. Numbers are written as their stored text,
/// strings through `JSON.appendQuoted`.
public enum JSONWriter {
    /// No whitespace, members in their stored order (the safetensors header form).
    public static func compact(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, layout: .compact, level: 0)
        return out
    }

    /// One line with a space after each `,` and `:`, members in their stored order: the
    /// layout of Python's `json.dumps(obj)`, used for JSON Lines records
    /// (`{"step": 50, "loss": 0.61}`).
    public static func line(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, layout: .line, level: 0)
        return out
    }

    /// Two-space indentation and keys sorted by code point: the layout of Python's
    /// `json.dumps(obj, indent=2, sort_keys=True)`, which Hugging Face uses for
    /// `config.json`. Ends with a newline.
    public static func pretty(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, layout: .pretty, level: 0)
        out += "\n"
        return out
    }

    /// Whether `a` sorts before `b` by Unicode code point, Python's `str` order.
    public static func codePointPrecedes(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }

    private struct Layout {
        /// Per-level indentation; nil writes containers on one line.
        var indent: String?
        var comma: String
        var colon: String
        var sortKeys: Bool

        static let compact = Layout(indent: nil, comma: ",", colon: ":", sortKeys: false)
        static let line = Layout(indent: nil, comma: ", ", colon: ": ", sortKeys: false)
        // The comma's line break comes from `newline`.
        static let pretty = Layout(indent: "  ", comma: ",", colon: ": ", sortKeys: true)
    }

    private static func write(_ value: JSONValue, into out: inout String, layout: Layout, level: Int) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let text): out += text
        case .string(let string): JSON.appendQuoted(string, to: &out)
        case .array(let elements):
            if elements.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (k, element) in elements.enumerated() {
                if k > 0 { out += layout.comma }
                newline(into: &out, layout: layout, level: level + 1)
                write(element, into: &out, layout: layout, level: level + 1)
            }
            newline(into: &out, layout: layout, level: level)
            out += "]"
        case .object(var members):
            if members.isEmpty {
                out += "{}"
                return
            }
            if layout.sortKeys { members.sort { codePointPrecedes($0.key, $1.key) } }
            out += "{"
            for (k, member) in members.enumerated() {
                if k > 0 { out += layout.comma }
                newline(into: &out, layout: layout, level: level + 1)
                JSON.appendQuoted(member.key, to: &out)
                out += layout.colon
                write(member.value, into: &out, layout: layout, level: level + 1)
            }
            newline(into: &out, layout: layout, level: level)
            out += "}"
        }
    }

    private static func newline(into out: inout String, layout: Layout, level: Int) {
        guard let indent = layout.indent else { return }
        out += "\n"
        for _ in 0..<level { out += indent }
    }
}
