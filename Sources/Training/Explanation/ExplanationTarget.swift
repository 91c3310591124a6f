import Model

/// One function f of an example's logits that `explain` attributes to its tokens: the sum of
/// the logits at `terms`, each `(row, column)` with the row counted within the example (0 for
/// a head with one row per sequence; the token index for a per-token head).
public struct ExplanationTarget: Sendable {
    public struct Term: Equatable, Sendable {
        public let row: Int
        public let column: Int

        public init(row: Int, column: Int) {
            self.row = row
            self.column = column
        }
    }

    /// The label written with the explanation (a class, `value`, an entity type).
    public let label: String
    public let terms: [Term]
    /// Further JSON members of the output line (an entity's words), as `PredictionJSON` text.
    public let members: [(String, String)]

    public init(label: String, terms: [Term], members: [(String, String)] = []) {
        self.label = label
        self.terms = terms
        self.members = members
    }

    /// f(logits) for one example whose rows start at `logits` (`outputs` per row).
    public func value(_ logits: UnsafePointer<Float>, outputs: Int) -> Float {
        terms.reduce(0) { $0 + logits[$1.row * outputs + $1.column] }
    }
}

extension FineTuningTask {
    /// The logit of the predicted class (the largest), or of `target`: classification, pairs,
    /// multi-label (its highest-scoring label unless `target` names one).
    public func explanationTargets(
        _ i: Int, logits: ArraySlice<Float>, context: PredictionContext, target: String?
    ) throws -> [ExplanationTarget] {
        let names = context.labels.names
        let column: Int
        if let target {
            guard let id = context.labels.id(of: target) else {
                throw OptionError("--target \(target): not a label of this model (\(names.joined(separator: ", ")))")
            }
            column = id
        } else {
            column = Evaluator.argmax(Array(logits), count: logits.count)
        }
        return [ExplanationTarget(label: names[column], terms: [.init(row: 0, column: column)])]
    }
}
