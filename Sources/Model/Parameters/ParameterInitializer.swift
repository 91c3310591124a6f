#if canImport(Glibc)
    import Glibc
#endif

/// Initialisation of parameters a checkpoint does not provide (a new head), as transformers'
/// `BertPreTrainedModel._init_weights`: linear weights ~ N(0, initializer_range²), biases 0,
/// LayerNorm γ = 1 and β = 0.
///
/// Normal values come from the counter-based generator (Box–Muller), keyed by the run's seed
/// and the parameter's name, so an initialisation is the same on every machine and does
/// not depend on which other parameters exist.
public enum ParameterInitializer {
    public static let defaultStandardDeviation: Float = 0.02

    /// Initialises `entry` inside `slab` by the rule above.
    public static func initialize(
        _ entry: ParameterEntry, in slab: UnsafeMutablePointer<Float>, seed: UInt64,
        standardDeviation: Float = defaultStandardDeviation
    ) {
        let p = slab + entry.offset
        if entry.name.hasSuffix("LayerNorm.weight") {
            p.update(repeating: 1, count: entry.count)
        } else if entry.name.hasSuffix(".bias") {
            p.update(repeating: 0, count: entry.count)
        } else {
            normal(p, count: entry.count, standardDeviation: standardDeviation, key: key(seed: seed, name: entry.name))
        }
    }

    /// A 64-bit stream key from the seed and a name (FNV-1a over the UTF-8 bytes, then mixed).
    public static func key(seed: UInt64, name: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return CounterRNG.mix64(hash ^ CounterRNG.mix64(seed))
    }

    /// Fills `values` with N(0, σ²) draws: Box–Muller on pairs of 32-bit uniforms.
    public static func normal(_ values: UnsafeMutablePointer<Float>, count: Int, standardDeviation: Float, key: UInt64)
    {
        var i = 0
        while i < count {
            let u1 = (Double(CounterRNG.bits(key: key, counter: UInt32(truncatingIfNeeded: i))) + 0.5) / 4_294_967_296
            let u2 = Double(CounterRNG.bits(key: key, counter: UInt32(truncatingIfNeeded: i + 1))) / 4_294_967_296
            let radius = (-2 * log(u1)).squareRoot() * Double(standardDeviation)
            values[i] = Float(radius * cos(2 * Double.pi * u2))
            if i + 1 < count { values[i + 1] = Float(radius * sin(2 * Double.pi * u2)) }
            i += 2
        }
    }
}
