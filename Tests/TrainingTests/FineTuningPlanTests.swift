import Testing
@testable import Model
@testable import Training

@Suite struct FineTuningPlanTests {
    @Test func gradualUnfreezingOpensOneLayerFromTheTopPerStage() {
        let plan = FineTuningPlan(layers: 3, unfreezeEvery: 10)
        let stage0 = plan.trainable(atStep: 0)
        #expect(stage0.head && stage0.pooler && stage0.layers == [false, false, false] && !stage0.embeddings)
        #expect(plan.trainable(atStep: 9) == stage0)
        #expect(plan.trainable(atStep: 10).layers == [false, false, true])
        #expect(plan.trainable(atStep: 25).layers == [false, true, true])
        #expect(plan.trainable(atStep: 30).layers == [true, true, true] && !plan.trainable(atStep: 30).embeddings)
        #expect(plan.trainable(atStep: 40).embeddings)
    }

    @Test func freezingHoldsTheLowerPartsThroughout() {
        let plan = FineTuningPlan(layers: 4, freezeLayers: 2, unfreezeEvery: 1)
        let late = plan.trainable(atStep: 100)
        #expect(late.layers == [false, false, true, true] && !late.embeddings)
        let noEmbeddings = FineTuningPlan(layers: 2, freezeEmbeddings: true).trainable(atStep: 0)
        #expect(noEmbeddings.layers == [true, true] && !noEmbeddings.embeddings && noEmbeddings.head)
        #expect(
            FineTuningPlan(layers: 2).trainable(atStep: 0)
                == TrainableGroups(embeddings: true, layers: [true, true], pooler: true, head: true, adapters: false))
    }

    @Test func loraTrainsOnlyAdaptersAndTheHead() {
        let t = FineTuningPlan(layers: 2, usesLoRA: true).trainable(atStep: 0)
        #expect(t.adapters && t.head && !t.pooler && !t.embeddings && t.layers == [false, false])
    }

    @Test func layerwiseLearningRatesDecayDownward() {
        let plan = FineTuningPlan(layers: 3, layerLearningRateDecay: 0.5)
        #expect(plan.learningRateScale(.head) == 1)
        #expect(plan.learningRateScale(.pooler) == 1)
        #expect(plan.learningRateScale(.layer(2)) == 0.5)
        #expect(plan.learningRateScale(.layer(1)) == 0.25)
        #expect(plan.learningRateScale(.layer(0)) == 0.125)
        #expect(plan.learningRateScale(.embeddings) == 0.0625)
    }
}
