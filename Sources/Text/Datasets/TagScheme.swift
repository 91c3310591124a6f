/// How the tags of a token-classification file mark entities.
///
/// Both schemes use the tags `O` (outside), `B-<type>` and `I-<type>` (begin, inside), with a
/// non-empty type (`B-PER`, `I-ORG-CORP`):
/// - **IOB2** (BIO; Hugging Face's conll2003, most current data): every entity starts with
///   `B-`, so `I-<type>` only follows `B-<type>` or `I-<type>`.
/// - **IOB1** (the original CoNLL-2003 files): entities start with `I-`; `B-` only separates
///   two adjacent entities of one type. Any sequence of the three tag forms is accepted.
///
/// The entity metrics (`seqeval`'s default mode) read either scheme, and give the same
/// entities for an IOB1 sequence and its `iob2(fromIOB1:)` conversion. Other schemes (IOBES's
/// `E-`/`S-`, BILOU) are rejected by the reader.
public enum TagScheme: String, Sendable, CaseIterable {
    case iob2, iob1

    /// A tag split into its prefix and entity type.
    public enum Tag: Equatable, Sendable {
        case outside
        case begin(String)
        case inside(String)

        /// `O`, `B-<type>` or `I-<type>` with a non-empty type; nil for anything else.
        public init?(_ tag: String) {
            if tag == "O" {
                self = .outside
                return
            }
            let utf8 = tag.utf8
            guard utf8.count > 2, utf8.dropFirst().first == UInt8(ascii: "-") else { return nil }
            // Bytes, not Characters: a combining mark after "-" would join it into one Character.
            let type = String(decoding: utf8.dropFirst(2), as: UTF8.self)
            switch utf8.first {
            case UInt8(ascii: "B"): self = .begin(type)
            case UInt8(ascii: "I"): self = .inside(type)
            default: return nil
            }
        }

        /// The entity type, nil for `O`.
        public var type: String? {
            switch self {
            case .outside: return nil
            case .begin(let type), .inside(let type): return type
            }
        }
    }

    /// Why the tags of one sentence break this scheme, or nil when they follow it.
    ///
    /// - Returns: the index of the first offending tag and a message naming the tag (and, for
    ///   IOB2, the tag before it).
    public func violation(in tags: [String]) -> (index: Int, message: String)? {
        var previous: Tag = .outside
        for (i, text) in tags.enumerated() {
            guard let tag = Tag(text) else {
                return (i, "tag \"\(text)\" is not O, B-<type> or I-<type> (\(rawValue.uppercased()) tags)")
            }
            if self == .iob2, case .inside(let type) = tag, previous.type != type {
                let before = i == 0 ? "the sentence start" : "\"\(tags[i - 1])\""
                return (
                    i,
                    "tag \"\(text)\" follows \(before): in IOB2 an entity starts with B-\(type)"
                        + " (if the file is IOB1, read it with scheme iob1)"
                )
            }
            previous = tag
        }
        return nil
    }

    /// The IOB2 tags of an IOB1 sentence: an `I-<type>` that starts an entity (after `O`, at the
    /// sentence start, or after another type) becomes `B-<type>`. Tags that are not
    /// `O`/`B-`/`I-` pass through unchanged.
    public static func iob2(fromIOB1 tags: [String]) -> [String] {
        var result = tags
        var previousType: String? = nil
        for (i, text) in tags.enumerated() {
            let tag = Tag(text)
            if case .inside(let type)? = tag, previousType != type {
                result[i] = "B-" + type
            }
            previousType = tag?.type
        }
        return result
    }
}
