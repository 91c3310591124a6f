import Foundation
import Model
import Parallel
import Training

/// `ddp-bench retrieval [--queries 10000] [--corpus 10000] [--dim 384] [--runs 3]`: the time
/// of the retrieval metrics (`RetrievalEvaluation.evaluate`) on random unit-ish embeddings,
/// one process, BLAS threads from `OPENBLAS_NUM_THREADS`. Reports the median of `--runs`
/// evaluations, the sgemm of the same query × corpus product alone, and, for comparison, a
/// full sort of every score row (timed on `--sorted-rows` queries and scaled up). Timing only,
/// no assertion. Needs no MPI.
enum RetrievalBench {
    struct Options {
        var queries = 10_000
        var corpus = 10_000
        var dim = 384
        var runs = 3
        var sortedRows = 500

        init(_ arguments: [String]) {
            var i = 0
            while i < arguments.count {
                guard i + 1 < arguments.count, let value = Int(arguments[i + 1]) else {
                    Settings.usage("\(arguments[i]) needs an integer")
                }
                switch arguments[i] {
                case "--queries": queries = value
                case "--corpus": corpus = value
                case "--dim": dim = value
                case "--runs": runs = value
                case "--sorted-rows": sortedRows = value
                default: Settings.usage("unknown option \(arguments[i])")
                }
                i += 2
            }
        }
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func run(_ arguments: [String]) throws {
        let o = Options(arguments)
        // Random data: each query has 1–3 relevant documents placed near it.
        var random = SplitMix64(seed: 20_261_202)  // the same data every run
        func uniform() -> Float { Float(random.next() >> 40) / Float(1 << 24) }  // [0, 1)
        func gaussian() -> Float {  // Box–Muller
            let u = 1 - uniform(), v = uniform()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
        let queries = (0..<(o.queries * o.dim)).map { _ in gaussian() }
        var corpus = (0..<(o.corpus * o.dim)).map { _ in gaussian() }
        var relevant = [[Int]](repeating: [], count: o.queries)
        for q in 0..<o.queries {
            for _ in 0..<(1 + random.next(below: 3)) {
                let d = random.next(below: o.corpus)
                for k in 0..<o.dim { corpus[d * o.dim + k] = queries[q * o.dim + k] + 1.5 * gaussian() }
                relevant[q].append(d)
            }
        }
        var times: [Double] = []
        var metrics: RetrievalMetrics?
        for _ in 0..<o.runs {
            times.append(
                try seconds {
                    metrics = try RetrievalEvaluation.evaluate(
                        queries: queries, queryCount: o.queries, corpus: corpus, corpusCount: o.corpus, dim: o.dim,
                        relevant: relevant)
                })
        }
        // The product alone, in the evaluator's blocks (256 queries × 8,192 documents).
        let block = UnsafeMutablePointer<Float>.allocate(capacity: 256 * min(8192, o.corpus))
        defer { block.deallocate() }
        var unitQueries = queries, unitCorpus = corpus
        let gemmSeconds = unitQueries.withUnsafeMutableBufferPointer { q in
            unitCorpus.withUnsafeMutableBufferPointer { c in
                seconds {
                    for q0 in stride(from: 0, to: o.queries, by: 256) {
                        let qn = min(256, o.queries - q0)
                        for c0 in stride(from: 0, to: o.corpus, by: 8192) {
                            let cn = min(8192, o.corpus - c0)
                            BLAS.gemm(
                                MatrixView(q.baseAddress! + q0 * o.dim, rows: qn, cols: o.dim),
                                MatrixView(c.baseAddress! + c0 * o.dim, rows: cn, cols: o.dim), transposeB: true,
                                into: MatrixView(block, rows: qn, cols: cn))
                        }
                    }
                }
            }
        }
        // A full sort of each score row instead of the heap: sortedRows rows, scaled to all queries.
        let rows = min(o.sortedRows, o.queries)
        var sink = 0
        let sortSeconds = seconds {
            for r in 0..<rows {
                let scores = (0..<o.corpus).map { d in block[(r % 256) * min(8192, o.corpus) + d % 8192] }
                let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
                sink &+= order[0]
            }
        }
        let median = times.sorted()[times.count / 2]
        let m = metrics!
        let gflops = 2 * Double(o.queries) * Double(o.corpus) * Double(o.dim) / gemmSeconds / 1e9
        let sortAll = sortSeconds / Double(rows) * Double(o.queries)
        print(
            """
            retrieval metrics, \(o.queries) queries × \(o.corpus) documents × dim \(o.dim), \
            OPENBLAS_NUM_THREADS=\(ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "unset")
              evaluate: median \(String(format: "%.3f", median)) s of \(o.runs) \
            (\(times.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
              sgemm alone (same blocks): \(String(format: "%.3f", gemmSeconds)) s \
            (\(String(format: "%.1f", gflops)) GFLOP/s)
              full sort of every row instead: \(String(format: "%.2f", sortAll)) s \
            (timed on \(rows) rows)\(sink < 0 ? "" : "")
              MRR@10 \(String(format: "%.4f", m.mrr[10]!)), nDCG@10 \(String(format: "%.4f", m.ndcg[10]!)), \
            Recall@10 \(String(format: "%.4f", m.recall[10]!))
            """)
    }
}
