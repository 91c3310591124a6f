import Model

extension TokenClassificationTask {
    /// One explanation per predicted entity (of type `target` when given): f is the sum, over
    /// the entity's words, of the logit of each word's predicted tag at its first piece — the
    /// rows training scores. The line names the entity: `text` and its word span `start`,
    /// `end` (inclusive).
    public func explanationTargets(
        _ i: Int, logits rows: ArraySlice<Float>, context: PredictionContext, target: String?
    ) throws -> [ExplanationTarget] {
        let k = context.labels.count, names = context.labels.names
        let words = context.data.words[i]
        let alignment = context.tokenizer.encode(words: words, maxLength: context.maxLength)
        var tags = [String](repeating: "O", count: words.count)
        var firstPiece = [Int](repeating: -1, count: words.count)
        var tagIds = [Int](repeating: 0, count: words.count)
        for (t, word) in alignment.firstTokenWords.enumerated() where word >= 0 {
            let id = Evaluator.argmax(
                Array(rows[(rows.startIndex + t * k)..<(rows.startIndex + (t + 1) * k)]), count: k)
            tags[Int(word)] = names[id]
            firstPiece[Int(word)] = t
            tagIds[Int(word)] = id
        }
        let spans = EntitySpans.extract(tags)
        if let target, !spans.contains(where: { $0.type == target }) {
            let types = Set(names.filter { $0 != "O" }.map { EntitySpans.split($0).type })
            guard types.contains(target) else {
                throw OptionError("--target \(target): not an entity type of this model (\(types.sorted()))")
            }
        }
        return spans.filter { target == nil || $0.type == target }.map { span in
            ExplanationTarget(
                label: span.type,
                terms: (span.start...span.end).filter { firstPiece[$0] >= 0 }.map {
                    .init(row: firstPiece[$0], column: tagIds[$0])
                },
                members: [
                    ("text", PredictionJSON.string(words[span.start...span.end].joined(separator: " "))),
                    ("start", "\(span.start)"), ("end", "\(span.end)"),
                ])
        }
    }
}
