import Foundation
import Model
import Parallel
import Text
import Training

// ddp-bench: the training step of ddp-train, measured. Run under mpirun; bench/run.sh runs it
// beside the PyTorch reference and prints ratios.
//
//   ddp-bench fixed [--batch 32] [--seq 128] [--steps 10] [--warmup 3] [--model DIR] [--overlap true|false]
//   ddp-bench sst2  [--batch 32] [--max-length 64] [--steps 60] [--warmup 5] [--data DIR] [--model DIR]
//   ddp-bench gpt2  --batch 4 --seq 64 [--steps 10] [--warmup 3] [--head lm|sequence]
//                   (GPT2Bench.swift: GPT-2 small, causal LM or a two-class sequence head)
//   ddp-bench retrieval [--queries 10000] [--corpus 10000] [--dim 384]   (RetrievalBench.swift: no MPI)
//   ddp-bench peak   the sgemm peak of this configuration alone (bench/trainer_speed.py's ceiling)
//   any mode: [--bucket-mb 25] [--shard true] [--size minilm|bert-base] [--tag NAME]
//             [--defer-rows true|false]  (untouched word-embedding rows updated when read, as in
//             ddp-train; default true)
//             [--full-top-layer true|false]  (the top layer on every row, not only the rows a
//             sequence head reads — [CLS], GPT-2's last token; default false, as ddp-train)
//
// Prints a report on rank 0 and a `RESULT {json}` line for bench/run.sh.

struct Settings {
    var mode = "fixed"
    var batch = 32
    var seq = 128
    var maxLength = 64
    var steps = 10
    var warmup = 3
    var model = DefaultPaths.pretrainedModel
    var data = "../shared/data/sst2"
    var overlap = false
    var shard = false
    var deferRows = true
    var fullTopLayer = false
    /// `gpt2` mode's head: `lm` (causal LM, tied to wte) or `sequence` (two classes).
    var head = "lm"
    var bucketMB = 25.0
    /// `minilm` (the pretrained all-MiniLM-L6-v2) or `bert-base` (a randomly initialised
    /// model of BERT-base's size: 12 layers, hidden 768, 12 heads, FFN 3072).
    var size = "minilm"
    var gemmSeconds = 1.5
    /// A name carried into the RESULT line, for bench/report.py to tell runs apart.
    var tag = ""

    init(_ arguments: [String]) {
        if arguments.contains("--help") || arguments.contains("-h") { Settings.usage(nil) }
        var i = 0
        if let first = arguments.first, !first.hasPrefix("--") { mode = first; i = 1 }
        guard ["fixed", "sst2", "gpt2", "peak"].contains(mode) else { Settings.usage("unknown mode '\(mode)'") }
        while i < arguments.count {
            let option = arguments[i]
            guard i + 1 < arguments.count else { Settings.usage("\(option) needs a value") }
            let value = arguments[i + 1]
            func number<T: LosslessStringConvertible>(_: T.Type = T.self) -> T {
                guard let parsed = T(value) else { Settings.usage("\(option) takes a number, not '\(value)'") }
                return parsed
            }
            func flag() -> Bool {
                guard value == "true" || value == "false" else { Settings.usage("\(option) takes true or false") }
                return value == "true"
            }
            switch option {
            case "--batch": batch = number()
            case "--seq": seq = number()
            case "--max-length": maxLength = number()
            case "--steps": steps = number()
            case "--warmup": warmup = number()
            case "--model": model = value
            case "--data": data = value
            case "--overlap": overlap = flag()
            case "--shard": shard = flag()
            case "--defer-rows": deferRows = flag()
            case "--full-top-layer": fullTopLayer = flag()
            case "--head":
                guard ["lm", "sequence"].contains(value) else { Settings.usage("--head takes lm or sequence") }
                head = value
            case "--bucket-mb": bucketMB = number()
            case "--size":
                guard ["minilm", "bert-base"].contains(value) else {
                    Settings.usage("--size takes minilm or bert-base")
                }
                size = value
            case "--tag": tag = value
            case "--gemm-seconds": gemmSeconds = number()
            default: Settings.usage("unknown option \(option)")
            }
            i += 2
        }
    }

    /// How to call, after what was wrong with the command line (exit 2) or for `--help` (exit 0);
    /// called before MPI starts.
    static func usage(_ problem: String?) -> Never {
        let problemLine = problem.map { "ddp-bench: \($0)\n" } ?? ""
        let text = """
            \(problemLine)usage: ddp-bench fixed|sst2|gpt2|peak [--batch N] [--seq N] [--steps N] [--model DIR] ...
                   ddp-bench retrieval [--queries N] [--corpus N] [--dim N]
            (the options are listed at the top of bench/DDPBench/main.swift)

            """
        guard problem != nil else {
            print(text, terminator: "")
            exit(0)
        }
        FileHandle.standardError.write(text.data(using: .utf8)!)
        exit(2)
    }
}

