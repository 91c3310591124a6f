import Model

extension RegressionTask {
    /// f is the predicted value (the one output); there is no label to choose.
    public func explanationTargets(
        _ i: Int, logits: ArraySlice<Float>, context: PredictionContext, target: String?
    ) throws -> [ExplanationTarget] {
        if let target { throw OptionError("--target \(target): a regression model has one output, the value") }
        return [ExplanationTarget(label: "value", terms: [.init(row: 0, column: 0)])]
    }
}
