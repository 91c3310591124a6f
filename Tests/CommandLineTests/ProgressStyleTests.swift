import Testing
@testable import ddp_train

/// Bar or log lines, from the launch environment and whether standard output is a terminal.
@Suite struct ProgressStyleTests {
    static let terminal = ["TERM": "xterm-256color"]

    func style(_ extra: [String: String], tty: Bool = true) -> ProgressStyle {
        ProgressStyle.choose(environment: Self.terminal.merging(extra) { $1 }, standardOutputIsTerminal: tty)
    }

    @Test func aTerminalWithoutALauncherGetsTheBar() {
        #expect(style([:]) == .bar)
    }

    @Test func aFileOrPipeGetsLines() {
        #expect(style([:], tty: false) == .lines)
    }

    @Test func everyMPILauncherGetsLinesEvenOnAPseudoTerminal() {
        #expect(style(["OMPI_COMM_WORLD_SIZE": "2"]) == .lines)
        #expect(style(["PMIX_RANK": "0"]) == .lines)
        #expect(style(["PMI_RANK": "0"]) == .lines)
    }

    @Test func aSlurmBatchJobGetsLinesAnInteractiveStepTheBar() {
        #expect(style(["SLURM_JOB_ID": "17"]) == .lines)
        #expect(style(["SLURM_JOB_ID": "17", "SLURM_PTY_PORT": "41234"]) == .bar)
    }

    @Test func aMissingOrDumbTerminalGetsLines() {
        #expect(ProgressStyle.choose(environment: [:], standardOutputIsTerminal: true) == .lines)
        #expect(style(["TERM": ""]) == .lines)
        #expect(style(["TERM": "dumb"]) == .lines)
    }

    @Test func theOverrideComesFirst() {
        #expect(style(["DDP_TRAIN_PROGRESS": "bar", "OMPI_COMM_WORLD_SIZE": "4", "TERM": "dumb"], tty: false) == .bar)
        #expect(style(["DDP_TRAIN_PROGRESS": "lines"]) == .lines)
        #expect(style(["DDP_TRAIN_PROGRESS": "fancy"]) == .bar)  // not a style: the guess decides
        #expect(style(["DDP_TRAIN_PROGRESS": "fancy", "PMIX_RANK": "1"]) == .lines)
    }
}
