import Foundation
import Model
import Parallel
import Training

/// `ddp-bench gpt2`: full causal-LM training steps of a GPT-2-small-sized decoder (vocabulary
/// 50257, 1024 positions, 12 layers of width 768 with 12 heads, the language-model head tied
/// to `wte`), random weights, on `--batch` random blocks of `--seq` tokens: forward,
/// cross-entropy over the vocabulary at every position, backward, AdamW — the step the
/// trainer runs for `--task causal-lm`. Dropout 0.1 everywhere (GPT-2's defaults), as
/// `torch_gpt2.py` trains transformers' `GPT2LMHeadModel`. `--head sequence` trains a
/// two-class sequence head on the last token instead (`--task classification`), with the top
/// block on the last rows only unless `--full-top-layer true`.
enum GPT2Bench {
    /// GPT-2 small (124 M parameters).
    static let config = GPT2Config(vocabSize: 50257, nEmbd: 768, nLayer: 12, nHead: 12, nPositions: 1024)

    /// Training FLOPs of a step of `tokens` tokens in sequences of `length`: 6 per parameter
    /// and token for the GEMM weights (the blocks' four projections and the tied head,
    /// `V·C`) and 12·L·C·T per token for attention (QKᵀ and PV over the full T × T square,
    /// the usual count; causal masking does half of it). Embedding lookups, LayerNorm, GELU,
    /// softmax, the loss and AdamW are not counted.
    /// With a sequence head the tied head is not run, and the last-token top block leaves out
    /// c_proj and the MLP of every other row and their attention queries (`lastOnly`).
    static func flops(tokens: Int, length: Int, sequences: Int, sequenceHead: Bool, lastOnly: Bool) -> Double {
        let c = Double(config.nEmbd), f = Double(config.innerSize), l = Double(config.nLayer)
        let weights = l * (4 * c * c + 2 * c * f) + (sequenceHead ? 0 : Double(config.vocabSize) * c)
        let all = 6 * weights * Double(tokens) + 12 * l * c * Double(length) * Double(tokens)
        let others = Double(tokens - sequences)
        return all - (lastOnly ? 6 * (c * c + 2 * c * f) * others + 12 * c * Double(length) * others : 0)
    }

    static func run(settings: Settings, communicator: Communicator, pool: ThreadPool, threads: Int, peak: Double)
        throws
    {
        let rank = communicator.rank, world = communicator.size
        let firstBest = world == 1 ? Measurements.bestSgemmRate(seconds: settings.gemmSeconds) : peak
        let sequenceHead = settings.head == "sequence"
        let layout = GPT2Layout(config: config, head: sequenceHead ? .sequence(outputs: 2) : .languageModel)
        let model = GPT2Model(layout: layout, pool: pool)
        model.computesFullTopBlock = settings.fullTopLayer
        for entry in layout.table.entries {
            ParameterInitializer.initialize(entry, in: model.parameters.base, seed: 42)
            // LayerNorm weights start at 1, as transformers initialises them.
            if entry.name.contains(".ln_") && entry.name.hasSuffix(".weight") {
                (model.parameters.base + entry.offset).update(repeating: 1, count: entry.count)
            }
        }
        let dataset =
            sequenceHead
            ? Measurements.randomSequences(count: settings.batch, length: settings.seq, vocabulary: config.vocabSize)
            : randomBlocks(count: settings.batch, length: settings.seq, vocabulary: config.vocabSize)
        let plan = BatchPlan(datasetSize: dataset.count, globalBatchSize: settings.batch, seed: 42, shuffle: false)
        let shardCapacity = (settings.batch + world - 1) / world
        model.reserve(maxSequences: shardCapacity, maxTokens: shardCapacity * settings.seq, maxLength: settings.seq)
        let optimizer = AdamW(parameterCount: layout.table.count, weightDecay: 0.01)
        let engine = StepEngine(
            model: model, optimizer: optimizer, communicator: communicator,
            task: sequenceHead ? ClassificationTask() : CausalLMTask(),
            trainable: .all(layers: config.nLayer), bucketBytes: Int(settings.bucketMB * 1_048_576),
            overlapsCommunication: settings.overlap, maxSequences: shardCapacity,
            maxTokens: shardCapacity * settings.seq)

        var perStep: [StepTimes] = []
        var losses: [Double] = []
        let epoch = plan.epoch(0)
        for step in 0..<(settings.warmup + settings.steps) {
            let globalBatch = epoch.globalBatch(0)
            let shard = BatchPlan.shard(globalBatch, rank: rank, worldSize: world)
            try communicator.barrier()
            let units = globalBatch.reduce(0) { $0 + dataset.lossUnits($1) }
            let result = try engine.step(
                microBatches: [shard], examples: dataset, globalLossUnits: units,
                dropout: DropoutKey(seed: 42, step: UInt64(step)), learningRate: 1e-4, maxGradNorm: 1)
            let loss = try communicator.allreduce(result.localLossSum, operation: .sum) / Double(units)
            guard step >= settings.warmup else { continue }
            var parts = [
                result.times.forward, result.times.backward, result.times.communication, result.times.optimizer,
            ]
            try parts.withUnsafeMutableBufferPointer { try communicator.allreduce($0, operation: .max) }
            perStep.append(
                StepTimes(forward: parts[0], backward: parts[1], communication: parts[2], optimizer: parts[3]))
            losses.append(loss)
        }
        // The peak: the best 0.25-s window of sgemm before and after the steps (one rank;
        // ranks together are measured by `sgemmPeak` as the other modes do).
        let best = world == 1 ? max(firstBest, Measurements.bestSgemmRate(seconds: settings.gemmSeconds)) : peak
        var peakRSS = [Double](repeating: 0, count: world)
        try peakRSS.withUnsafeMutableBufferPointer {
            try communicator.allgather(Measurements.peakResidentMiB(), into: $0)
        }
        guard rank == 0 else { return }
        report(
            settings: settings, world: world, threads: threads, perStep: perStep, losses: losses, peak: best,
            meanPeak: peak, peakRSS: peakRSS, parameterCount: layout.table.count,
            lastOnly: model.topBlockReadsLastTokensOnly)
    }

