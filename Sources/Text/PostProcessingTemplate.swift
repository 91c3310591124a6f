/// Where the special tokens go around the sequences, and which type id each token gets
/// (Hugging Face tokenizers' `TemplateProcessing`; `BertProcessing` is the BERT template).
public struct PostProcessingTemplate: Sendable, Equatable {
    /// One element of a template.
    public enum Piece: Sendable, Equatable {
        /// Special token ids, inserted as they are.
        case special(ids: [Int32], typeId: Int32)
        /// The first sequence (template name "A").
        case first(typeId: Int32)
        /// The second sequence (template name "B").
        case second(typeId: Int32)
    }

    /// Template for one sequence, e.g. `[CLS] A [SEP]`.
    public var single: [Piece]
    /// Template for a pair, e.g. `[CLS] A [SEP] B:1 [SEP]:1`.
    public var pair: [Piece]

    public init(single: [Piece], pair: [Piece]) {
        self.single = single
        self.pair = pair
    }

    /// BERT's template: `[CLS] A [SEP]`, and `[CLS] A [SEP] B [SEP]` with type id 1 for B and
    /// its `[SEP]`.
    public static func bert(cls: Int32, sep: Int32) -> PostProcessingTemplate {
        PostProcessingTemplate(
            single: [.special(ids: [cls], typeId: 0), .first(typeId: 0), .special(ids: [sep], typeId: 0)],
            pair: [
                .special(ids: [cls], typeId: 0), .first(typeId: 0), .special(ids: [sep], typeId: 0),
                .second(typeId: 1), .special(ids: [sep], typeId: 1),
            ])
    }

    /// Number of special tokens the template adds (2 for a BERT single, 3 for a pair).
    public func specialTokenCount(pair isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { count, piece in
            if case .special(let ids, _) = piece { return count + ids.count }
            return count
        }
    }

    /// The encoding of `first` (and `second`) with the special tokens in place.
    func apply(first: [Int32], second: [Int32]?) -> Encoding {
        let pieces = second == nil ? single : pair
        var ids: [Int32] = []
        var typeIds: [Int32] = []
        let capacity = first.count + (second?.count ?? 0) + specialTokenCount(pair: second != nil)
        ids.reserveCapacity(capacity)
        typeIds.reserveCapacity(capacity)
        for piece in pieces {
            switch piece {
            case .special(let special, let typeId):
                ids += special
                typeIds += repeatElement(typeId, count: special.count)
            case .first(let typeId):
                ids += first
                typeIds += repeatElement(typeId, count: first.count)
            case .second(let typeId):
                let tokens = second ?? []
                ids += tokens
                typeIds += repeatElement(typeId, count: tokens.count)
            }
        }
        return Encoding(ids: ids, typeIds: typeIds)
    }
}
