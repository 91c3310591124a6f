// Numbers as JSON text. One rule everywhere a Double or Float is written (metrics lines,
// labels read from numbers, adapter configs, prediction output): a whole number prints as
// an integer, so that 50.0 is `50` and a label 1 read from JSON Lines is the label "1".

extension JSON {
    /// The magnitude below which a whole number prints as an integer; larger values keep
    /// Swift's shortest form (`1000000000000000.0`, `1e+17`), which reads back as the same
    /// value.
    static let integerLimit = 1e15

    /// `value` as a JSON number: `50` for 50.0, `0.61`, `4.9e-05` (the shortest text that
    /// reads back to the same Double), `-0.0` as `0`; `null` for NaN and infinities, which
    /// JSON cannot hold.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < integerLimit { return String(Int64(value)) }
        return value.description
    }

    /// `value` as a JSON number in Float's shortest round-trip form (`0.1`, not the
    /// Double widening's `0.10000000149011612`); whole numbers and non-finite values as for
    /// Double.
    public static func number(_ value: Float) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < Float(integerLimit) { return String(Int64(value)) }
        return value.description
    }

    /// The text of a JSON number literal as a label or field value: integers as written,
    /// other numbers through `number(_: Double)` (so `1.0` and `1e0` are both `1`).
    public static func normalizedNumber(_ literal: String) -> String {
        if JSONValue.isIntegerLiteral(literal) { return Int(literal).map(String.init) ?? literal }
        guard let value = Double(literal) else { return literal }
        return number(value)
    }
}
