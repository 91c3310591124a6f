import Foundation
import TestSupport
import Testing
@testable import Model
@testable import Parallel
@testable import Training

/// The data-parallel step at one rank (a singleton MPI process), on the tiny model of the
/// golden tests with random data: what accumulation, freezing, layer-wise rates and
/// penalties do to the update.
@Suite(.serialized) struct StepEngineTests {
    static let fixture = Fixtures.url("model/tiny-bert").path

    /// 32 sequences of 3–15 random tokens with random labels.
    static func dataset() -> EncodedDataset {
        var state: UInt64 = 99
        func next(_ n: Int) -> Int {
            state = CounterRNG.mix64(state &+ 0x9E37_79B9_7F4A_7C15)
            return Int(state >> 33) % n
        }
        let sequences = (0..<32).map { _ in (0..<(3 + next(13))).map { _ in Int32(1 + next(49)) } }
        return EncodedDataset(file: "random", sequences: sequences, labels: (0..<32).map { _ in Int32(next(3)) })
    }

    static func engine(
        _ communicator: Communicator, trainable: TrainableGroups? = nil,
        scale: @escaping (ParameterGroup) -> Float = { _ in 1 },
        lora: LoRAConfiguration? = nil, overlaps: Bool = true, shards: Bool = false, defers: Bool = false
    ) throws -> StepEngine {
        let config = try BertConfig(huggingFaceConfigAt: fixture + "/config.json")
        var withDropout = config
        withDropout.hiddenDropoutProb = 0.1
        withDropout.attentionProbsDropoutProb = 0.1
        let model = BertModel(layout: BertLayout(config: withDropout, head: .sequence(outputs: 3), lora: lora))
        let report = try model.loadWeights(from: SafeTensorsFile(contentsOf: fixture + "/model.safetensors"))
        #expect(report.missing.isEmpty)
        model.initializeAdapters(seed: 3)
        model.reserve(maxSequences: 32, maxTokens: 32 * 16, maxLength: 16)
        return StepEngine(
            model: model, optimizer: AdamW(parameterCount: model.parameters.count, weightDecay: 0.01),
            communicator: communicator, trainable: trainable ?? .all(layers: 2), learningRateScale: scale,
            bucketBytes: 4096, overlapsCommunication: overlaps, shardsOptimizer: shards,
            defersUntouchedRows: defers, maxSequences: 32, maxTokens: 32 * 16)
    }

    @Test func fourMicroBatchesOfEightEqualOneBatchOfThirtyTwo() throws {
        try MPITestThread.run { communicator in
            let data = Self.dataset()
            let whole = try Self.engine(communicator), split = try Self.engine(communicator)
            let batch = Array(0..<32)[...]
            let key = DropoutKey(seed: 4, step: 0)
            // The summed gradients are compared (no clipping): after an Adam step, parameters
            // whose gradient is at rounding level (attention key biases) move by ±lr either
            // way, which says nothing about accumulation.
            let a = try whole.step(
                microBatches: [batch], examples: data, globalLossUnits: 32, dropout: key, learningRate: 1e-3,
                maxGradNorm: 0)
            let micro = (0..<4).map { batch[($0 * 8)..<($0 * 8 + 8)] }
            let b = try split.step(
                microBatches: micro, examples: data, globalLossUnits: 32, dropout: key, learningRate: 1e-3,
                maxGradNorm: 0)
            #expect(abs(a.localLossSum - b.localLossSum) <= 1e-5 * abs(a.localLossSum))
            #expect(abs(a.gradientNorm - b.gradientNorm) <= 1e-5 * a.gradientNorm)
            expectClose(
                split.model.gradients.array, whole.model.gradients.array, relativeToLargest: 1e-6,
                "gradients of 4 micro-batches of 8 vs one batch of 32")
        }
    }

