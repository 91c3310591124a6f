/// The sizes a config.json states that its checkpoint's tensors must have, checked against
/// the checkpoint's header before a model is allocated: a config whose `type_vocab_size`
/// reads 1000000000 beside a 2-row table is refused with both values, instead of allocating
/// hundreds of gigabytes.
public struct ConfigSizes: Sendable {
    /// A dimension of a tensor (its name without the family's prefix, e.g. `wte.weight`)
    /// that must equal the config's value under `key`.
    public struct Dimension: Sendable {
        public var key: String
        public var value: Int
        public var tensor: String
        public var dimension: Int

        /// `key` states `value` as dimension `dimension` of `tensor`.
        public static func stated(_ key: String, _ value: Int, as dimension: Int, of tensor: String) -> Dimension {
            Dimension(key: key, value: value, tensor: tensor, dimension: dimension)
        }
    }

    public var dimensions: [Dimension]
    /// The config key of the layer count, its value, and the name path before a layer's
    /// index (`encoder.layer.` in `encoder.layer.3.output.dense.weight`).
    public var layerKey: String
    public var layers: Int
    public var layerPrefix: String

    public init(dimensions: [Dimension], layerKey: String, layers: Int, layerPrefix: String) {
        self.dimensions = dimensions
        self.layerKey = layerKey
        self.layers = layers
        self.layerPrefix = layerPrefix
    }

    /// Throws when a stated size differs from the tensor's in `shapes` (name → shape, as the
    /// weights file `weightsFile` holds them, with or without a prefix such as `bert.`), or
    /// when the config asks for more layers than the file has. Tensors the file lacks are
    /// left to the loader, which names them.
    public func check(against shapes: [String: [Int]], weightsFile: String, configFile: String)
        throws(ModelFamilyError)
    {
        for entry in dimensions {
            guard let (name, shape) = ConfigSizes.find(entry.tensor, in: shapes), entry.dimension < shape.count
            else { continue }
            if shape[entry.dimension] != entry.value {
                throw ModelFamilyError(
                    "\(configFile): \(entry.key) is \(entry.value), but \(weightsFile) has \(name) of shape "
                        + "\(shape) (\(shape[entry.dimension]) in dimension \(entry.dimension)); they must agree")
            }
        }
        let found = layerIndices(in: shapes.keys)
        if layers > found.count {
            throw ModelFamilyError(
                "\(configFile): \(layerKey) is \(layers), but \(weightsFile) holds tensors of \(found.count) "
                    + "layer(s) (\(layerPrefix)<index>.…); they must agree")
        }
    }

    /// The file's tensor named `canonical` exactly or after a prefix ending in ".".
    static func find(_ canonical: String, in shapes: [String: [Int]]) -> (String, [Int])? {
        if let shape = shapes[canonical] { return (canonical, shape) }
        let suffix = "." + canonical
        guard let name = shapes.keys.sorted().first(where: { $0.hasSuffix(suffix) }) else { return nil }
        return (name, shapes[name]!)
    }

    /// The distinct layer indices named in `names` (`…<layerPrefix><index>.…`).
    func layerIndices(in names: some Sequence<String>) -> Set<Int> {
        var indices = Set<Int>()
        for name in names {
            guard let range = name.range(of: layerPrefix),
                range.lowerBound == name.startIndex || name[name.index(before: range.lowerBound)] == "."
            else { continue }
            let digits = name[range.upperBound...].prefix { $0.isNumber }
            if let index = Int(digits) { indices.insert(index) }
        }
        return indices
    }
}
