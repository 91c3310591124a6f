/// A keyed, counter-based random stream for data augmentation (SplitMix64, Steele, Lea and
/// Flood 2014): the n-th number of a stream is `mix(key + n·γ)`, a pure function of the key
/// and n, and the key is a pure function of (seed, epoch, example index, side).
///
/// That is what makes augmentation independent of how a run is laid out: example `i` of epoch
/// `e` gets the same stream on rank 0 of 1 and on rank 3 of 4, on any thread, whether it is
/// augmented first or last — nothing is carried from one example to the next.
///
/// `Model.CounterRNG` plays this part for dropout; Text does not depend on Model, and the key
/// here starts from a constant of its own, so augmentation and dropout draw unrelated numbers
/// from the same `--seed`.
///
/// The stream conforms to `RandomNumberGenerator` for convenience (tests shuffle with it), but
/// the augmenter itself draws only through `next()`, `next(below:)` and `chance(_:)`, whose
/// algorithms are fixed here: the standard library's `random(in:using:)` and `shuffled(using:)`
/// may change between Swift versions, and augmented data must not.
public struct AugmentationRandom: RandomNumberGenerator, Sendable {
    /// Identifies the stream; two streams with different keys are unrelated.
    public let key: UInt64
    /// How many 64-bit numbers have been drawn.
    public private(set) var counter: UInt64 = 0

    /// SplitMix64's increment: the golden ratio times 2⁶⁴, odd, so `key + n·γ` visits all of
    /// 2⁶⁴ before repeating.
    static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15
    /// Separates augmentation keys from those of other users of the same seed ("augment\0").
    static let domain: UInt64 = 0x6175_676D_656E_7400

    /// The stream of one text: side 0 is the text (or the first of a pair), side 1 the second
    /// text of a pair. Negative integers are taken as their two's-complement bit patterns.
    public init(seed: UInt64, epoch: Int, example: Int, side: Int = 0) {
        // Each field goes in through its own odd multiplier and a full mixing round: for a fixed
        // prefix the map from the field to the key is a bijection, so keys that differ in any
        // one field never collide, and otherwise collide only by 64-bit chance.
        var k = Self.mix(seed ^ Self.domain)
        k = Self.mix(k ^ (UInt64(bitPattern: Int64(epoch)) &* 0xD1B5_4A32_D192_ED03))
        k = Self.mix(k ^ (UInt64(bitPattern: Int64(example)) &* 0xAEF1_7502_108E_F2D9))
        k = Self.mix(k ^ (UInt64(bitPattern: Int64(side)) &* 0xDB4F_0B91_75AE_2165))
        self.init(key: k)
    }

    /// A stream with a given key, at its start.
    public init(key: UInt64) {
        self.key = key
    }

    /// An independent stream derived from this one's key (not its position), for one purpose:
    /// each augmentation operation draws from its own substream, so turning one operation on or
    /// off leaves the draws of the others unchanged.
    public func substream(_ purpose: UInt64) -> AugmentationRandom {
        AugmentationRandom(key: Self.mix(key ^ Self.mix(purpose &+ Self.gamma)))
    }

    /// SplitMix64's output function: a bijective mix of 64 bits in which every input bit
    /// affects every output bit (shifts 30, 27, 31 and the two multipliers of the paper's
    /// reference code, Stafford's "Mix13").
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z &>> 31)
    }

    /// The next 64 random bits: number `counter + 1` of the stream.
    @inline(__always)
    public mutating func next() -> UInt64 {
        counter &+= 1
        return Self.mix(key &+ counter &* Self.gamma)
    }

    /// A uniform integer in `0..<bound`, without bias: the high half of a 64×64-bit product,
    /// redrawn in the rare case (probability < bound / 2⁶⁴) that the low half falls in the
    /// uneven part (Lemire, "Fast random integer generation in an interval", 2019).
    ///
    /// - Precondition: `bound > 0`.
    @inline(__always)
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "AugmentationRandom.next(below: \(bound)): the bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range  // 2⁶⁴ mod range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    /// True with probability `probability`: a uniform double in [0, 1) from the top 53 bits,
    /// compared with it. Exactly never for 0 and always for 1; one draw either way.
    @inline(__always)
    public mutating func chance(_ probability: Double) -> Bool {
        Double(next() &>> 11) * 0x1p-53 < probability
    }
}