    /// The word-embedding gradient is zeroed by rows (those the previous step wrote): after a
    /// step on other tokens, a step's gradients equal a fresh engine's (learning rate 0, so
    /// the parameters do not move in between).
    @Test func embeddingRowsAreZeroedBetweenSteps() throws {
        try MPITestThread.run { communicator in
            let data = Self.dataset()
            let used = try Self.engine(communicator), fresh = try Self.engine(communicator)
            _ = try used.step(
                microBatches: [Array(0..<8)[...]], examples: data, globalLossUnits: 8, dropout: nil,
                learningRate: 0, maxGradNorm: 0)
            let second = Array(16..<24)[...]
            _ = try used.step(
                microBatches: [second], examples: data, globalLossUnits: 8, dropout: nil, learningRate: 0,
                maxGradNorm: 0)
            _ = try fresh.step(
                microBatches: [second], examples: data, globalLossUnits: 8, dropout: nil, learningRate: 0,
                maxGradNorm: 0)
            #expect(used.model.gradients.array == fresh.model.gradients.array)
            #expect(
                used.reducedElementCount < used.model.parameters.count, "the word-embedding table is reduced by rows")
        }
    }

    /// Deferring the untouched word-embedding rows changes nothing: after steps on different
    /// tokens (dropout, clipping, weight decay, two micro-batches) and the deferred updates
    /// applied, parameters and moments equal the dense engine's bit for bit — flat and
    /// bucketed reductions. Before they are applied, rows no batch used still lag. The sharded
    /// reduction defers nothing.
    @Test func deferredEmbeddingRowsEqualDenseUpdates() throws {
        try MPITestThread.run { communicator in
            let data = Self.dataset()
            for overlaps in [false, true] {
                let dense = try Self.engine(communicator, overlaps: overlaps)
                let deferred = try Self.engine(communicator, overlaps: overlaps, defers: true)
                for step in 0..<4 {
                    let first = (step * 8) % 32
                    let batch = [Array(first..<(first + 4))[...], Array((first + 4)..<(first + 8))[...]]
                    for engine in [dense, deferred] {
                        _ = try engine.step(
                            microBatches: batch, examples: data, globalLossUnits: 8,
                            dropout: DropoutKey(seed: 2, step: UInt64(step)), learningRate: 1e-3, maxGradNorm: 0.5)
                    }
                }
                #expect((deferred.optimizer.deferredRows?.pendingSteps ?? 0) > 0)
                // Elements whose bits differ.
                func differing(_ a: FloatSlab, _ b: FloatSlab) -> Int {
                    (0..<a.count).reduce(0) { $0 + (a.base[$1].bitPattern == b.base[$1].bitPattern ? 0 : 1) }
                }
                #expect(
                    differing(dense.model.parameters, deferred.model.parameters) > 0,
                    "rows no batch used owe their updates")
                deferred.applyDeferredUpdates()
                #expect(differing(dense.model.parameters, deferred.model.parameters) == 0, "overlap \(overlaps)")
                #expect(differing(dense.optimizer.firstMoment, deferred.optimizer.firstMoment) == 0)
                #expect(differing(dense.optimizer.secondMoment, deferred.optimizer.secondMoment) == 0)
            }
            // The sharded optimizer updates its share of the table densely: nothing deferred.
            let sharded = try Self.engine(communicator, shards: true, defers: true)
            #expect(sharded.optimizer.deferredRows == nil)
        }
    }

    /// Overlap needs several buckets, the first of them complete early in backward: the
    /// reducer gets one range per parameter (a single merged run made one bucket that could
    /// start only when backward had reached the embeddings).
    @Test func bucketsFillFromTheTopLayerDown() throws {
        try MPITestThread.run { communicator in
            let engine = try Self.engine(communicator)  // 4 KiB buckets
            let table = engine.model.parameterTable
            let buckets = engine.reducer.layout.buckets
            #expect(buckets.count >= 4, "\(buckets.count) buckets")
            // The first bucket holds only head, pooler and top-layer gradients.
            let topLayer = table.range(of: .layer(1))!
            #expect(
                buckets[0].lowerBound >= topLayer.lowerBound,
                "first bucket \(buckets[0]) reaches below layer 1 \(topLayer)")
            // Together the buckets cover what trains, less the word embeddings (reduced by rows).
            let word = table.entries.first { $0.name.hasSuffix("word_embeddings.weight") }!.range
            let covered = buckets.reduce(0) { $0 + $1.count }
            #expect(covered == table.count - word.count)
            #expect(buckets.allSatisfy { !$0.overlaps(word) })
            #expect(
                zip(buckets, buckets.dropFirst()).allSatisfy { $0.lowerBound >= $1.upperBound }, "buckets out of order")
        }
    }

    @Test func frozenParametersStayBitwiseAndAreNotReduced() throws {
        try MPITestThread.run { communicator in
            let trainable = FineTuningPlan(layers: 2, freezeLayers: 1).trainable(atStep: 0)
            let engine = try Self.engine(communicator, trainable: trainable)
            let before = engine.model.parameters.array
            let data = Self.dataset()
            engine.reducer.resetStatistics()
            for step in 0..<3 {
                _ = try engine.step(
                    microBatches: [Array(0..<16)[...]], examples: data, globalLossUnits: 16,
                    dropout: DropoutKey(seed: 1, step: UInt64(step)), learningRate: 1e-3, maxGradNorm: 1)
            }
            let after = engine.model.parameters.array
            var trainedCount = 0
            for entry in engine.model.parameterTable.entries {
                let changed = after[entry.range] != before[entry.range]
                if trainable.contains(entry) {
                    trainedCount += entry.count
                    #expect(changed, "\(entry.name) trains but did not change")
                } else {
                    #expect(!changed, "\(entry.name) is frozen but changed")
                }
            }
            #expect(engine.reducedElementCount == trainedCount)
            #expect(
                engine.reducer.statistics.elements == 3 * trainedCount,
                "reduced \(engine.reducer.statistics.elements) elements in 3 steps")
            #expect(trainedCount < engine.model.parameters.count / 2)
        }
    }

    @Test func layerwiseRatesScaleTheFirstUpdate() throws {
        try MPITestThread.run { communicator in
            // Adam's first update is lr·sign(g) (m/√v = ±1): its size shows each group's rate.
            let plan = FineTuningPlan(layers: 2, layerLearningRateDecay: 0.5)
            let engine = try Self.engine(communicator, scale: { plan.learningRateScale($0) })
            engine.optimizer.weightDecay = 0
            let before = engine.model.parameters.array
            _ = try engine.step(
                microBatches: [Array(0..<16)[...]], examples: Self.dataset(), globalLossUnits: 16,
                dropout: nil, learningRate: 1e-3, maxGradNorm: 0)
            let after = engine.model.parameters.array
            for group in [ParameterGroup.head, .layer(1), .layer(0), .embeddings] {
                let range = engine.model.parameterTable.range(of: group)!
                let largest = range.map { abs(after[$0] - before[$0]) }.max()!
                let expected = 1e-3 * plan.learningRateScale(group)
                #expect(
                    abs(largest - expected) <= 1e-3 * expected,
                    "\(group): largest step \(largest), expected \(expected)")
            }
        }
    }

    @Test func penaltiesAddTheirGradients() throws {
        try MPITestThread.run { communicator in
            let engine = try Self.engine(communicator)
            let model = engine.model
            let reference = FloatSlab(count: model.parameters.count)
            reference.copy(from: model.parameters)
            for i in 0..<reference.count { reference.base[i] += 0.25 }  // w − w₀ = −0.25 everywhere
            model.gradients.zero()
            let regularization = Regularization(l1: 0.01, l2SpAlpha: 0.1, reference: reference)
            regularization.addGradients(
                parameters: model.parameters, gradients: model.gradients, runs: engine.runs, pool: .serial)
            for entry in model.parameterTable.entries {
                for i in entry.range.prefix(5) {
                    let w = model.parameters.base[i]
                    var expected: Float = entry.group == .head ? 0 : 0.1 * -0.25
                    if entry.decays { expected += w > 0 ? 0.01 : (w < 0 ? -0.01 : 0) }
                    #expect(
                        abs(model.gradients.base[i] - expected) < 1e-7,
                        "\(entry.name)[\(i - entry.offset)]: \(model.gradients.base[i]) vs \(expected)")
                }
            }
        }
    }

    @Test func loraStepTrainsOnlyAdaptersAndHead() throws {
        try MPITestThread.run { communicator in
            let lora = LoRAConfiguration(rank: 2, alpha: 4, targets: [.query, .value])
            let trainable = FineTuningPlan(layers: 2, usesLoRA: true).trainable(atStep: 0)
            let engine = try Self.engine(communicator, trainable: trainable, lora: lora)
            let before = engine.model.parameters.array
            for step in 0..<2 {
                _ = try engine.step(
                    microBatches: [Array(0..<16)[...]], examples: Self.dataset(), globalLossUnits: 16,
                    dropout: DropoutKey(seed: 2, step: UInt64(step)), learningRate: 1e-3, maxGradNorm: 1)
            }
            let after = engine.model.parameters.array
            let adapterAndHead = engine.model.parameterTable.entries.filter { $0.isAdapter || $0.group == .head }
            #expect(engine.reducedElementCount == adapterAndHead.reduce(0) { $0 + $1.count })
            for entry in engine.model.parameterTable.entries {
                #expect(
                    (after[entry.range] != before[entry.range]) == (entry.isAdapter || entry.group == .head),
                    "\(entry.name)")
            }
        }
    }
}

extension StepEngine {
    /// The bucket reducer of an engine that overlaps communication.
    var reducer: GradientBucketReducer { (reduction as! BucketedReduction).reducer }
}

extension FloatSlab {
    var array: [Float] { Array(buffer) }
}
