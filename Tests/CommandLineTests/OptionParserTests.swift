import Testing
import Training
@testable import ddp_train

/// The train command's option table on command-line arguments.
@Suite struct OptionParserTests {
    @Test func valuesFlagsAndEqualsFormReachTheirFields() throws {
        let options = try parseTrain([
            "--train", "train.tsv", "--validation=dev.tsv", "--learning-rate", "2e-5", "--batch-size", "16",
            "--no-shuffle", "--task", "regression", "--max-length=64", "--greater-is-better", "false",
            "--shard-optimizer", "true", "--dropout", "0.2", "--threads", "3",
        ])
        #expect(options.train == "train.tsv")
        #expect(options.validation == "dev.tsv")
        #expect(options.learningRate == 2e-5)
        #expect(options.batchSize == 16)
        #expect(options.noShuffle)
        #expect(options.task == "regression")
        #expect(options.maxLength == 64)
        #expect(options.greaterIsBetter == false)
        #expect(options.shardOptimizer)
        #expect(options.dropout == 0.2)
        #expect(options.threads == 3)
    }

    @Test func noArgumentsLeaveTheDefaults() throws {
        #expect(try parseTrain([]) == TrainingOptions())
    }

    @Test func aLaterFlagWins() throws {
        #expect(try parseTrain(["--seed", "1", "--seed", "2"]).seed == 2)
        #expect(try parseTrain(["--no-shuffle", "--no-shuffle=false"]).noShuffle == false)
    }

    @Test func unknownOptionsAreNamedWithTheClosestOne() {
        #expect(
            trainError(["--learning-rat", "1e-4"])
                == "unknown option --learning-rat (did you mean --learning-rate?)")
        #expect(trainError(["--zzzzzzzzzzzz", "1"]) == "unknown option --zzzzzzzzzzzz")
    }

    @Test func badValuesSayWhichOptionAndWhatWasExpected() {
        #expect(trainError(["--batch-size", "ten"]) == "--batch-size: \"ten\" is not an integer")
        #expect(trainError(["--learning-rate", "fast"]) == "--learning-rate: \"fast\" is not a number")
        #expect(trainError(["--learning-rate", "inf"]) == "--learning-rate: \"inf\" is not a number")
        #expect(
            trainError(["--shard-optimizer", "maybe"])
                == "--shard-optimizer: expected true or false, got \"maybe\"")
        #expect(
            trainError(["--task", "tagging"])
                == "--task: \"tagging\" is not one of classification, regression, multi-label, "
                + "token-classification, causal-lm, embedding, setfit")
        #expect(
            trainError(["--gradual-unfreezing", "0"])
                == "--gradual-unfreezing 0: expected a step count (≥ 1) or \"epoch\"")
        #expect(
            trainError(["--lr-scheduler", "step"])
                == "--lr-scheduler: \"step\" is not one of linear, cosine, constant, slanted_triangular")
    }

    @Test func missingValuesAndStrayWordsAreUsageErrors() {
        #expect(trainError(["--train", "a.tsv", "--seed"]) == "--seed needs a value (N)")
        #expect(
            trainError(["train.tsv"])
                == "unexpected argument \"train.tsv\" (options start with --; see ddp-train train --help)")
    }

    @Test func helpListsEveryOptionWithItsDefault() {
        let help = TrainCommand.parser.help(defaults: TrainingOptions())
        #expect(help.hasPrefix("usage: ddp-train train [options]"))
        for option in TrainCommand.parser.options {
            #expect(help.contains("--" + option.name), "--\(option.name) missing from the help")
        }
        #expect(help.contains("Peak AdamW learning rate. [default: 5e-05]"))
        #expect(help.contains("Global batch size (examples per step over all ranks). [default: 32]"))
    }
}
