import Testing
import Training
@testable import ddp_train

/// `--warmup-steps` as transformers 5 reads `warmup_steps`: a fraction in (0, 1) is a ratio
/// of the total steps, a whole number ≥ 1 a step count; `--warmup-ratio` stays.
@Suite struct WarmupOptionTests {
    @Test func aFractionOnTheCommandLineIsARatio() throws {
        let options = try parseTrain(["--warmup-steps", "0.1"])
        #expect(options.warmupSteps == 0.1)
        #expect(options.warmupStepCount(totalSteps: 95) == 10)  // ceil(9.5)
        #expect(options.warmupStepCount(totalSteps: 1000) == 100)
    }

    @Test func aFractionInAConfigFileIsARatio() throws {
        let options = try parseTrain(["--config", try configFile(#"{"warmup_steps": 0.25}"#)])
        #expect(options.warmupStepCount(totalSteps: 10) == 3)  // ceil(2.5)
    }

    @Test func aWholeNumberIsAStepCount() throws {
        #expect(try parseTrain(["--warmup-steps", "20"]).warmupStepCount(totalSteps: 1000) == 20)
        #expect(
            try parseTrain(["--config", try configFile(#"{"warmup_steps": 1}"#)])
                .warmupStepCount(totalSteps: 1000) == 1)
    }

    @Test func warmupRatioStillWorks() throws {
        #expect(try parseTrain(["--warmup-ratio", "0.25"]).warmupStepCount(totalSteps: 10) == 3)
        #expect(try parseTrain([]).warmupStepCount(totalSteps: 10) == 0)
    }

    @Test func aWordIsNotANumber() {
        #expect(trainError(["--warmup-steps", "some"]) == "--warmup-steps: \"some\" is not a number")
    }
}
