import Foundation
import Model
import Parallel
import Training

enum Measurements {
    /// Aggregate sgemm GFLOP/s with every rank multiplying at once (each with its BLAS
    /// threads), at the feed-forward shape of a 32 × 128 batch ([4096, 384] × [384, 1536]).
    static func sgemmPeak(communicator: Communicator, seconds: Double) throws -> Double {
        let m = 4096, k = 384, n = 1536
        let a = FloatSlab(count: m * k), b = FloatSlab(count: k * n), c = FloatSlab(count: m * n)
        for i in 0..<a.count { a.base[i] = Float(i % 7) * 0.1 }
        for i in 0..<b.count { b.base[i] = Float(i % 5) * 0.1 }
        // The views point into the slabs: keep the slabs alive while they are used.
        let rate = try withExtendedLifetime((a, b, c)) { () throws -> Double in
            let av = MatrixView(a.base, rows: m, cols: k), bv = MatrixView(b.base, rows: k, cols: n),
                cv = MatrixView(c.base, rows: m, cols: n)
            BLAS.gemm(av, bv, into: cv)
            try communicator.barrier()
            var calls = 0
            let start = monotonicSeconds()
            while monotonicSeconds() - start < seconds {
                BLAS.gemm(av, bv, into: cv)
                calls += 1
            }
            return Double(2 * m * n * k * calls) / (monotonicSeconds() - start) / 1e9
        }
        return try communicator.allreduce(rate, operation: .sum)
    }

    /// The best sgemm GFLOP/s of this process over windows of `window` seconds within
    /// `seconds`, at `sgemmPeak`'s shape: on a machine other jobs share, the best window is
    /// the rate the cores give when nothing else runs (one rank; `bench/gpt2.sh`).
    static func bestSgemmRate(seconds: Double, window: Double = 0.25) -> Double {
        let m = 4096, k = 384, n = 1536
        let a = FloatSlab(count: m * k), b = FloatSlab(count: k * n), c = FloatSlab(count: m * n)
        for i in 0..<a.count { a.base[i] = Float(i % 7) * 0.1 }
        for i in 0..<b.count { b.base[i] = Float(i % 5) * 0.1 }
        return withExtendedLifetime((a, b, c)) { () -> Double in
            let av = MatrixView(a.base, rows: m, cols: k), bv = MatrixView(b.base, rows: k, cols: n),
                cv = MatrixView(c.base, rows: m, cols: n)
            BLAS.gemm(av, bv, into: cv)
            var best = 0.0
            let start = monotonicSeconds()
            while monotonicSeconds() - start < seconds {
                var calls = 0
                let windowStart = monotonicSeconds()
                while monotonicSeconds() - windowStart < window {
                    BLAS.gemm(av, bv, into: cv)
                    calls += 1
                }
                best = max(best, Double(2 * m * n * k * calls) / (monotonicSeconds() - windowStart) / 1e9)
            }
            return best
        }
    }

    /// `count` sequences of `length` random tokens: [CLS] … [SEP], ids from 1000 up, random labels.
    static func randomSequences(count: Int, length: Int, vocabulary: Int) -> EncodedDataset {
        var state: UInt64 = 0x1234_5678
        func next() -> Int {
            state = CounterRNG.mix64(state &+ 0x9E37_79B9_7F4A_7C15)
            return Int(state >> 33)
        }
        var sequences: [[Int32]] = []
        var labels: [Int32] = []
        for _ in 0..<count {
            var ids = (0..<length).map { _ in Int32(1000 + next() % (vocabulary - 1000)) }
            ids[0] = 101
            ids[length - 1] = 102
            sequences.append(ids)
            labels.append(Int32(next() % 2))
        }
        return EncodedDataset(file: "random", sequences: sequences, labels: labels)
    }

