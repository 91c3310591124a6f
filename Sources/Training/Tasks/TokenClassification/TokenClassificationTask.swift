import Foundation
import Model
import Reports
import Text

/// One tag per word (BIO): cross-entropy on each word's first piece; entity-level F1 by
/// seqeval's rules and word accuracy. Saved as `…ForTokenClassification` (no `problem_type`).
public struct TokenClassificationTask: FineTuningTask {
    public init() {}

    public var name: String { "token-classification" }
    public var summary: String { "one tag per word (CoNLL, BIO): cross-entropy on first pieces; entity F1" }

    public func read(_ path: String, _ request: DataRequest) throws -> TaskData {
        var reader = CoNLLReader.Options()
        reader.labelled = request.requireLabels
        let sentences: [TaggedSentence]
        let ext = (path as NSString).pathExtension.lowercased()
        if request.requireLabels || ["conll", "txt", "iob", "bio"].contains(ext) {
            sentences = try CoNLLReader.read(path, options: reader)
        } else {
            // Plain text to tag: one sentence per row of a TSV/CSV/JSONL file, words split at spaces.
            var columns = request.columns
            columns.requireLabel = false
            sentences = try TextDatasetReader.read(path, columns: columns).map {
                TaggedSentence(
                    words: $0.text.split(whereSeparator: \.isWhitespace).map(String.init), tags: nil,
                    line: $0.line)
            }
        }
        return TaskData(labelNames: sentences.flatMap { $0.tags ?? [] }, texts: [], words: sentences.map(\.words)) {
            try Self.encode(sentences, file: path, request: request, tagSet: $0!)
        }
    }

    /// Words to pieces (`[CLS] … [SEP]`, truncated), each word's tag id on its first piece and
    /// −100 on the rest, as transformers' token-classification recipe.
    static func encode(
        _ sentences: [TaggedSentence], file: String, request: DataRequest,
        tagSet: LabelSet
    ) throws -> EncodedDataset {
        var labels: [Int32] = []
        var dataset = EncodedDataset(file: file, targets: .tokens([]))
        for sentence in sentences {
            let alignment = request.tokenizer.encode(words: sentence.words, maxLength: request.maxLength)
            var wordLabels = [Int32](repeating: WordAlignment.ignoredLabel, count: sentence.words.count)
            if let tags = sentence.tags {
                for (w, tag) in tags.enumerated() {
                    guard let id = tagSet.id(of: tag) else {
                        throw DataError(file: file, line: sentence.line + w, "tag \"\(tag)\" is not one of \(tagSet)")
                    }
                    wordLabels[w] = Int32(id)
                }
            }
            labels.append(contentsOf: alignment.tokenLabels(wordLabels))
            dataset.append(alignment.encoding, line: sentence.line)
        }
        return dataset.withTargets(.tokens(labels))
    }

    /// `O` first, then the tags sorted by entity type and `B` before `I`
    /// (`B-LOC, I-LOC, B-PER, …`).
    public func labelSet(inferredFrom names: [String]) -> LabelSet {
        let distinct = Set(names)
        let others = distinct.subtracting(["O"]).sorted { a, b in
            let ta = a.dropFirst(2), tb = b.dropFirst(2)
            return ta != tb ? ta < tb : a < b
        }
        return LabelSet(names: (distinct.contains("O") ? ["O"] : []) + others)
    }

    /// Changing words would misalign the word tags.
    public var allowsTextAugmentation: Bool { false }

    public func head(labels: Int) -> TaskHead { .token(outputs: labels) }
    public var problemType: String? { nil }
    public var reportCurves: [ReportCurve] {
        [
            ReportCurve(
                title: "Entity F1, precision and recall",
                keys: ["eval_overall_f1", "eval_overall_precision", "eval_overall_recall"]),
            ReportCurve(title: "Word accuracy", keys: ["eval_overall_accuracy"]),
        ]
    }

    public func isSaved(as config: HuggingFaceConfig) -> Bool {
        TaskHead.token(outputs: 0).isSaved(in: config.architectures)
    }

