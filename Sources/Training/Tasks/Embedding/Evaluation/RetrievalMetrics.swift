#if canImport(Glibc)
    import Glibc
#endif

/// The cut-offs at which retrieval is scored; the defaults are those of sentence-transformers'
/// `InformationRetrievalEvaluator` (accuracy and precision/recall at 1, 3, 5, 10; MRR and
/// nDCG at 10; MAP at 100).
public struct RetrievalCutoffs: Equatable, Sendable {
    public var accuracy: [Int]
    public var precisionRecall: [Int]
    public var mrr: [Int]
    public var ndcg: [Int]
    public var map: [Int]

    public init(
        accuracy: [Int] = [1, 3, 5, 10], precisionRecall: [Int] = [1, 3, 5, 10], mrr: [Int] = [10],
        ndcg: [Int] = [10], map: [Int] = [100]
    ) {
        self.accuracy = accuracy
        self.precisionRecall = precisionRecall
        self.mrr = mrr
        self.ndcg = ndcg
        self.map = map
    }

    /// How many ranked documents per query the metrics read.
    var deepest: Int { (accuracy + precisionRecall + mrr + ndcg + map).max() ?? 0 }

    func validate() throws(EmbeddingEvaluationError) {
        let all = accuracy + precisionRecall + mrr + ndcg + map
        if all.isEmpty { throw EmbeddingEvaluationError("retrieval: no cut-offs to score") }
        if let bad = all.first(where: { $0 < 1 }) {
            throw EmbeddingEvaluationError("retrieval: cut-off \(bad) is not a positive rank")
        }
    }
}

/// Retrieval metrics, each the mean over the evaluated queries (those with at least one
/// relevant document), defined as sentence-transformers' `InformationRetrievalEvaluator`
/// does with binary relevance, for a query with relevant set `R` and ranked hits `h₁, h₂, …`:
///
///     accuracy@k  = 1 if some hᵢ ∈ R for i ≤ k, else 0
///     precision@k = |{i ≤ k : hᵢ ∈ R}| / k        recall@k = |{i ≤ k : hᵢ ∈ R}| / |R|
///     MRR@k       = 1 / (first i ≤ k with hᵢ ∈ R), or 0
///     nDCG@k      = Σᵢ≤ₖ [hᵢ ∈ R] / log₂(i + 1)  ÷  Σᵢ≤min(k,|R|) 1 / log₂(i + 1)
///     MAP@k       = Σᵢ≤ₖ [hᵢ ∈ R] · precision@i  ÷  min(k, |R|)
public struct RetrievalMetrics: Equatable, Sendable {
    /// Number of queries scored.
    public var queries: Int
    public var accuracy: [Int: Double] = [:]
    public var precision: [Int: Double] = [:]
    public var recall: [Int: Double] = [:]
    public var mrr: [Int: Double] = [:]
    public var ndcg: [Int: Double] = [:]
    public var map: [Int: Double] = [:]

    /// Sums of the per-query values; divided by the query count in `finish`.
    init(cutoffs: RetrievalCutoffs) {
        queries = 0
        for k in cutoffs.accuracy { accuracy[k] = 0 }
        for k in cutoffs.precisionRecall {
            precision[k] = 0
            recall[k] = 0
        }
        for k in cutoffs.mrr { mrr[k] = 0 }
        for k in cutoffs.ndcg { ndcg[k] = 0 }
        for k in cutoffs.map { map[k] = 0 }
    }

    /// Adds one query: `hits[i]` says whether the document ranked i + 1 is relevant (at least
    /// `cutoffs.deepest` ranks, fewer only when the corpus is smaller); `relevantCount` is |R| > 0.
    mutating func add(hits: [Bool], relevantCount: Int) {
        queries += 1
        // correctUpTo[k] = relevant documents among the first k hits.
        var correctUpTo = [0]
        for hit in hits { correctUpTo.append(correctUpTo.last! + (hit ? 1 : 0)) }
        func correct(_ k: Int) -> Int { correctUpTo[min(k, hits.count)] }
        let firstHit = hits.firstIndex(of: true)
        for k in accuracy.keys where correct(k) > 0 { accuracy[k]! += 1 }
        for k in precision.keys {
            precision[k]! += Double(correct(k)) / Double(k)
            recall[k]! += Double(correct(k)) / Double(relevantCount)
        }
        for k in mrr.keys { if let first = firstHit, first < k { mrr[k]! += 1 / Double(first + 1) } }
        for k in ndcg.keys {
            var dcg = 0.0, ideal = 0.0
            for i in 0..<min(k, hits.count) where hits[i] { dcg += 1 / log2(Double(i + 2)) }
            for i in 0..<min(k, relevantCount) { ideal += 1 / log2(Double(i + 2)) }
            ndcg[k]! += dcg / ideal
        }
        for k in map.keys {
            var sum = 0.0
            for i in 0..<min(k, hits.count) where hits[i] { sum += Double(correctUpTo[i + 1]) / Double(i + 1) }
            map[k]! += sum / Double(min(k, relevantCount))
        }
    }

    /// Turns the sums into means over the queries added.
    mutating func finish() {
        let n = Double(max(queries, 1))
        for table in [\Self.accuracy, \.precision, \.recall, \.mrr, \.ndcg, \.map]
            as [WritableKeyPath<Self, [Int: Double]>]
        {
            for k in self[keyPath: table].keys { self[keyPath: table][k]! /= n }
        }
    }
}
