import Foundation
import JSON

/// The pieces of a prediction line (`{"line": 3, "label": "positive", …}`) as JSON text.
public enum PredictionJSON {
    /// `"name": value` members joined, without the braces (the caller adds `line` first).
    public static func members(_ members: [(String, String)]) -> String {
        members.map { string($0.0) + ": " + $0.1 }.joined(separator: ", ")
    }

    /// A JSON object of `members`.
    public static func object(_ members: [(String, String)]) -> String { "{" + self.members(members) + "}" }

    /// A JSON array of numbers, each as Swift prints it (shortest round-trip form).
    public static func list<Number: LosslessStringConvertible>(_ values: [Number]) -> String {
        "[" + values.map { String($0) }.joined(separator: ", ") + "]"
    }

    /// `exp(x − max) / Σ exp(x − max)`, in Double.
    public static func softmax(_ values: [Float]) -> [Double] {
        let largest = values.max() ?? 0
        let exps = values.map { Foundation.exp(Double($0 - largest)) }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }

    /// `text` as a JSON string literal.
    public static func string(_ text: String) -> String { JSON.quoted(text) }
}