    public func lossAndGradient(
        _ logits: Logits, batch: PackedBatch, targets: TargetBuffer, labelSmoothing: Float,
        gradScale: Float
    ) -> Double {
        logits.crossEntropy(
            rows: batch.tokenCount, targets: targets, labelSmoothing: labelSmoothing, gradScale: gradScale)
    }

    public func metrics(labels: LabelSet, dataset: EncodedDataset) -> any TaskMetrics {
        EntityAccumulator(metrics: EntityMetrics(tagNames: labels.names))
    }

    /// Each word's tag is the argmax at its first piece (words cut by truncation get `O`), the
    /// entities with their word spans, and the logits of each tagged word.
    public func prediction(_ i: Int, logits rows: ArraySlice<Float>, context: PredictionContext) -> String {
        let k = context.labels.count, names = context.labels.names
        let words = context.data.words[i]
        let alignment = context.tokenizer.encode(words: words, maxLength: context.maxLength)
        var tags = [String](repeating: "O", count: words.count)
        var wordLogits: [String] = []
        for (t, word) in alignment.firstTokenWords.enumerated() where word >= 0 {
            let row = Array(rows[(rows.startIndex + t * k)..<(rows.startIndex + (t + 1) * k)])
            tags[Int(word)] = names[Evaluator.argmax(row, count: k)]
            wordLogits.append(PredictionJSON.list(row))
        }
        let entities = EntitySpans.extract(tags).map { span in
            PredictionJSON.object([
                ("type", PredictionJSON.string(span.type)), ("start", "\(span.start)"), ("end", "\(span.end)"),
                ("text", PredictionJSON.string(words[span.start...span.end].joined(separator: " "))),
            ])
        }
        return PredictionJSON.members([
            ("words", "[" + words.map(PredictionJSON.string).joined(separator: ", ") + "]"),
            ("tags", "[" + tags.map(PredictionJSON.string).joined(separator: ", ") + "]"),
            ("entities", "[" + entities.joined(separator: ", ") + "]"),
            ("logits", "[" + wordLogits.joined(separator: ", ") + "]"),
        ])
    }
}

/// Entity and word counts over this rank's sentences; see `EntityMetrics`.
struct EntityAccumulator: TaskMetrics {
    var metrics: EntityMetrics

    mutating func record(
        _ logits: UnsafePointer<Float>, outputs k: Int, batch: PackedBatch, targets: TargetBuffer,
        examples: Range<Int>
    ) {
        for b in 0..<batch.sequenceCount {
            let rows = batch.offset(b)..<(batch.offset(b) + batch.length(b))
            metrics.record(
                tokenLabels: Array(targets.integers[rows]),
                predicted: rows.map { Int32(Evaluator.argmax(logits + $0 * k, count: k)) })
        }
    }

    var partialSums: [Double] { metrics.counts.map(Double.init) }

    func report(sums: [Double], lossSum: Double) -> EvaluationReport {
        let m = EntityMetrics(tagNames: metrics.tagNames, counts: [Int](counts: sums), lossSum: lossSum)
        var values = ["eval_loss": m.loss, "eval_samples": Double(m.words)]
        for (key, value) in m.values { values["eval_" + key] = value }
        var lines = [
            String(
                format: "loss %.4f  entity F1 %.4f  precision %.4f  recall %.4f  word accuracy %.4f"
                    + "  (%d words)", m.loss, m.microF1, m.microPrecision, m.microRecall, m.accuracy, m.words)
        ]
        var entities: [[String]] = []
        for t in m.occurringTypes {
            entities.append(
                [m.types[t]] + [m.precision(t), m.recall(t), m.f1(t)].map(HTMLReport.number) + ["\(m.gold(t))"])
            lines.append(
                String(
                    format: "  %@: precision %.4f  recall %.4f  F1 %.4f  (%d)",
                    m.types[t], m.precision(t), m.recall(t), m.f1(t), m.gold(t)))
        }
        entities.append(
            ["all (micro)"] + [m.microPrecision, m.microRecall, m.microF1].map(HTMLReport.number) + [
                "\(m.occurringTypes.reduce(0) { $0 + m.gold($1) })"
            ])
        return EvaluationReport(
            values: values, lines: lines,
            sections: [
                .table(
                    title: "Entities", columns: ["type", "precision", "recall", "F1", "gold entities"], rows: entities)
            ])
    }
}
