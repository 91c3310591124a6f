import Foundation
import Training

/// `ddp-train report OUTPUT`: rebuilds `OUTPUT/report.html` from `OUTPUT/metrics.jsonl` and
/// `OUTPUT/report-data.json` (which training writes with it), or a sweep's page, without MPI or
/// the model.
enum ReportCommand {
    static let help = """
        usage: ddp-train report OUTPUT

        Rebuilds OUTPUT/report.html, the self-contained HTML report of a training run, from
        OUTPUT/metrics.jsonl and OUTPUT/report-data.json (the configuration and the task's view of
        the last evaluation; without it, the curves only). Training writes the report itself at each
        evaluation and at the end (--report-to html or all). For a sweep's OUTPUT (with sweep.jsonl):
        the trials table and every trial's curves, from sweep.jsonl, sweep.md and trial-<t>/metrics.jsonl.
        """

    static func run(_ arguments: [String]) throws {
        guard arguments.count == 1, let directory = arguments.first, !directory.hasPrefix("-") else {
            throw UsageError("report takes one argument, the run's output directory\n\n" + help)
        }
        print(try ReportFiles.rebuild(directory: directory))
    }
}
