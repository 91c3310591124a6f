/// An entity in a tag sequence: its type and the positions of its first and last word
/// (`end` inclusive, as seqeval's `(type, start, end)` tuples).
public struct EntitySpan: Hashable, Sendable, CustomStringConvertible {
    public var type: String
    public var start: Int
    public var end: Int

    public init(type: String, start: Int, end: Int) {
        self.type = type
        self.start = start
        self.end = end
    }

    public var description: String { "(\(type), \(start), \(end))" }
}

/// Entity extraction from tag sequences exactly as `seqeval.metrics.sequence_labeling
/// .get_entities` in its default (conlleval-compatible, non-strict) mode.
///
/// A tag is read as a prefix — its first character — and a type — what follows the first
/// `-` after it, or the rest when there is none, `_` when empty: `B-PER` → (B, PER),
/// `I-ORG-CORP` → (I, ORG-CORP), `B` → (B, _), `O` → (O, _). Then, word by word (a final `O`
/// closes the sentence):
/// - an entity **ends** after a tag `E` or `S`; before `B`, `S` or `O` following `B` or `I`;
///   and whenever the type changes after a tag that is not `O` or `.`;
/// - an entity **starts** at `B` or `S`; at `I` or `E` after `O`, `E` or `S`; and at any tag
///   other than `O` or `.` whose type differs from the previous tag's.
///
/// So in IOB2, IOB1 and IOBES alike: `I-PER` after `O` starts a PER entity, `I-LOC` after
/// `B-PER` ends the PER entity and starts a LOC one, `B-PER B-PER` are two entities, and an
/// entity never crosses the end of a sentence.
///
/// Each sentence starts from the state before any tag (previous tag `O`, no type). seqeval
/// flattens a list of sentences into one sequence with an `O` after each, so its later
/// sentences start after an `O` of type `_` instead: the two differ only for a sentence that
/// starts with a tag whose prefix is not `B`, `I`, `E`, `S`, `O` or `.` and whose type is `_`
/// (e.g. a bare `X`), which no reader here accepts.
public enum EntitySpans {
    /// A tag split into the prefix and the index of its type in a type table.
    struct ParsedTag: Equatable, Sendable {
        var prefix: Unicode.Scalar
        var type: Int
    }

    /// The prefix and type name of a tag, as seqeval splits it (`tag[0]`,
    /// `tag[1:].split('-', 1)[-1] or '_'`). The empty tag is a programmer error.
    static func split(_ tag: String) -> (prefix: Unicode.Scalar, type: String) {
        let scalars = tag.unicodeScalars
        guard let prefix = scalars.first else { preconditionFailure("EntitySpans: empty tag") }
        let rest = scalars.dropFirst()
        let type = rest.firstIndex(of: "-").map { rest[rest.index(after: $0)...] } ?? rest
        return (prefix, type.isEmpty ? "_" : String(Substring(type)))
    }

    /// The entities of one sentence's tags, in order of their end.
    public static func extract(_ tags: [String]) -> [EntitySpan] {
        var typeNames: [String] = []
        var typeIndex: [String: Int] = [:]
        let parsed = tags.map { tag -> ParsedTag in
            let (prefix, type) = split(tag)
            if typeIndex[type] == nil {
                typeIndex[type] = typeNames.count
                typeNames.append(type)
            }
            return ParsedTag(prefix: prefix, type: typeIndex[type]!)
        }
        var spans: [EntitySpan] = []
        forEachEntity(parsed, outsideType: typeIndex["_"] ?? -2) { type, start, end in
            spans.append(EntitySpan(type: typeNames[type], start: start, end: end))
        }
        return spans
    }

    /// Calls `body(type, start, end)` for every entity of `tags`, in order of their end.
    ///
    /// `outsideType` is the index of the type `_` (the type of `O`), or any index no tag uses;
    /// -1 stands for "no type" before the first tag.
    static func forEachEntity(_ tags: [ParsedTag], outsideType: Int, _ body: (Int, Int, Int) -> Void) {
        var previous = ParsedTag(prefix: "O", type: -1)
        var begin = 0
        for i in 0...tags.count {
            let tag = i < tags.count ? tags[i] : ParsedTag(prefix: "O", type: outsideType)
            if endsEntity(previous, tag) { body(previous.type, begin, i - 1) }
            if startsEntity(previous, tag) { begin = i }
            previous = tag
        }
    }

    /// seqeval's `end_of_chunk`: an entity ended between `previous` and `tag`.
    static func endsEntity(_ previous: ParsedTag, _ tag: ParsedTag) -> Bool {
        let p = previous.prefix, t = tag.prefix
        if p == "E" || p == "S" { return true }
        if (p == "B" || p == "I") && (t == "B" || t == "S" || t == "O") { return true }
        return p != "O" && p != "." && previous.type != tag.type
    }

    /// seqeval's `start_of_chunk`: an entity starts at `tag`.
    static func startsEntity(_ previous: ParsedTag, _ tag: ParsedTag) -> Bool {
        let p = previous.prefix, t = tag.prefix
        if t == "B" || t == "S" { return true }
        if (p == "E" || p == "S" || p == "O") && (t == "E" || t == "I") { return true }
        return t != "O" && t != "." && previous.type != tag.type
    }
}
