/// How `generate` picks each new token: greedily (the most likely one) unless a sampling
/// option is given, as transformers' `generate` with its defaults (`do_sample` turned on by
/// a sampling option; then temperature 1, top-k 50, top-p 1 unless set).
public struct SamplingOptions: Sendable, Equatable {
    /// nil: greedy.
    public var sampling: Sampling?
    /// transformers' `repetition_penalty` (1: off): the score of every token already in the
    /// sequence (prompt included) is divided by it when positive, multiplied when negative.
    public var repetitionPenalty: Float = 1
    public var maxNewTokens: Int
    public var seed: UInt64 = 0

    public struct Sampling: Sendable, Equatable {
        public var temperature: Float = 1
        /// Keep the `topK` most likely tokens (0: all).
        public var topK: Int = 50
        /// Keep the smallest set of most likely tokens whose probability reaches `topP` (1: all).
        public var topP: Float = 1

        public init(temperature: Float = 1, topK: Int = 50, topP: Float = 1) {
            self.temperature = temperature
            self.topK = topK
            self.topP = topP
        }
    }

    public init(maxNewTokens: Int, sampling: Sampling? = nil, repetitionPenalty: Float = 1, seed: UInt64 = 0) {
        self.maxNewTokens = maxNewTokens
        self.sampling = sampling
        self.repetitionPenalty = repetitionPenalty
        self.seed = seed
    }

    /// The options given on a command line: sampling when any of `temperature`, `topK`,
    /// `topP` is, the others at transformers' defaults.
    public init(
        maxNewTokens: Int, temperature: Float?, topK: Int?, topP: Float?, repetitionPenalty: Float?, seed: UInt64?
    ) throws {
        guard maxNewTokens >= 1 else { throw OptionError("--max-new-tokens \(maxNewTokens): must be at least 1") }
        if let temperature, !(temperature > 0 && temperature.isFinite) {
            throw OptionError("--temperature \(temperature): must be a positive number")
        }
        if let topK, topK < 0 { throw OptionError("--top-k \(topK): must be 0 (off) or more") }
        if let topP, !(topP > 0 && topP <= 1) { throw OptionError("--top-p \(topP): must be in (0, 1]") }
        if let repetitionPenalty, !(repetitionPenalty > 0 && repetitionPenalty.isFinite) {
            throw OptionError("--repetition-penalty \(repetitionPenalty): must be a positive number")
        }
        self.init(maxNewTokens: maxNewTokens, repetitionPenalty: repetitionPenalty ?? 1, seed: seed ?? 0)
        if temperature != nil || topK != nil || topP != nil {
            sampling = Sampling(temperature: temperature ?? 1, topK: topK ?? 50, topP: topP ?? 1)
        }
    }
}
