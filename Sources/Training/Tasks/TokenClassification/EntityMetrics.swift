/// Entity-level precision, recall and F1 per entity type and micro- and macro-averaged, and
/// word-level accuracy, for token classification — what `seqeval` reports in its default mode
/// (and Hugging Face's `evaluate.load("seqeval")` as `overall_*` and per-type values).
///
/// An entity counts as found only when a predicted entity has the same type, first and last
/// word as a gold one (`EntitySpans`). Every rank records its shard of the sentences; the
/// counts — per type: true positives, predicted, gold; then correct and total words — add up,
/// so one allreduce of `counts` (and of `lossSum`) gives the metrics of the whole set.
///
/// Tags are recorded by id into `tagNames` (the model's label set), at word level: one tag
/// per word, i.e. the predictions at each word's first token (`WordAlignment`). Words that
/// truncation cut off have no prediction; as in Hugging Face's recipe, the caller leaves them
/// out of both sequences.
public struct EntityMetrics: Equatable, Sendable {
    /// The label set the tag ids index.
    public let tagNames: [String]
    /// The entity types of `tagNames`, sorted (seqeval's order).
    public let types: [String]
    /// `[3 · types.count + 2]`: for type `t`, `counts[3t]` true positives, `counts[3t + 1]`
    /// predicted entities, `counts[3t + 2]` gold entities; then correct words and words.
    public private(set) var counts: [Int]
    /// The summed loss over the labelled tokens, for `loss`.
    public var lossSum: Double = 0

    private let parsedTags: [EntitySpans.ParsedTag]
    private let tagIds: [String: Int32]
    private let outsideType: Int

    public init(tagNames: [String]) {
        self.tagNames = tagNames
        let split = tagNames.map(EntitySpans.split)
        // The types of entities these tags can form: every tag's type except that of
        // prefixes that never start one ("O" and ".").
        let entityTypes = Set(split.filter { $0.prefix != "O" && $0.prefix != "." }.map(\.type))
        types = entityTypes.sorted()
        // Types of O-like tags are interned after the entity types so their entities (none)
        // need no counters.
        var index = Dictionary(uniqueKeysWithValues: types.enumerated().map { ($1, $0) })
        for (_, type) in split where index[type] == nil { index[type] = index.count }
        if index["_"] == nil { index["_"] = index.count }
        parsedTags = split.map { EntitySpans.ParsedTag(prefix: $0.prefix, type: index[$0.type]!) }
        outsideType = index["_"]!
        tagIds = Dictionary(tagNames.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { first, _ in first })
        counts = [Int](repeating: 0, count: 3 * types.count + 2)
    }

    /// Metrics from summed `counts` (e.g. after the allreduce).
    public init(tagNames: [String], counts: [Int], lossSum: Double) {
        self.init(tagNames: tagNames)
        precondition(
            counts.count == self.counts.count,
            "EntityMetrics: \(counts.count) counts for \(types.count) entity types (expected \(self.counts.count))")
        self.counts = counts
        self.lossSum = lossSum
    }

    /// Counts one sentence: `gold` and `predicted` tag ids, one per word.
    public mutating func record(gold: [Int32], predicted: [Int32]) {
        precondition(
            gold.count == predicted.count, "EntityMetrics: \(gold.count) gold tags but \(predicted.count) predicted")
        let goldTags = gold.map { parsedTag($0) }
        let predictedTags = predicted.map { parsedTag($0) }
        var goldSpans = Set<SpanKey>()
        let typeCount = types.count
        EntitySpans.forEachEntity(goldTags, outsideType: outsideType) { type, start, end in
            guard type < typeCount else { return }
            goldSpans.insert(SpanKey(type: type, start: start, end: end))
            counts[3 * type + 2] += 1
        }
        EntitySpans.forEachEntity(predictedTags, outsideType: outsideType) { type, start, end in
            guard type < typeCount else { return }
            counts[3 * type + 1] += 1
            if goldSpans.contains(SpanKey(type: type, start: start, end: end)) { counts[3 * type] += 1 }
        }
        counts[3 * typeCount] += zip(gold, predicted).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        counts[3 * typeCount + 1] += gold.count
    }

