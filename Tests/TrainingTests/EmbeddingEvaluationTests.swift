import Foundation
import TestSupport
import Testing
@testable import Training

/// The embedding evaluators against sentence-transformers' own evaluators on fixed embeddings
/// (Tests/Fixtures/embedding/evaluation.json, written by tools/make_embedding_eval_fixtures.py),
/// and the top-k selection against a full sort.
@Suite struct EmbeddingEvaluationTests {
    struct Fixture: Decodable {
        struct Similarity: Decodable {
            var rows: Int, dim: Int, a: [Float], b: [Float], scores: [Float], pearson: Double, spearman: Double
        }
        struct Retrieval: Decodable {
            var queries: Int, corpus: Int, dim: Int
            var query_embeddings: [Float], corpus_embeddings: [Float], relevant: [[Int]]
            var expected: [String: Double]

            enum CodingKeys: String, CodingKey {
                case queries, corpus, dim, query_embeddings, corpus_embeddings, relevant
            }
            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                queries = try c.decode(Int.self, forKey: .queries)
                corpus = try c.decode(Int.self, forKey: .corpus)
                dim = try c.decode(Int.self, forKey: .dim)
                query_embeddings = try c.decode([Float].self, forKey: .query_embeddings)
                corpus_embeddings = try c.decode([Float].self, forKey: .corpus_embeddings)
                relevant = try c.decode([[Int]].self, forKey: .relevant)
                // The metrics are the keys with an "@" ("mrr@10", …).
                let all = try decoder.singleValueContainer().decode([String: JSONScalar].self)
                expected = all.compactMapValues(\.number).filter { $0.key.contains("@") }
            }
        }
        struct Pairs: Decodable {
            var rows: Int, dim: Int, a: [Float], b: [Float], labels: [Int]
            var accuracy: Double, accuracy_threshold: Float, f1: Double, f1_threshold: Float
            var precision: Double, recall: Double, ap: Double
        }
        var similarity: Similarity
        var retrieval: Retrieval
        var pairs: Pairs
    }

    /// A JSON value that may be a number (anything else decodes as `nil`).
    struct JSONScalar: Decodable {
        var number: Double?
        init(from decoder: any Decoder) throws { number = try? decoder.singleValueContainer().decode(Double.self) }
    }

    static func fixture() throws -> Fixture {
        try Fixtures.decode(
            "embedding/evaluation.json", as: Fixture.self, generator: "tools/make_embedding_eval_fixtures.py")
    }

    @Test func similarityMatchesEmbeddingSimilarityEvaluator() throws {
        let f = try Self.fixture().similarity
        let m = try SimilarityMetrics(first: f.a, second: f.b, rows: f.rows, dim: f.dim, scores: f.scores)
        // Cosines are float32 in both; the correlations agree to float32 rounding of the scores.
        #expect(abs(m.pearson - f.pearson) < 1e-6, "pearson \(m.pearson) vs \(f.pearson)")
        #expect(abs(m.spearman - f.spearman) < 1e-9, "spearman \(m.spearman) vs \(f.spearman)")
        #expect(Set(f.scores).count < f.rows / 2, "the gold scores have ties (average ranks are exercised)")
    }

    @Test func retrievalMatchesInformationRetrievalEvaluator() throws {
        let f = try Self.fixture().retrieval
        let cutoffs = RetrievalCutoffs(
            accuracy: [1, 3, 10], precisionRecall: [1, 10], mrr: [10], ndcg: [10], map: [100])
        // Small blocks so that the query and corpus chunking is exercised.
        for (queryBlock, corpusBlock) in [(256, 8192), (3, 7), (1, 1)] {
            let m = try RetrievalEvaluation.evaluate(
                queries: f.query_embeddings, queryCount: f.queries, corpus: f.corpus_embeddings, corpusCount: f.corpus,
                dim: f.dim, relevant: f.relevant, cutoffs: cutoffs, queryBlock: queryBlock, corpusBlock: corpusBlock)
            let got: [String: Double] = [
                "mrr@10": m.mrr[10]!, "ndcg@10": m.ndcg[10]!, "recall@1": m.recall[1]!, "recall@10": m.recall[10]!,
                "precision@1": m.precision[1]!, "precision@10": m.precision[10]!, "accuracy@1": m.accuracy[1]!,
                "accuracy@3": m.accuracy[3]!, "accuracy@10": m.accuracy[10]!, "map@100": m.map[100]!,
            ]
            #expect(Set(got.keys) == Set(f.expected.keys))
            for (key, value) in f.expected {
                #expect(
                    abs(got[key]! - value) < 1e-12,
                    "\(key) \(got[key]!) vs \(value) (blocks \(queryBlock)×\(corpusBlock))")
            }
            #expect(m.queries == f.relevant.filter { !$0.isEmpty }.count)
        }
    }

    @Test func topKEqualsAFullSortWithTiesByRow() throws {
        let f = try Self.fixture().retrieval
        // Duplicate corpus rows give exact ties: the lower row must come first.
        var corpus = f.corpus_embeddings
        corpus.replaceSubrange((5 * f.dim)..<(6 * f.dim), with: corpus[(40 * f.dim)..<(41 * f.dim)])
        let dim = f.dim
        var ranked: [[(score: Float, index: Int)]] = []
        RetrievalEvaluation.rank(
            queries: f.query_embeddings, queryCount: f.queries, corpus: corpus, corpusCount: f.corpus, dim: dim,
            keep: 12, queryBlock: 4, corpusBlock: 9
        ) { _, r in ranked.append(r) }
        for q in 0..<f.queries {
            let scores = (0..<f.corpus).map { d in
                PairCosines.scores(
                    Array(f.query_embeddings[(q * dim)..<((q + 1) * dim)]), Array(corpus[(d * dim)..<((d + 1) * dim)]),
                    rows: 1, dim: dim)[0]
            }
            let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
            #expect(ranked[q].map(\.index) == Array(order.prefix(12)), "query \(q)")
            for (hit, d) in zip(ranked[q], order) { #expect(abs(hit.score - scores[d]) < 1e-5) }
        }
        let withBoth = ranked.firstIndex { r in r.contains { $0.index == 5 } && r.contains { $0.index == 40 } }
        if let q = withBoth {
            let positions = [5, 40].map { d in ranked[q].firstIndex { $0.index == d }! }
            #expect(positions[0] < positions[1])
        }
    }

    @Test func pairClassificationMatchesBinaryClassificationEvaluator() throws {
        let f = try Self.fixture().pairs
        let m = try PairClassificationMetrics(first: f.a, second: f.b, rows: f.rows, dim: f.dim, labels: f.labels)
        #expect(abs(m.accuracy - f.accuracy) < 1e-12, "accuracy \(m.accuracy) vs \(f.accuracy)")
        #expect(abs(m.f1 - f.f1) < 1e-12, "f1 \(m.f1) vs \(f.f1)")
        #expect(abs(m.precision - f.precision) < 1e-12 && abs(m.recall - f.recall) < 1e-12)
        #expect(abs(m.averagePrecision - f.ap) < 1e-12, "ap \(m.averagePrecision) vs \(f.ap)")
        #expect(
            abs(m.accuracyThreshold - f.accuracy_threshold) < 1e-6, "\(m.accuracyThreshold) vs \(f.accuracy_threshold)")
        #expect(abs(m.f1Threshold - f.f1_threshold) < 1e-6, "\(m.f1Threshold) vs \(f.f1_threshold)")
    }

    @Test func pairClassificationSmallCases() throws {
        // Perfectly separated: the cut between 0.6 and 0.4 (midpoint 0.5) gives accuracy 1.
        let m = try PairClassificationMetrics(scores: [0.9, 0.6, 0.4, 0.1], labels: [1, 1, 0, 0])
        #expect(m.accuracy == 1 && m.accuracyThreshold == 0.5 && m.f1 == 1 && m.averagePrecision == 1)
        // Tied scores with both labels fall on the same side: best is all-dissimilar or one cut.
        let tied = try PairClassificationMetrics(scores: [0.5, 0.5, 0.5], labels: [1, 0, 0])
        #expect(tied.accuracy == 2.0 / 3 && tied.accuracyThreshold == Float(0.5).nextUp)
        #expect(abs(tied.f1 - 0.5) < 1e-12 && abs(tied.averagePrecision - 1.0 / 3) < 1e-12)
    }

    @Test func badShapesAndLabelsThrow() {
        #expect(throws: EmbeddingEvaluationError.self) {
            try SimilarityMetrics(first: [1, 2, 3], second: [1, 2], rows: 1, dim: 3, scores: [1])
        }
        #expect(throws: EmbeddingEvaluationError.self) {
            try SimilarityMetrics(first: [1, 2], second: [1, 2], rows: 1, dim: 2, scores: [.nan])
        }
        #expect(throws: EmbeddingEvaluationError("pair classification: label 1 is 2, not 0 or 1")) {
            try PairClassificationMetrics(scores: [0.1, 0.2], labels: [0, 2])
        }
        #expect(throws: EmbeddingEvaluationError("retrieval: query 0 names corpus row 3, outside 0..<2")) {
            try RetrievalEvaluation.evaluate(
                queries: [1, 0], queryCount: 1, corpus: [1, 0, 0, 1], corpusCount: 2, dim: 2, relevant: [[3]])
        }
        #expect(throws: EmbeddingEvaluationError("retrieval: no query has a relevant document")) {
            try RetrievalEvaluation.evaluate(
                queries: [1, 0], queryCount: 1, corpus: [1, 0, 0, 1], corpusCount: 2, dim: 2, relevant: [[]])
        }
    }
}
