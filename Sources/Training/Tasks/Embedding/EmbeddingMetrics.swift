import Foundation
import Model

/// The embedding task's evaluation. Each rank writes the embeddings of its examples at their
/// places (zero elsewhere) and the sum over ranks gathers every embedding; the report then
/// reads the whole validation set as sentence-transformers' evaluators do:
///
/// - pairs with scores (cosine-similarity loss): Pearson and Spearman of the cosines against
///   the gold scores (`EmbeddingSimilarityEvaluator`);
/// - pairs labelled 0/1 (contrastive losses): accuracy, F1 and average precision at the
///   best cosine threshold (`BinaryClassificationEvaluator`);
/// - anchors with positives (and negatives): each anchor retrieves among every positive and
///   negative of the set, its own positive the relevant one: MRR@10, nDCG@10, Recall@1, @10
///   (`InformationRetrievalEvaluator`).
///
/// `eval_loss` is the training loss over the whole set as one batch — for in-batch negatives
/// that is more negatives than a training batch has, so it reads higher — the same whatever
/// the rank count.
struct EmbeddingMetrics: TaskMetrics {
    let loss: any EmbeddingLoss
    /// Per example: its score or label (NaN when the data has none).
    let scores: [Float]
    let columns: Int
    let dimension: Int
    /// `[examples × columns, dimension]`, example by example (the model's row order).
    var embeddings: [Float]

    init(loss: any EmbeddingLoss, scores: [Float], columns: Int, dimension: Int) {
        self.loss = loss
        self.scores = scores
        self.columns = columns
        self.dimension = dimension
        embeddings = [Float](repeating: 0, count: scores.count * columns * dimension)
    }

    mutating func record(
        _ logits: UnsafePointer<Float>, outputs: Int, batch: PackedBatch, targets: TargetBuffer,
        examples: Range<Int>
    ) {
        precondition(outputs == dimension, "EmbeddingMetrics: \(outputs) outputs, expected \(dimension)")
        let width = columns * dimension
        embeddings.withUnsafeMutableBufferPointer {
            ($0.baseAddress! + examples.lowerBound * width).update(from: logits, count: examples.count * width)
        }
    }

    var partialSums: [Double] { embeddings.map(Double.init) }

    func report(sums: [Double], lossSum: Double) -> EvaluationReport {
        let n = scores.count, d = dimension
        var byColumn = [Float](repeating: 0, count: sums.count)
        for i in 0..<n {
            for c in 0..<columns {
                for k in 0..<d { byColumn[(c * n + i) * d + k] = Float(sums[(i * columns + c) * d + k]) }
            }
        }
        var values: [String: Double] = ["eval_samples": Double(n)]
        var lines: [String] = []
        values["eval_loss"] = wholeSetLoss(byColumn)
        func column(_ c: Int) -> [Float] { Array(byColumn[(c * n * d)..<((c + 1) * n * d)]) }
        do {
            if loss is CosineSimilarityLoss {
                let m = try SimilarityMetrics(first: column(0), second: column(1), rows: n, dim: d, scores: scores)
                values["eval_pearson_cosine"] = m.pearson
                values["eval_spearman_cosine"] = m.spearman
                lines.append(String(format: "cosine Spearman %.4f  Pearson %.4f  (%d pairs)", m.spearman, m.pearson, n))
            } else if loss.needsScores {
                let m = try PairClassificationMetrics(
                    first: column(0), second: column(1), rows: n, dim: d, labels: scores.map { Int($0) })
                values["eval_cosine_accuracy"] = m.accuracy
                values["eval_cosine_f1"] = m.f1
                values["eval_cosine_ap"] = m.averagePrecision
                lines.append(
                    String(
                        format: "cosine accuracy %.4f (threshold %.4f)  F1 %.4f  AP %.4f  (%d pairs)", m.accuracy,
                        m.accuracyThreshold, m.f1, m.averagePrecision, n))
            } else {
                let corpus = Array(byColumn[(n * d)...])
                let m = try RetrievalEvaluation.evaluate(
                    queries: column(0), queryCount: n, corpus: corpus, corpusCount: (columns - 1) * n, dim: d,
                    relevant: (0..<n).map { [$0] },
                    cutoffs: RetrievalCutoffs(
                        accuracy: [1, 10], precisionRecall: [1, 10], mrr: [10], ndcg: [10], map: [100]))
                values["eval_mrr_at_10"] = m.mrr[10]
                values["eval_ndcg_at_10"] = m.ndcg[10]
                values["eval_recall_at_1"] = m.recall[1]
                values["eval_recall_at_10"] = m.recall[10]
                lines.append(
                    String(
                        format: "retrieval MRR@10 %.4f  nDCG@10 %.4f  Recall@1 %.4f  Recall@10 %.4f  (%d queries, "
                            + "%d candidates)", m.mrr[10] ?? 0, m.ndcg[10] ?? 0, m.recall[1] ?? 0, m.recall[10] ?? 0,
                        n, (columns - 1) * n))
            }
        } catch {
            lines.append("embedding evaluation: \(error)")
        }
        lines.append(String(format: "loss over the whole set %.4f", values["eval_loss"]!))
        return EvaluationReport(values: values, lines: lines)
    }

    /// The loss with the whole set as one batch (NaN when the loss cannot read the data).
    private func wholeSetLoss(_ byColumn: [Float]) -> Double {
        var embeddings = byColumn, gradient = [Float](repeating: 0, count: byColumn.count)
        var scores = self.scores
        let n = self.scores.count
        return embeddings.withUnsafeMutableBufferPointer { e in
            gradient.withUnsafeMutableBufferPointer { g in
                scores.withUnsafeMutableBufferPointer { s in
                    let all = EmbeddingColumns(e.baseAddress!, columns: columns, rows: n, dim: dimension)
                    let gradients = EmbeddingColumns(g.baseAddress!, columns: columns, rows: n, dim: dimension)
                    let scale = loss.reduction.gradScale(examples: n)
                    let sum = try? loss.lossAndGradient(
                        all, scores: loss.needsScores ? UnsafePointer(s.baseAddress) : nil, scored: 0..<n,
                        gradScale: scale, gradient: gradients)
                    return sum.map { $0 * Double(scale) } ?? .nan
                }
            }
        }
    }
}