    /// Counts one sentence from token-level `labels` (`WordAlignment.tokenLabels`: the word's
    /// tag id on its first token, negative elsewhere) and the `predicted` tag id of every token:
    /// the words are the positions with a label, as Hugging Face's `run_ner.py` keeps
    /// `[p for (p, l) in zip(prediction, label) if l != -100]`.
    public mutating func record(tokenLabels labels: [Int32], predicted: [Int32]) {
        precondition(
            labels.count == predicted.count, "EntityMetrics: \(labels.count) labels but \(predicted.count) predictions")
        var gold: [Int32] = [], words: [Int32] = []
        for (label, prediction) in zip(labels, predicted) where label >= 0 {
            gold.append(label)
            words.append(prediction)
        }
        record(gold: gold, predicted: words)
    }

    /// Counts one sentence given as tag names (each must be one of `tagNames`).
    public mutating func record(gold: [String], predicted: [String]) {
        func id(_ tag: String) -> Int32 {
            guard let id = tagIds[tag] else {
                preconditionFailure("EntityMetrics: tag \"\(tag)\" is not one of \(tagNames)")
            }
            return id
        }
        record(gold: gold.map(id), predicted: predicted.map(id))
    }

    private func parsedTag(_ id: Int32) -> EntitySpans.ParsedTag {
        precondition(id >= 0 && Int(id) < parsedTags.count, "EntityMetrics: tag id \(id) for \(parsedTags.count) tags")
        return parsedTags[Int(id)]
    }

    private struct SpanKey: Hashable {
        var type: Int, start: Int, end: Int
    }

    // MARK: Counts

    public func truePositives(_ t: Int) -> Int { counts[3 * t] }
    public func predicted(_ t: Int) -> Int { counts[3 * t + 1] }
    /// Gold entities of type `t` (seqeval's "support", evaluate's "number").
    public func gold(_ t: Int) -> Int { counts[3 * t + 2] }
    public var correctWords: Int { counts[3 * types.count] }
    public var words: Int { counts[3 * types.count + 1] }

    // MARK: Metrics

    /// Of the predicted entities of type `t`, the fraction that are gold (0 when none).
    public func precision(_ t: Int) -> Double { Self.ratio(truePositives(t), predicted(t)) }
    /// Of the gold entities of type `t`, the fraction predicted (0 when none).
    public func recall(_ t: Int) -> Double { Self.ratio(truePositives(t), gold(t)) }
    public func f1(_ t: Int) -> Double { Self.f1(precision(t), recall(t)) }

    /// Precision over all entities, whatever their type.
    public var microPrecision: Double { Self.ratio(sum(0), sum(1)) }
    public var microRecall: Double { Self.ratio(sum(0), sum(2)) }
    /// seqeval's default `f1_score` and evaluate's `overall_f1`.
    public var microF1: Double { Self.f1(microPrecision, microRecall) }

    /// The types seqeval reports: those with a gold or a predicted entity.
    public var occurringTypes: [Int] { types.indices.filter { gold($0) > 0 || predicted($0) > 0 } }

    /// Unweighted means over `occurringTypes`; NaN when no entity occurs at all, as seqeval
    /// (the mean of nothing).
    public var macroPrecision: Double { mean(occurringTypes.map(precision)) }
    public var macroRecall: Double { mean(occurringTypes.map(recall)) }
    public var macroF1: Double { mean(occurringTypes.map(f1)) }

    /// Correct words over words (seqeval's `accuracy_score`), 0 when there are none.
    public var accuracy: Double { Self.ratio(correctWords, words) }
    /// The mean loss over the recorded words.
    public var loss: Double { words == 0 ? 0 : lossSum / Double(words) }

    /// The values evaluate's seqeval metric returns, flattened: `overall_precision`,
    /// `overall_recall`, `overall_f1`, `overall_accuracy`, and `<TYPE>_precision`,
    /// `_recall`, `_f1`, `_number` for each occurring type.
    public var values: [String: Double] {
        var values = [
            "overall_precision": microPrecision, "overall_recall": microRecall, "overall_f1": microF1,
            "overall_accuracy": accuracy,
        ]
        for t in occurringTypes {
            values["\(types[t])_precision"] = precision(t)
            values["\(types[t])_recall"] = recall(t)
            values["\(types[t])_f1"] = f1(t)
            values["\(types[t])_number"] = Double(gold(t))
        }
        return values
    }

    private func sum(_ offset: Int) -> Int { types.indices.reduce(0) { $0 + counts[3 * $1 + offset] } }

    private func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    static func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }

    /// `2pr / (p + r)`, 0 when both are 0 (scikit-learn / seqeval with zero_division 0).
    static func f1(_ p: Double, _ r: Double) -> Double { p + r == 0 ? 0 : 2 * p * r / (p + r) }
}
