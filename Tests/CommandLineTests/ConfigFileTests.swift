import Testing
import Training
@testable import ddp_train

/// `--config FILE`: a JSON object of option values under the command line's flags.
@Suite struct ConfigFileTests {
    @Test func snakeAndKebabCaseKeysSetOptions() throws {
        let path = try configFile(
            """
            {"learning_rate": 2e-5, "batch_size": 8, "no_shuffle": true, "lr_scheduler": "cosine",
             "max-length": 96, "validation": null, "greater_is_better": false}
            """)
        let options = try parseTrain(["--config", path])
        #expect(options.learningRate == 2e-5)
        #expect(options.batchSize == 8)
        #expect(options.noShuffle)
        #expect(options.lrScheduler == .cosine)
        #expect(options.maxLength == 96)
        #expect(options.validation == nil)
        #expect(options.greaterIsBetter == false)
    }

    @Test func flagsOverrideTheFileWhereverTheyStand() throws {
        let path = try configFile(#"{"batch_size": 8, "seed": 5, "learning_rate": 1e-4}"#)
        let options = try parseTrain(["--batch-size", "4", "--config", path, "--seed", "6"])
        #expect(options.batchSize == 4)
        #expect(options.seed == 6)
        #expect(options.learningRate == 1e-4)
    }

    @Test func unknownKeysAndBadValuesNameTheFile() throws {
        let unknown = try configFile(#"{"learning_rat": 1e-4}"#)
        #expect(
            trainError(["--config", unknown])
                == "--config \(unknown): unknown option \"learning_rat\" (did you mean --learning-rate?)")
        let badValue = try configFile(#"{"batch_size": "ten"}"#)
        #expect(trainError(["--config", badValue]) == "--config \(badValue): --batch-size: \"ten\" is not an integer")
        let nested = try configFile(#"{"seed": [1]}"#)
        #expect(trainError(["--config", nested]) == "--config \(nested): \"seed\" must be a string, number or boolean")
    }

    @Test func unreadableOrMalformedFilesAreUsageErrors() throws {
        let array = try configFile("[1, 2]")
        #expect(
            trainError(["--config", array])
                == "--config \(array): expected a JSON object of option names to values")
        let broken = try configFile(#"{"seed": "#)
        #expect(trainError(["--config", broken])?.hasPrefix("--config \(broken): not valid JSON (") == true)
        #expect(
            trainError(["--config", "/nonexistent/ddp-train-config.json"])
                == "--config /nonexistent/ddp-train-config.json: no such file or it cannot be read")
    }
}