    /// Peak resident memory of this process, MiB (`ru_maxrss` is KiB on Linux).
    static func peakResidentMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    struct Summary {
        var text: String
        var json: String
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Training FLOPs of a step as `torch_ref.py flops` counts them (forward + backward =
    /// 3 × forward, 2 per multiply–add): encoder GEMMs 6·W·T, attention 12·L·H·Σn², head on
    /// [CLS] only; element-wise work not counted. Σn² replaces batch·seq² for packed batches.
    static func flops(config: BertConfig, tokens: Int, attentionPairs: Int, sequences: Int) -> Double {
        let l = Double(config.numHiddenLayers), h = Double(config.hiddenSize), f = Double(config.intermediateSize)
        let weights = l * (4 * h * h + 2 * h * f)
        return 6 * weights * Double(tokens) + 12 * l * h * Double(attentionPairs) + 6 * (h * h + h * 2)
            * Double(sequences)
    }

    /// What the first-token top layer (`BertModel.topLayerReadsFirstTokensOnly`) leaves out of
    /// `flops`: the output projection and feed-forward block of every row but the `[CLS]` rows,
    /// and every attention query but theirs (Σn² query–key pairs become Σn).
    static func skippedByFirstTokenTopLayer(config: BertConfig, tokens: Int, attentionPairs: Int, sequences: Int)
        -> Double
    {
        let h = Double(config.hiddenSize), f = Double(config.intermediateSize)
        return 6 * (h * h + 2 * h * f) * Double(tokens - sequences) + 12 * h * Double(attentionPairs - tokens)
    }

    static func summarize(
        settings: Settings, world: Int, threads: Int, config: BertConfig, perStep: [StepTimes], tokens: [Int],
        attentionPairs: [Int], peak: Double, peakRSS: [Double], statistics: ReductionStatistics, reducedBytes: Int,
        parameterCount: Int, deferredFlush: (steps: Int, seconds: Double), firstTokenTopLayer: Bool
    ) -> Summary {
        let total = median(perStep.map(\.total))
        let forward = median(perStep.map(\.forward)), backward = median(perStep.map(\.backward))
        let communication = median(perStep.map(\.communication)), optimizer = median(perStep.map(\.optimizer))
        let steps = Double(perStep.count)
        let meanTokens = Double(tokens.reduce(0, +)) / steps
        let meanPairs = Double(attentionPairs.reduce(0, +)) / steps
        let modelFlops = flops(
            config: config, tokens: Int(meanTokens), attentionPairs: Int(meanPairs), sequences: settings.batch)
        // The rate counts what ran: the FLOP model less what the first-token top layer skips.
        let stepFlops =
            modelFlops
            - (firstTokenTopLayer
                ? skippedByFirstTokenTopLayer(
                    config: config, tokens: Int(meanTokens), attentionPairs: Int(meanPairs), sequences: settings.batch)
                : 0)
        // Samples/s over the whole timed span (the sum of the per-step maxima).
        let span = perStep.reduce(0) { $0 + $1.total }
        let samplesPerSecond = Double(settings.batch) * steps / span
        let achieved = stepFlops * steps / span / 1e9
        let json: [String: Any] = [
            "mode": settings.mode, "tag": settings.tag, "model": settings.size, "parameters": parameterCount,
            "world": world, "threads_per_rank": threads, "batch": settings.batch,
            "seq": settings.mode == "fixed" ? settings.seq : settings.maxLength, "steps_timed": perStep.count,
            "overlap": settings.overlap, "sharded_optimizer": settings.shard, "defers_rows": settings.deferRows,
            "full_top_layer": !firstTokenTopLayer, "model_flops_per_step": modelFlops,
            "deferred_flush_s": deferredFlush.seconds, "deferred_flush_steps": deferredFlush.steps,
            "step_s_median": total, "fwd_s_median": forward, "bwd_s_median": backward,
            "comm_wait_s_median": communication, "opt_s_median": optimizer,
            "samples_per_s": samplesPerSecond, "tokens_per_s": meanTokens * steps / span,
            "mean_tokens_per_step": meanTokens,
            "flops_per_step": stepFlops, "achieved_GFLOPs": achieved, "sgemm_peak_GFLOPs": peak,
            "fraction_of_sgemm_peak": achieved / peak, "per_rank_peak_rss_MiB": peakRSS,
            "reduced_bytes_per_step": reducedBytes,
            "allreduce_hidden_fraction": statistics.hiddenFraction,
            "allreduce_s_per_step": statistics.communicationSeconds / max(steps, 1),
            "mpi_s_per_step": statistics.mpiSeconds / max(steps, 1),
        ]
        let data = try! JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        let text = String(
            format: """
                ddp-bench %@ (%@): %d rank(s) × %d thread(s), batch %d, %@
                  step %.3f s (median): forward %.3f, backward %.3f, communication wait %.3f, optimizer %.3f
                  %.1f samples/s, %.0f tokens/s, %.1f GFLOP/s executed = %.0f%% of the measured sgemm peak %.1f GFLOP/s
                  peak resident memory per rank %@ MiB; %.1f MB reduced per step,
                  %.0f%% of the allreduce hidden behind backward
                """, settings.mode, settings.size, world, threads, settings.batch,
            settings.mode == "fixed"
                ? "\(settings.seq) tokens each"
                : "SST-2, max length \(settings.maxLength), \(Int(meanTokens)) real tokens per step",
            total, forward, backward, communication, optimizer, samplesPerSecond, meanTokens * steps / span, achieved,
            100 * achieved / peak, peak, peakRSS.map { String(format: "%.0f", $0) }.joined(separator: "/"),
            Double(reducedBytes) / 1e6, 100 * statistics.hiddenFraction)
        let flush =
            deferredFlush.steps > 0
            ? String(
                format: "\n  untouched word-embedding rows deferred: applying the %d steps they owed took %.3f s",
                deferredFlush.steps, deferredFlush.seconds) : ""
        return Summary(text: text + flush, json: String(decoding: data, as: UTF8.self))
    }
}
