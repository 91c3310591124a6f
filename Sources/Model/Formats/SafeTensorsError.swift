/// A problem with a safetensors file: unreadable, malformed, or not what the caller asked
/// for. The description names the file, the tensor (when one is concerned) and what was
/// expected against what was found:
///
///     model.safetensors: tensor "pooler.dense.bias": data_offsets [0, 1532] hold 1532 bytes,
///     but shape [384] of F32 needs 1536
public struct SafeTensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file as the caller named it.
    public var file: String
    /// The tensor the problem concerns, if any.
    public var tensor: String?
    /// What was expected and what was found.
    public var message: String

    public init(file: String, tensor: String? = nil, message: String) {
        self.file = file
        self.tensor = tensor
        self.message = message
    }

    public var description: String {
        if let tensor { return "\(file): tensor \"\(tensor)\": \(message)" }
        return "\(file): \(message)"
    }
}
