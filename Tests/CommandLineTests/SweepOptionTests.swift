import Testing

@testable import ddp_train

/// `ddp-train sweep`'s own options: the `--metric` alias, ASHA's required resource, and the
/// combinations refused before any MPI work.
@Suite struct SweepOptionTests {
    func parse(_ arguments: [String]) throws -> SweepOptions {
        var options = SweepOptions()
        try SweepCommand.parser.parse(arguments, into: &options)
        try options.check()
        return options
    }

    @Test func metricIsTheBestModelMetric() throws {
        let options = try parse(["--space", "s.json", "--metric", "accuracy", "--learning-rate", "3e-5"])
        #expect(options.base.metricForBestModel == "accuracy")
        #expect(options.base.learningRate == 3e-5)
    }

    @Test func ashaTakesItsRungsAndFactor() throws {
        let options = try parse([
            "--space", "s.json", "--scheduler", "asha", "--trials", "9", "--min-resource", "20",
            "--reduction-factor", "3",
        ])
        #expect(options.scheduler == "asha" && options.minResource == 20 && options.reductionFactor == 3)
    }

    @Test(arguments: [
        (["--scheduler", "asha", "--trials", "9"], "--min-resource"),
        (["--scheduler", "asha", "--trials", "2", "--min-resource", "5"], "fewer than --reduction-factor"),
        (["--scheduler", "asha", "--min-resource", "5", "--reduction-factor", "1"], "at least 2"),
        (["--min-resource", "5"], "for --scheduler asha"),
        (["--trials", "0"], "--trials 0"),
    ])
    func badCombinationsAreRefused(arguments: [String], message: String) {
        #expect {
            _ = try parse(["--space", "s.json"] + arguments)
        } throws: { error in
            "\(error)".contains(message)
        }
        #expect(throws: (any Error).self) { _ = try parse(["--trials", "3"]) }  // no --space
    }
}
