import Testing
import Training

/// `TrainingOptions.warmupStepCount`: the warm-up the trainer schedules.
@Suite struct WarmupStepsTests {
    func count(steps: Double = 0, ratio: Double = 0, total: Int) -> Int {
        var options = TrainingOptions()
        options.warmupSteps = steps
        options.warmupRatio = ratio
        return options.warmupStepCount(totalSteps: total)
    }

    @Test func wholeStepsAreTakenAsTheyAre() {
        #expect(count(steps: 1, total: 500) == 1)
        #expect(count(steps: 40, total: 500) == 40)
        #expect(count(steps: 40, total: 10) == 40)  // longer than the run: the schedule's business
    }

    @Test func fractionsOfStepsAreRatiosRoundedUp() {
        #expect(count(steps: 0.1, total: 500) == 50)
        #expect(count(steps: 0.1, total: 95) == 10)
        #expect(count(steps: 0.001, total: 10) == 1)
    }

    @Test func theRatioOptionGivesTheSameAsAFraction() {
        for total in [1, 7, 95, 1000] {
            #expect(count(ratio: 0.06, total: total) == count(steps: 0.06, total: total), "total \(total)")
        }
        #expect(count(ratio: 0.06, total: 1000) == 60)
    }

    @Test func nothingGivenIsNoWarmup() {
        #expect(count(total: 1000) == 0)
    }
}
