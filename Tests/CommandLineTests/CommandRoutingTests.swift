import Testing
@testable import ddp_train

/// How the first arguments pick a command, and the top-level help.
@Suite struct CommandRoutingTests {
    @Test func theTopLevelHelpListsEveryCommandWithItsSummary() {
        #expect(
            Commands.table.map(\.name) == [
                "train", "evaluate", "predict", "embed", "sweep", "generate", "explain", "inspect", "report",
            ])
        let lines = Commands.usage.split(separator: "\n").map(String.init)
        for entry in Commands.table {
            #expect(!entry.summary.contains("\n"))
            #expect(
                lines.contains { $0.hasPrefix("  \(entry.name) ") && $0.hasSuffix(entry.summary) },
                "no line for \(entry.name)")
        }
        #expect(Commands.usage.contains("ddp-train <command> --help"))
        #expect(!Commands.usage.contains("--learning-rate"))  // not the train help
    }

    @Test func helpWithoutACommandIsTheTopLevelHelp() {
        for arguments in [["--help"], ["-h"], ["help"], ["--train", "a.tsv", "--help"]] {
            #expect(Commands.route(arguments) == .help(Commands.usage), "\(arguments)")
        }
    }

    @Test func helpWithACommandIsThatCommandsHelp() throws {
        for name in ["train", "evaluate", "predict", "inspect"] {
            let entry = try #require(Commands.entry(name))
            #expect(entry.help().hasPrefix("usage: ddp-train \(name) [options]"))
            #expect(Commands.route([name, "--help"]) == .help(entry.help()))
            #expect(Commands.route(["help", name]) == .help(entry.help()))
            #expect(Commands.route([name, "--model", "m", "-h"]) == .help(entry.help()))
        }
    }

    @Test func commandsAndTheirArgumentsAreSplit() {
        #expect(Commands.route([]) == .run(command: "demo", arguments: [], named: false))
        #expect(
            Commands.route(["evaluate", "--model", "m"])
                == .run(command: "evaluate", arguments: ["--model", "m"], named: true))
        #expect(
            Commands.route(["--train", "a.tsv"])
                == .run(command: "train", arguments: ["--train", "a.tsv"], named: false))
    }

    @Test func unknownCommandsListTheCommands() {
        #expect(
            Commands.route(["trian", "--train", "a.tsv"])
                == .usageError("unknown command \"trian\"\n\n" + Commands.usage))
        #expect(Commands.route(["help", "nope"]) == .usageError("unknown command \"nope\"\n\n" + Commands.usage))
    }

    @Test func anOptionErrorWithoutACommandSaysWhichCommandReadThem() {
        let message = Commands.impliedCommandError("unknown option --modle (did you mean --model?)", command: "train")
        #expect(message.hasPrefix("unknown option --modle (did you mean --model?)\n"))
        #expect(message.contains("read as those of `ddp-train train`"))
        #expect(message.hasSuffix(Commands.usage))
    }
}
