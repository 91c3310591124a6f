import Foundation
import Model
import Text

/// A retrieval validation set for the embedding task: `--validation DIR` naming a folder in
/// BEIR's layout — `queries.jsonl`, `corpus.jsonl` (or `.tsv`/`.csv` with `_id`/`id` and
/// `text`) and the relevance judgements in `qrels/dev.tsv`, `qrels/test.tsv` or `qrels.tsv`
/// (`query-id <tab> corpus-id <tab> score`, score > 0 relevant), read by `RetrievalDataReader`.
/// Every query and corpus text is one example (queries first), so the evaluation embeds them
/// shared among the ranks like any validation set and `RetrievalMetrics` reads the ranking:
/// MRR@10, nDCG@10, Recall@1 and @10 (sentence-transformers' `InformationRetrievalEvaluator`).
enum RetrievalValidation {
    static let judgementFiles = ["qrels/dev.tsv", "qrels/test.tsv", "qrels.tsv"]

    /// Whether `path` is a folder (a retrieval set) rather than a data file.
    static func isRetrievalFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The queries and corpus of the folder `directory`, tokenised, with their judgements.
    /// - Throws: `DataError` naming the folder or file: a missing file, a malformed row, a
    ///   judgement naming an unknown id, no query with a relevant document.
    static func read(_ directory: String, request: DataRequest) throws -> TaskData {
        let queries = try RetrievalDataReader.readTexts(try find(["queries"], in: directory))
        let corpus = try RetrievalDataReader.readTexts(try find(["corpus"], in: directory))
        guard let judgements = judgementFiles.map({ directory + "/" + $0 }).first(where: FileManager.default.fileExists)
        else {
            throw DataError(file: directory, "no relevance judgements (\(judgementFiles.joined(separator: ", ")))")
        }
        let relevant = try RetrievalDataReader.relevantRows(
            try RetrievalDataReader.readJudgements(judgements), queries: queries, corpus: corpus, file: judgements)
        guard relevant.contains(where: { !$0.isEmpty }) else {
            throw DataError(file: judgements, "no query has a relevant document")
        }
        return TaskData(labelNames: [], texts: []) { _ in
            var dataset = EncodedDataset(
                file: directory, targets: .retrieval(queryCount: queries.texts.count, relevant: relevant))
            for (text, line) in zip(queries.texts + corpus.texts, queries.lines + corpus.lines) {
                dataset.append(request.tokenizer.encode(text, pair: nil, maxLength: request.maxLength), line: line)
            }
            return dataset
        }
    }

    /// `directory/<name>.jsonl`, `.tsv` or `.csv` for the first name that exists.
    static func find(_ names: [String], in directory: String) throws -> String {
        for name in names {
            for ext in ["jsonl", "tsv", "csv"]
            where FileManager.default.fileExists(atPath: "\(directory)/\(name).\(ext)") {
                return "\(directory)/\(name).\(ext)"
            }
        }
        throw DataError(file: directory, "no \(names[0]).jsonl, .tsv or .csv")
    }
}

/// Metrics of a retrieval set: every text's embedding at its index (zero elsewhere), summed
/// over ranks; then queries against the corpus.
struct RetrievalSetMetrics: TaskMetrics {
    let queryCount: Int
    let relevant: [[Int]]
    let dimension: Int
    var embeddings: [Float]

    init(queryCount: Int, relevant: [[Int]], count: Int, dimension: Int) {
        self.queryCount = queryCount
        self.relevant = relevant
        self.dimension = dimension
        embeddings = [Float](repeating: 0, count: count * dimension)
    }

    mutating func record(
        _ logits: UnsafePointer<Float>, outputs: Int, batch: PackedBatch, targets: TargetBuffer, examples: Range<Int>
    ) {
        embeddings.withUnsafeMutableBufferPointer {
            ($0.baseAddress! + examples.lowerBound * outputs).update(from: logits, count: examples.count * outputs)
        }
    }

    var partialSums: [Double] { embeddings.map(Double.init) }

    func report(sums: [Double], lossSum: Double) -> EvaluationReport {
        let all = sums.map(Float.init), d = dimension, count = sums.count / max(d, 1)
        do {
            let m = try RetrievalEvaluation.evaluate(
                queries: Array(all[..<(queryCount * d)]), queryCount: queryCount,
                corpus: Array(all[(queryCount * d)...]), corpusCount: count - queryCount, dim: d,
                relevant: relevant,
                cutoffs: RetrievalCutoffs(
                    accuracy: [1, 10], precisionRecall: [1, 10], mrr: [10], ndcg: [10], map: [100]))
            return EvaluationReport(
                values: [
                    "eval_mrr_at_10": m.mrr[10] ?? 0, "eval_ndcg_at_10": m.ndcg[10] ?? 0,
                    "eval_recall_at_1": m.recall[1] ?? 0, "eval_recall_at_10": m.recall[10] ?? 0,
                    "eval_map_at_100": m.map[100] ?? 0, "eval_samples": Double(m.queries),
                ],
                lines: [
                    String(
                        format: "retrieval MRR@10 %.4f  nDCG@10 %.4f  Recall@1 %.4f  Recall@10 %.4f  (%d queries, "
                            + "%d documents)", m.mrr[10] ?? 0, m.ndcg[10] ?? 0, m.recall[1] ?? 0, m.recall[10] ?? 0,
                        m.queries, count - queryCount)
                ])
        } catch {
            return EvaluationReport(values: [:], lines: ["retrieval evaluation: \(error)"])
        }
    }
}
