import Model

extension CausalLMTask {
    /// A language model has no label to explain.
    public func explanationTargets(
        _ i: Int, logits: ArraySlice<Float>, context: PredictionContext, target: String?
    ) throws -> [ExplanationTarget] {
        throw OptionError(
            "explain needs a classification, regression or token-classification model, not a language model")
    }
}
