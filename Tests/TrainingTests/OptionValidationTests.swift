import Foundation
import TestSupport
import Testing
import Training

/// `TrainingOptions.validate`: every rule fails with its own message, named by the option's
/// command-line spelling, and valid options pass.
@Suite struct OptionValidationTests {
    /// An existing (empty) training file: the rules below must fail on their own option.
    static let trainFile = Result<String, any Error> {
        let url = try Fixtures.temporaryDirectory("validation-tests").appendingPathComponent("train.tsv")
        try Data("sentence\tlabel\n".utf8).write(to: url)
        return url.path
    }

    static func valid() throws -> TrainingOptions {
        var options = TrainingOptions()
        options.train = try trainFile.get()
        return options
    }

    /// The message `validate` throws for the valid options changed by `change`; nil if none.
    static func message(worldSize: Int = 1, _ change: (inout TrainingOptions) -> Void) throws -> String? {
        var options = try valid()
        change(&options)
        do {
            try options.validate(worldSize: worldSize)
            return nil
        } catch let error as OptionError {
            return error.description
        }
    }

    @Test func validOptionsPass() throws {
        #expect(try Self.message { _ in } == nil)
        #expect(try Self.message(worldSize: 4) { $0.batchSize = 4 } == nil)
        #expect(try Self.message { $0.warmupSteps = 0.1 } == nil)
        #expect(try Self.message { $0.warmupSteps = 20 } == nil)
        #expect(try Self.message { $0.warmupRatio = 0.1 } == nil)
    }