if CommandLine.arguments.dropFirst().first == "retrieval" {
    try RetrievalBench.run(Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}
let settings = Settings(Array(CommandLine.arguments.dropFirst()))
let communicator = try Communicator()
let rank = communicator.rank, world = communicator.size
let threads = try ThreadPlan(ranksOnNode: communicator.localSize).threads
BLAS.setThreads(threads)
let pool = ThreadPool(threads: threads)

// 1. The sgemm peak of this configuration: every rank multiplies at once.
let peak = try Measurements.sgemmPeak(communicator: communicator, seconds: settings.gemmSeconds)

if settings.mode == "peak" {
    if communicator.rank == 0 {
        print(
            "ddp-bench peak: \(communicator.size) rank(s) × \(threads) thread(s), sgemm "
                + String(format: "%.1f GFLOP/s", peak))
        print(
            "RESULT {\"mode\":\"peak\",\"world\":\(communicator.size),\"threads_per_rank\":\(threads),"
                + "\"sgemm_peak_GFLOPs\":\(peak)}")
    }
    try communicator.finalize()
    exit(0)
}
if settings.mode == "gpt2" {
    try GPT2Bench.run(settings: settings, communicator: communicator, pool: pool, threads: threads, peak: peak)
    try communicator.finalize()
    exit(0)
}

// 2. The model, as the trainer builds it.
let directory = try ModelDirectory(settings.model)
guard var config = directory.config.bert else { Settings.usage("\(settings.model) is not a BERT model") }
if settings.size == "bert-base" {
    config = BertConfig(
        vocabSize: 30522, hiddenSize: 768, numHiddenLayers: 12, numAttentionHeads: 12, intermediateSize: 3072)
}
let layout = BertLayout(config: config, head: .sequence(outputs: 2))
let model = BertModel(layout: layout, pool: pool)
model.computesFullTopLayer = settings.fullTopLayer
if settings.size == "bert-base" {
    for entry in layout.table.entries { ParameterInitializer.initialize(entry, in: model.parameters.base, seed: 42) }
} else {
    let report = try model.loadWeights(from: SafeTensorsFile(contentsOf: directory.weightsPath), loadHead: false)
    for name in report.missing {
        ParameterInitializer.initialize(layout.table[name]!, in: model.parameters.base, seed: 42)
    }
}

// 3. The data: a fixed shape of random tokens, or SST-2 in the trainer's batch order.
let dataset: EncodedDataset
let plan: BatchPlan
switch settings.mode {
case "fixed":
    dataset = Measurements.randomSequences(count: settings.batch, length: settings.seq, vocabulary: config.vocabSize)
    plan = BatchPlan(datasetSize: dataset.count, globalBatchSize: settings.batch, seed: 42, shuffle: false)
case "sst2":
    let request = DataRequest(columns: ColumnSelection(), tokenizer: directory.tokenizer, maxLength: settings.maxLength)
    dataset = try ClassificationTask().read(settings.data + "/train.tsv", request).encode(LabelSet(names: ["0", "1"]))
    plan = BatchPlan(datasetSize: dataset.count, globalBatchSize: settings.batch, seed: 42)
default:
    Settings.usage("mode \(settings.mode) measures no BERT step")
}
let shardCapacity = (settings.batch + world - 1) / world
let longest = settings.mode == "fixed" ? settings.seq : dataset.longest
model.reserve(maxSequences: shardCapacity, maxTokens: shardCapacity * longest, maxLength: longest)
let optimizer = AdamW(parameterCount: layout.table.count, weightDecay: 0.01)
let engine = StepEngine(
    model: model, optimizer: optimizer, communicator: communicator, trainable: .all(layers: config.numHiddenLayers),
    bucketBytes: Int(settings.bucketMB * 1_048_576), overlapsCommunication: settings.overlap,
    shardsOptimizer: settings.shard, defersUntouchedRows: settings.deferRows,
    maxSequences: shardCapacity, maxTokens: shardCapacity * longest)

// 4. Timed steps.
var perStep: [StepTimes] = []
var tokens: [Int] = [], attentionPairs: [Int] = []
let epoch = plan.epoch(0)
for step in 0..<(settings.warmup + settings.steps) {
    let globalBatch = epoch.globalBatch(step % epoch.batchCount)
    let shares = BatchPlan.balancedMicroBatches(
        globalBatch, accumulationSteps: 1, rank: rank, worldSize: world, cost: dataset.length)
    try communicator.barrier()
    if step == settings.warmup {
        engine.resetReductionStatistics()
    }
    let result = try engine.step(
        microBatches: shares, examples: dataset, globalLossUnits: globalBatch.count,
        dropout: DropoutKey(seed: 42, step: UInt64(step)), learningRate: 1e-5, maxGradNorm: 1)
    guard step >= settings.warmup else { continue }
    // A step lasts as long as its slowest rank: take the maximum of each part over ranks.
    var parts = [result.times.forward, result.times.backward, result.times.communication, result.times.optimizer]
    try parts.withUnsafeMutableBufferPointer { try communicator.allreduce($0, operation: .max) }
    perStep.append(StepTimes(forward: parts[0], backward: parts[1], communication: parts[2], optimizer: parts[3]))
    tokens.append(globalBatch.reduce(0) { $0 + dataset.length($1) })
    attentionPairs.append(globalBatch.reduce(0) { $0 + dataset.length($1) * dataset.length($1) })
}

// What the deferred rows owe after the run, applied as before a checkpoint (slowest rank).
let owed = optimizer.deferredRows?.pendingSteps ?? 0
let flushBegin = monotonicSeconds()
engine.applyDeferredUpdates()
let flushSeconds = try communicator.allreduce(monotonicSeconds() - flushBegin, operation: .max)

// 5. Memory and communication.
var peakRSS = [Double](repeating: 0, count: world)
try peakRSS.withUnsafeMutableBufferPointer { try communicator.allgather(Measurements.peakResidentMiB(), into: $0) }
let statistics = engine.reductionStatistics

if rank == 0 {
    let summary = Measurements.summarize(
        settings: settings, world: world, threads: threads, config: config, perStep: perStep, tokens: tokens,
        attentionPairs: attentionPairs, peak: peak, peakRSS: peakRSS, statistics: statistics,
        reducedBytes: engine.reducedElementCount * 4, parameterCount: layout.table.count,
        deferredFlush: (steps: owed, seconds: flushSeconds), firstTokenTopLayer: model.topLayerReadsFirstTokensOnly)
    print(summary.text)
    print("RESULT " + summary.json)
}
try communicator.finalize()