    /// `count` blocks of `length` token ids drawn uniformly from the vocabulary.
    static func randomBlocks(count: Int, length: Int, vocabulary: Int) -> EncodedDataset {
        var state: UInt64 = 0x1234_5678
        var blocks: [[Int32]] = []
        for _ in 0..<count {
            blocks.append(
                (0..<length).map { _ in
                    state = CounterRNG.mix64(state &+ 0x9E37_79B9_7F4A_7C15)
                    return Int32((state >> 33) % UInt64(vocabulary))
                })
        }
        return EncodedDataset(file: "random", languageModelingBlocks: blocks)
    }

    static func report(
        settings: Settings, world: Int, threads: Int, perStep: [StepTimes], losses: [Double], peak: Double,
        meanPeak: Double, peakRSS: [Double], parameterCount: Int, lastOnly: Bool
    ) {
        let median = Measurements.median
        let total = median(perStep.map(\.total))
        let forward = median(perStep.map(\.forward)), backward = median(perStep.map(\.backward))
        let communication = median(perStep.map(\.communication)), optimizer = median(perStep.map(\.optimizer))
        let tokens = settings.batch * settings.seq
        let stepFlops = flops(
            tokens: tokens, length: settings.seq, sequences: settings.batch, sequenceHead: settings.head == "sequence",
            lastOnly: lastOnly)
        let achieved = stepFlops / total / 1e9
        let json: [String: Any] = [
            "mode": "gpt2", "tag": settings.tag, "model": "gpt2-124M", "head": settings.head,
            "full_top_layer": !lastOnly, "parameters": parameterCount,
            "world": world, "threads_per_rank": threads, "batch": settings.batch, "seq": settings.seq,
            "steps_timed": perStep.count, "step_s_median": total, "step_s_all": perStep.map(\.total),
            "fwd_s_median": forward, "bwd_s_median": backward, "comm_wait_s_median": communication,
            "opt_s_median": optimizer, "tokens_per_s": Double(tokens) / total, "flops_per_step": stepFlops,
            "achieved_GFLOPs": achieved, "sgemm_peak_GFLOPs": peak, "fraction_of_sgemm_peak": achieved / peak,
            "sgemm_mean_GFLOPs": meanPeak,
            "per_rank_peak_rss_MiB": peakRSS, "losses": losses,
        ]
        let data = try! JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        print(
            String(
                format: """
                    ddp-bench gpt2 (124M, %@): %d rank(s) × %d thread(s), batch %d × %d tokens
                      step %.3f s (median of %d): forward+loss %.3f, backward %.3f, communication wait %.3f, \
                    optimizer %.3f
                      %.0f tokens/s, %.1f GFLOP/s = %.0f%% of the sgemm peak %.1f GFLOP/s (best window); loss %.3f
                      peak resident memory per rank %@ MiB
                    """, settings.head == "lm" ? "tied LM head" : "sequence head", world, threads, settings.batch,
                settings.seq, total, perStep.count, forward, backward,
                communication, optimizer, Double(tokens) / total, achieved, 100 * achieved / peak, peak,
                losses.last ?? 0, peakRSS.map { String(format: "%.0f", $0) }.joined(separator: "/")))
        print("RESULT " + String(decoding: data, as: UTF8.self))
    }
}
