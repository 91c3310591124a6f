import Parallel

/// A small stand-in for the BERT gradient slab: embeddings, layers, pooler, head, each made
/// of parameter tensors laid out one after another, like the real layout table.
struct SyntheticModel {
    /// One backward unit (embeddings, a layer, pooler, head): its tensors' element ranges.
    struct Unit {
        let name: String
        let tensors: [Range<Int>]
        var range: Range<Int> { tensors.first!.lowerBound..<tensors.last!.upperBound }
    }

    let units: [Unit]
    let count: Int

    /// - Parameters: tensor sizes of each unit, in slab order.
    init(embeddings: [Int], layer: [Int], layers: Int, pooler: [Int], head: [Int]) {
        var units: [Unit] = []
        var offset = 0
        func add(_ name: String, _ sizes: [Int]) {
            var tensors: [Range<Int>] = []
            for size in sizes {
                tensors.append(offset..<(offset + size))
                offset += size
            }
            units.append(Unit(name: name, tensors: tensors))
        }
        add("embeddings", embeddings)
        for index in 0..<layers { add("layer.\(index)", layer) }
        add("pooler", pooler)
        add("head", head)
        self.units = units
        self.count = offset
    }

    /// The reduced ranges, from the end of the slab toward the start, skipping frozen units.
    func trainableRanges(frozen: Set<String> = []) -> [Range<Int>] {
        units.reversed().filter { !frozen.contains($0.name) }.flatMap { $0.tensors.reversed() }
    }

    /// Tiny: ~0.55 M floats, for the correctness checks.
    static let small = SyntheticModel(
        embeddings: [60_000, 5_000, 200, 50, 50],
        layer: [9_216, 96, 9_216, 96, 9_216, 96, 9_216, 96, 96, 96, 36_864, 384, 36_864, 96, 96, 96],
        layers: 4, pooler: [9_216, 96], head: [192, 2])

    /// all-MiniLM-L6-v2 with a 2-class head: 22.7 M floats (91 MB), for the benchmark.
    static let miniLM: SyntheticModel = {
        let h = 384, ffn = 1_536
        let layer = [h * h, h, h * h, h, h * h, h, h * h, h, h, h, ffn * h, ffn, h * ffn, h, h, h]
        return SyntheticModel(
            embeddings: [30_522 * h, 512 * h, 2 * h, h, h], layer: layer, layers: 6,
            pooler: [h * h, h], head: [2 * h, 2])
    }()
}

/// A rank's pseudo-random gradient value at slab index `i`: uniform in [-1, 1), a function of
/// (rank, i) only, so any rank can recompute any other's contribution.
func gradientValue(rank: Int, index: Int) -> Float {
    let bits = SplitMix64.mix(UInt64(rank + 1) << 40 ^ UInt64(index))
    return Float(bits >> 40) / Float(1 << 24) * 2 - 1
}