    @Test func dataAndTask() throws {
        #expect(
            try Self.message { $0.train = nil }
                == "--train is required (a .tsv, .csv or .jsonl file of labelled text)")
        #expect(
            try Self.message { $0.train = "/nonexistent/train.tsv" }
                == "--train /nonexistent/train.tsv: no such file")
        #expect(
            try Self.message { $0.validation = "/nonexistent/dev.tsv" }
                == "--validation /nonexistent/dev.tsv: no such file")
        #expect(
            try Self.message { $0.task = "tagging" }
                == "--task tagging: expected one of classification, regression, multi-label, token-classification, "
                + "causal-lm, embedding, setfit")
        #expect(
            try Self.message {
                $0.task = "token-classification"
                $0.augmentDeletion = 0.1
            } == "--augment-* options change words, which would misalign the word tags of token-classification")
        #expect(try Self.message { $0.labelSeparator = ",," } == "--label-separator \",,\": expected one character")
    }

    @Test func batchesAndLength() throws {
        #expect(try Self.message { $0.batchSize = 0 } == "--batch-size 0: must be at least 1")
        #expect(
            try Self.message(worldSize: 4) { $0.batchSize = 2 }
                == "--batch-size 2 is smaller than the 4 ranks: every rank needs at least one example per step "
                + "(use --batch-size 4 or more, or fewer ranks)")
        #expect(try Self.message { $0.evalBatchSize = 0 } == "--eval-batch-size 0: must be at least 1")
        #expect(try Self.message { $0.maxLength = 1 } == "--max-length 1: must be at least 2")
        #expect(try Self.message { $0.epochs = 0 } == "--epochs 0.0: must be positive (or give --max-steps)")
        #expect(
            try Self.message {
                $0.epochs = 0
                $0.maxSteps = 10
            } == nil)
        #expect(
            try Self.message { $0.gradientAccumulationSteps = 0 }
                == "--gradient-accumulation-steps 0: must be between 1 and --batch-size (32)")
        #expect(
            try Self.message(worldSize: 4) {
                $0.batchSize = 8
                $0.gradientAccumulationSteps = 4
            } == "--batch-size 8 over 4 accumulation steps leaves micro-batches of 2, fewer than the 4 ranks")
        #expect(
            try Self.message {
                $0.noShuffle = true
                $0.groupByLength = true
            } == "--no-shuffle and --group-by-length conflict: grouping reorders the data")
    }

    @Test func optimizerAndSchedule() throws {
        #expect(try Self.message { $0.learningRate = 0 } == "--learning-rate 0.0: must be positive")
        #expect(try Self.message { $0.warmupRatio = 1.5 } == "--warmup-ratio 1.5: must be between 0 and 1")
        #expect(try Self.message { $0.weightDecay = -0.1 } == "--weight-decay -0.1: must not be negative")
        #expect(try Self.message { $0.adamBeta1 = 1 } == "--adam-beta1/--adam-beta2 must be in [0, 1)")
        #expect(try Self.message { $0.adamBeta2 = -0.5 } == "--adam-beta1/--adam-beta2 must be in [0, 1)")
        #expect(try Self.message { $0.adamEpsilon = 0 } == "--adam-epsilon 0.0: must be positive")
        #expect(
            try Self.message { $0.maxGradNorm = -1 }
                == "--max-grad-norm -1.0: must not be negative (0 disables clipping)")
    }

    @Test func warmupStepsAndRatioExcludeEachOther() throws {
        #expect(try Self.message { $0.warmupSteps = -1 } == "--warmup-steps -1: must not be negative")
        #expect(
            try Self.message { $0.warmupSteps = 2.5 }
                == "--warmup-steps 2.5: expected a whole number of steps, or a fraction in [0, 1) of the total steps")
        for steps in [10.0, 0.1] {
            #expect(
                try Self.message {
                    $0.warmupSteps = steps
                    $0.warmupRatio = 0.1
                } == "--warmup-steps and --warmup-ratio both given: choose one", "steps \(steps)")
        }
    }

    @Test func regularisation() throws {
        #expect(
            try Self.message {
                $0.dropout = 0.1
                $0.hiddenDropout = 0.1
            } == "--dropout sets both hidden and attention dropout: do not combine it with --hidden-dropout or "
                + "--attention-dropout")
        #expect(try Self.message { $0.classifierDropout = 1 } == "--classifier-dropout 1.0: must be in [0, 1)")
        #expect(try Self.message { $0.attentionDropout = -0.1 } == "--attention-dropout -0.1: must be in [0, 1)")
        #expect(try Self.message { $0.l1Penalty = -1 } == "--l1-penalty and --l2-sp-alpha must not be negative")
        #expect(
            try Self.message { $0.labelSmoothingFactor = 1 }
                == "--label-smoothing-factor 1.0: must be in [0, 1)")
    }

    @Test func loggingEvaluationAndExecution() throws {
        let steps =
            "--logging-steps must be at least 1; --eval-steps, --save-steps, --save-total-limit and "
            + "--checksum-steps must not be negative"
        #expect(try Self.message { $0.loggingSteps = 0 } == steps)
        #expect(try Self.message { $0.saveSteps = -1 } == steps)
        #expect(try Self.message { $0.evalSteps = 10 } == "--eval-steps 10 needs --validation FILE")
        #expect(try Self.message { $0.threads = 0 } == "--threads 0: must be at least 1")
        #expect(try Self.message { $0.bucketSizeMb = 0 } == "--bucket-size-mb 0.0: must be positive")
        #expect(try Self.message { $0.seed = -1 } == "--seed -1: must not be negative")
        #expect(
            try Self.message { $0.earlyStoppingPatience = -1 }
                == "--early-stopping-patience -1: must not be negative")
        #expect(
            try Self.message { $0.loadBestModelAtEnd = true }
                == "--early-stopping-patience and --load-best-model-at-end need --validation FILE")
    }

    @Test func whatTrains() throws {
        #expect(try Self.message { $0.freezeLayers = -1 } == "--freeze-layers -1: must not be negative")
        #expect(try Self.message { $0.gradualUnfreezing = .epoch } == nil)
        #expect(try Self.message { $0.layerLrDecay = 0 } == "--layer-lr-decay 0.0: must be in (0, 1]")
        #expect(
            try Self.message {
                $0.loraRank = 4
                $0.loraTargets = "query,keys"
            }
                == "--lora-targets: \"keys\" is not one of query, key, value, attention.output.dense, "
                + "intermediate.dense, "
                + "output.dense, c_attn, attn.c_proj, c_fc, mlp.c_proj")
        #expect(
            try Self.message {
                $0.loraRank = 4
                $0.loraTargets = " , "
            } == "--lora-targets is empty")
        #expect(
            try Self.message {
                $0.loraRank = 4
                $0.loraAlpha = 0
            } == "--lora-alpha 0.0: must be positive")
        #expect(
            try Self.message {
                $0.loraRank = 4
                $0.freezeLayers = 2
            } == "--lora-rank freezes every pretrained weight already: do not combine it with --freeze-layers, "
                + "--freeze-embeddings or --gradual-unfreezing")
    }
}
