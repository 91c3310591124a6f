import Testing
@testable import Model
@testable import Parallel
@testable import Training

/// Every `GradientReduction` gives the flat reduction's summed gradients (at one rank: the
/// plumbing — which ranges are zeroed, reduced, penalised and updated). Two steps run with
/// learning rate 0 (the parameters stay put) and no clipping; the second uses other tokens in
/// two micro-batches, so rows the first step wrote must have been zeroed.
@Suite(.serialized) struct GradientReductionTests {
    enum Kind: String, CaseIterable { case flat, bucketed, sharded }

    struct Outcome {
        var gradients: [Float]
        var norm: Double
        var parameters: [Float]
    }

    static func run(
        _ communicator: Communicator, _ kind: Kind, trainable: TrainableGroups?, penalized: Bool,
        freshEngineForSecondStep: Bool = false
    ) throws -> Outcome {
        func engine() throws -> StepEngine {
            let engine = try StepEngineTests.engine(
                communicator, trainable: trainable, overlaps: kind == .bucketed,
                shards: kind == .sharded)
            switch kind {
            case .flat: #expect(engine.reduction is FlatReduction)
            case .bucketed: #expect(engine.reduction is BucketedReduction)
            case .sharded: #expect(engine.reduction is ShardedReduction)
            }
            if penalized {
                let reference = FloatSlab(count: engine.model.parameters.count)
                reference.copy(from: engine.model.parameters)
                for i in 0..<reference.count { reference.base[i] += Float(i % 7) * 0.01 - 0.03 }
                engine.regularization = Regularization(l1: 0.01, l2SpAlpha: 0.1, reference: reference)
            }
            return engine
        }
        let data = StepEngineTests.dataset()
        var used = try engine()
        _ = try used.step(
            microBatches: [Array(0..<8)[...]], examples: data, globalLossUnits: 8,
            dropout: DropoutKey(seed: 5, step: 0), learningRate: 0, maxGradNorm: 0)
        if freshEngineForSecondStep { used = try engine() }
        let result = try used.step(
            microBatches: [Array(16..<20)[...], Array(20..<24)[...]], examples: data,
            globalLossUnits: 8, dropout: DropoutKey(seed: 5, step: 1), learningRate: 0,
            maxGradNorm: 0)
        #expect(result.applied)
        return Outcome(
            gradients: used.model.gradients.array, norm: result.gradientNorm,
            parameters: used.model.parameters.array)
    }

    static let trainables: [(String, TrainableGroups?)] = [
        ("everything", nil),
        ("top layer", FineTuningPlan(layers: 2, freezeLayers: 1).trainable(atStep: 0)),
    ]

    func expectSameAsFlat(_ kind: Kind) throws {
        try MPITestThread.run { communicator in
            for (name, trainable) in Self.trainables {
                for penalized in [false, true] {
                    let flat = try Self.run(communicator, .flat, trainable: trainable, penalized: penalized)
                    let other = try Self.run(communicator, kind, trainable: trainable, penalized: penalized)
                    let label = "\(kind) vs flat, \(name)\(penalized ? ", penalised" : "")"
                    // Compared bit for bit; the arrays are bound first so a failure names the
                    // case instead of printing every element.
                    let sameGradients = other.gradients == flat.gradients
                    let sameParameters = other.parameters == flat.parameters
                    #expect(sameGradients, "\(label): gradients differ")
                    #expect(
                        abs(other.norm - flat.norm) <= 1e-12 * flat.norm,
                        "\(label): norm \(other.norm) vs \(flat.norm)")
                    #expect(sameParameters, "\(label): parameters differ")
                }
            }
        }
    }

    @Test func bucketedSumsAsFlat() throws { try expectSameAsFlat(.bucketed) }

    @Test func shardedSumsAsFlat() throws { try expectSameAsFlat(.sharded) }

    /// With a penalty every word-embedding row holds a gradient after a step: the next step
    /// must start from zero on every row, not only on the rows its batch touched.
    @Test(arguments: Kind.allCases)
    func penalisedRowsAreZeroedBetweenSteps(kind: Kind) throws {
        try MPITestThread.run { communicator in
            let used = try Self.run(communicator, kind, trainable: nil, penalized: true)
            let fresh = try Self.run(
                communicator, kind, trainable: nil, penalized: true,
                freshEngineForSecondStep: true)
            let same = used.gradients == fresh.gradients
            #expect(same, "\(kind): the second step's gradients depend on the first")
        }
    }
}
