/// Model inputs for one text or text pair: token ids, token type (segment) ids and the
/// attention mask, all of the same length.
public struct Encoding: Sendable, Equatable {
    /// Vocabulary ids, special tokens included: `[CLS] A [SEP]` or `[CLS] A [SEP] B [SEP]`.
    public var ids: [Int32]
    /// 0 for the first text and the tokens around it, 1 for the second text and its `[SEP]`.
    public var typeIds: [Int32]
    /// 1 for real tokens, 0 for padding.
    public var attentionMask: [Int32]

    /// An encoding of real tokens only (attention 1 everywhere).
    public init(ids: [Int32], typeIds: [Int32]) {
        precondition(ids.count == typeIds.count, "Encoding: \(ids.count) ids but \(typeIds.count) type ids")
        self.init(ids: ids, typeIds: typeIds, attentionMask: [Int32](repeating: 1, count: ids.count))
    }

    public init(ids: [Int32], typeIds: [Int32], attentionMask: [Int32]) {
        precondition(
            ids.count == typeIds.count && ids.count == attentionMask.count,
            "Encoding: \(ids.count) ids, \(typeIds.count) type ids, \(attentionMask.count) mask values")
        self.ids = ids
        self.typeIds = typeIds
        self.attentionMask = attentionMask
    }

    /// Number of tokens, padding included.
    public var count: Int { ids.count }

    /// This encoding padded on the right to `length` tokens with `padId`, type id `padTypeId`
    /// and attention 0. Like Hugging Face padding it never truncates: an encoding of `length`
    /// tokens or more comes back unchanged.
    public func padded(to length: Int, padId: Int32, padTypeId: Int32 = 0) -> Encoding {
        guard length > count else { return self }
        let extra = length - count
        return Encoding(
            ids: ids + repeatElement(padId, count: extra),
            typeIds: typeIds + repeatElement(padTypeId, count: extra),
            attentionMask: attentionMask + repeatElement(0, count: extra))
    }
}
