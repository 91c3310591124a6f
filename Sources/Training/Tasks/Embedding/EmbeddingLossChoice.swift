import Text

/// `--loss` of the embedding task: the loss by name with its settings, the columns its data
/// must have, and the per-example scores it reads from a data set.
public struct EmbeddingLossChoice: Sendable {
    /// The `--loss` values, in the order `--help` lists them; the first is the default.
    public static let names = [
        "multiple-negatives-ranking", "multiple-negatives-symmetric-ranking", "cosine-similarity", "contrastive",
        "online-contrastive", "triplet",
    ]

    public let loss: any EmbeddingLoss

    /// - Parameters:
    ///   - name: a `--loss` value.
    ///   - scale: `--loss-scale`, the similarity scale of multiple-negatives ranking (20).
    ///   - margin: `--loss-margin` of the contrastive (0.5) and triplet (5) losses.
    /// - Throws: `OptionError` for an unknown name, a setting the loss does not take, or a
    ///   scale or margin that is not positive and finite.
    public init(name: String, scale: Double? = nil, margin: Double? = nil) throws {
        if let scale, !(scale.isFinite && scale > 0) {
            throw OptionError("--loss-scale \(scale): must be a positive number")
        }
        if let margin, !(margin.isFinite && margin > 0) {
            throw OptionError("--loss-margin \(margin): must be a positive number")
        }
        let ranking = name.hasPrefix("multiple-negatives")
        if scale != nil && !ranking { throw OptionError("--loss-scale applies to the multiple-negatives losses only") }
        if margin != nil && (ranking || name == "cosine-similarity") {
            throw OptionError("--loss-margin applies to the contrastive, online-contrastive and triplet losses only")
        }
        switch name {
        case "multiple-negatives-ranking": loss = MultipleNegativesRankingLoss(scale: Float(scale ?? 20))
        case "multiple-negatives-symmetric-ranking":
            loss = MultipleNegativesRankingLoss(scale: Float(scale ?? 20), symmetric: true)
        case "cosine-similarity": loss = CosineSimilarityLoss()
        case "contrastive": loss = ContrastiveLoss(margin: Float(margin ?? 0.5))
        case "online-contrastive": loss = OnlineContrastiveLoss(margin: Float(margin ?? 0.5))
        case "triplet": loss = TripletLoss(margin: Float(margin ?? 5))
        default: throw OptionError("--loss \(name): expected one of \(Self.names.joined(separator: ", "))")
        }
    }

    /// The columns to read: the text columns given (`--text-column`, `--text-pair-column`),
    /// else detected; the score column given (`--label-column`) or detected, required when
    /// the loss needs one.
    public func columns(text: String? = nil, pair: String? = nil, score: String? = nil) -> EmbeddingColumnSelection {
        let texts = text.map { [$0] + (pair.map { [$0] } ?? []) }
        return EmbeddingColumnSelection(texts: texts, score: score, requireScore: loss.needsScores)
    }

    /// The scores the loss reads for `dataset` (nil when it reads none): for cosine
    /// similarity rescaled from `range` (by default the data set's own smallest and largest
    /// score) onto [0, 1]; for the contrastive losses checked to be 0 or 1.
    ///
    /// - Throws: `DataError` naming `path` and the line: a column count the loss cannot read,
    ///   a missing score, a label other than 0 or 1.
    public func scores(of dataset: EmbeddingDataset, path: String, range: ScoreRange? = nil) throws -> [Float]? {
        let columns = dataset.textColumns.count
        guard loss.acceptedColumns.contains(columns) else {
            let expected =
                loss.acceptedColumns.upperBound == .max
                ? "at least \(loss.acceptedColumns.lowerBound)" : "\(loss.acceptedColumns.lowerBound)"
            throw DataError(
                file: path,
                "the \(loss.name) loss reads \(expected) text columns; the file has \(columns) "
                    + "(\(dataset.textColumns.joined(separator: ", ")))")
        }
        guard loss.needsScores else { return nil }
        var scores: [Float] = []
        scores.reserveCapacity(dataset.examples.count)
        for example in dataset.examples {
            guard let score = example.score else {
                throw DataError(file: path, line: example.line, "the \(loss.name) loss needs a score")
            }
            if !(loss is CosineSimilarityLoss) && score != 0 && score != 1 {
                throw DataError(file: path, line: example.line, "label \(score): the \(loss.name) loss needs 0 or 1")
            }
            scores.append(score)
        }
        guard loss is CosineSimilarityLoss else { return scores }
        let range = try range ?? ScoreRange(of: scores)
        return scores.map(range.rescale)
    }
}
