import Foundation
import Parallel

/// Picks a sequence's next token from its last position's scores (`[vocabulary]`), in
/// transformers' order: repetition penalty, then — when sampling — temperature, top-k,
/// top-p, and a draw from the softmax of what is left; greedy takes the first highest score.
///
/// Each prompt draws from its own stream (`seed`, prompt index), so a prompt's continuation
/// depends neither on the other prompts nor on how many ranks share them.
public struct TokenSampler {
    public let options: SamplingOptions
    private var random: SplitMix64
    /// Scratch for the top-p sort, `[vocabulary]`.
    private var order: [Int32] = []

    public init(options: SamplingOptions, prompt: Int) {
        self.options = options
        random = SplitMix64(seed: SplitMix64.mix(options.seed) ^ SplitMix64.mix(UInt64(prompt) &+ 0x9E37_79B9))
    }

    /// The next token after `history` (prompt and tokens so far); `scores` is rewritten.
    public mutating func next(scores: UnsafeMutableBufferPointer<Float>, history: [Int32]) -> Int32 {
        if options.repetitionPenalty != 1 {
            Self.penalizeRepetitions(scores, history: history, penalty: options.repetitionPenalty)
        }
        guard let sampling = options.sampling else { return Int32(Self.argmax(scores)) }
        Self.warp(scores, sampling, order: &order)
        return Int32(draw(scores))
    }

    /// transformers' `RepetitionPenaltyLogitsProcessor`: each distinct token seen once.
    static func penalizeRepetitions(_ scores: UnsafeMutableBufferPointer<Float>, history: [Int32], penalty: Float) {
        for token in Set(history) where Int(token) < scores.count {
            let s = scores[Int(token)]
            scores[Int(token)] = s < 0 ? s * penalty : s / penalty
        }
    }

    /// Temperature, then top-k (ties with the k-th score kept, as transformers), then top-p;
    /// removed tokens get −∞.
    static func warp(
        _ scores: UnsafeMutableBufferPointer<Float>, _ sampling: SamplingOptions.Sampling, order: inout [Int32]
    ) {
        if sampling.temperature != 1 {
            for i in scores.indices { scores[i] /= sampling.temperature }
        }
        if sampling.topK > 0 && sampling.topK < scores.count {
            var sorted = Array(scores)
            sorted.sort(by: >)
            let kth = sorted[sampling.topK - 1]
            for i in scores.indices where scores[i] < kth { scores[i] = -.infinity }
        }
        if sampling.topP < 1 {
            // Ascending order; drop the low tail whose cumulative probability stays within
            // 1 − top_p, always keeping the most likely token.
            order = (0..<Int32(scores.count)).map { $0 }
            order.sort { scores[Int($0)] < scores[Int($1)] || (scores[Int($0)] == scores[Int($1)] && $0 < $1) }
            let probabilities = softmax(order.map { scores[Int($0)] })
            var cumulative: Float = 0
            for (rank, index) in order.enumerated() where rank < order.count - 1 {
                cumulative += probabilities[rank]
                if cumulative <= 1 - sampling.topP { scores[Int(index)] = -.infinity } else { break }
            }
        }
    }

    /// A draw from the softmax of `scores`.
    private mutating func draw(_ scores: UnsafeMutableBufferPointer<Float>) -> Int {
        let probabilities = Self.softmax(Array(scores))
        let u = Float(random.next() >> 40) / Float(1 << 24)
        var cumulative: Float = 0
        var last = 0
        for (i, p) in probabilities.enumerated() where p > 0 {
            cumulative += p
            last = i
            if u < cumulative { return i }
        }
        return last
    }

    static func softmax(_ values: [Float]) -> [Float] {
        let largest = values.max() ?? 0
        var exps = values.map { $0 == -.infinity ? 0 : Foundation.exp($0 - largest) }
        let sum = exps.reduce(0, +)
        for i in exps.indices { exps[i] /= sum }
        return exps
    }

    /// The index of the first highest score (as `torch.argmax`).
    static func argmax(_ scores: UnsafeMutableBufferPointer<Float>) -> Int {
        var best = 0
        for i in scores.indices where scores[i] > scores[best] { best = i }
        return best
    }
}
