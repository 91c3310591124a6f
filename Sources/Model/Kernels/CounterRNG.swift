/// A counter-based random generator: every random number is a pure function of a 64-bit
/// key and a 32-bit counter, so any element of any dropout mask can be produced on any rank,
/// in any order, on any thread — and produced again in the backward pass instead of stored.
///
/// Keys are derived from (seed, step, the sample's global index, the dropout site), so the
/// masks a sample sees do not depend on how a global batch is split among ranks.
public enum CounterRNG {
    /// SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mix.
    public static func mix64(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A key for one stream: each field is folded in through its own mixing round, so keys
    /// differing in any one field are unrelated.
    public static func key(seed: UInt64, step: UInt64, sample: UInt64, site: UInt64) -> UInt64 {
        var k = mix64(seed &+ 0x9E37_79B9_7F4A_7C15)
        k = mix64(k ^ step)
        k = mix64(k ^ (sample &* 0xD6E8_FEB8_6659_FD93))
        return mix64(k ^ (site &* 0xA076_1D64_78BD_642F))
    }

    /// 32 random bits for `counter` in the stream `key`: two rounds of a 32-bit
    /// multiply–xorshift mix with the key's halves injected, cheap enough to vectorise.
    public static func bits(key: UInt64, counter: UInt32) -> UInt32 {
        var x = (counter &* 0x9E37_79B9) ^ UInt32(truncatingIfNeeded: key)
        x ^= x >> 16
        x &*= 0x21F0_AAAD
        x ^= x >> 15
        x ^= UInt32(truncatingIfNeeded: key >> 32)
        x &*= 0x735A_2D97
        x ^= x >> 15
        x &*= 0x21F0_AAAD
        x ^= x >> 16
        return x
    }

    /// Vector form of `bits`, for 16 consecutive counters starting at `counter`. Always
    /// inlined: a call passes and returns the 64-byte vectors through memory.
    @_transparent
    public static func bits16(key: UInt64, counter: UInt32) -> SIMD16<UInt32> {
        let lanes = SIMD16<UInt32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        var x =
            ((SIMD16<UInt32>(repeating: counter) &+ lanes) &* 0x9E37_79B9)
            ^ SIMD16<UInt32>(repeating: UInt32(truncatingIfNeeded: key))
        x ^= x &>> 16
        x &*= 0x21F0_AAAD
        x ^= x &>> 15
        x ^= SIMD16<UInt32>(repeating: UInt32(truncatingIfNeeded: key >> 32))
        x &*= 0x735A_2D97
        x ^= x &>> 15
        x &*= 0x21F0_AAAD
        x ^= x &>> 16
        return x
    }
}
