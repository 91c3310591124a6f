import Foundation
import JSON
import Reports

/// Rank 0's reports of a run besides `metrics.jsonl` and the console: TensorBoard event files
/// (`--report-to tensorboard`) and `report.html` (`html`).
///
/// All of it is rank 0's work after a logging step (an event, flushed) or an evaluation and
/// the end (the page, rewritten atomically), never inside the training step, and it needs no
/// collective: the other ranks see it only as rank 0 reaching the next collective a few
/// milliseconds later at those steps (the page's curves are thinned to `HTMLReport.curveLimit`
/// points, so its cost does not grow with the run). A failed write is reported once and that
/// report stops; training goes on.
final class RunReports {
    private let output: String
    private var tensorBoard: TensorBoardWriter?
    private var writesPage: Bool
    private var records: [[String: Double]]
    private var data: ReportData
    private let notify: (String) -> Void

    /// - Parameters:
    ///   - history: the records logged so far (a resumed run's, up to its step). With
    ///     `metrics.jsonl` written (already cut to that step), its records instead: they keep
    ///     the per-rank keys that `log_history` leaves out.
    ///   - notify: shows a failure (once per report) to the user.
    init(
        options: TrainingOptions, task: any FineTuningTask, summary: RunSummary, history: [MetricsRecord],
        notify: @escaping (String) -> Void
    ) throws {
        let destinations = try options.reportDestinations()
        output = options.output
        self.notify = notify
        let logged =
            destinations.contains(.jsonLines) && !history.isEmpty
            ? try? ReportFiles.readMetrics(options.output + "/" + ReportFiles.metrics) : nil
        records = logged.flatMap { $0.isEmpty ? nil : $0 } ?? history.map(\.values)
        writesPage = destinations.contains(.html)
        data = ReportData(
            title: "\(task.name): \((options.model as NSString).lastPathComponent) → \(options.output)",
            configuration: Self.configuration(summary), curves: task.reportCurves,
            resources: Self.resources(summary, peakMiB: nil))
        if destinations.contains(.tensorBoard) {
            do {
                tensorBoard = try TensorBoardWriter(directory: options.tensorBoardDirectory)
            } catch {
                notify("TensorBoard events are not written: \(error)")
            }
        }
    }

    /// After each metrics record (training or evaluation): one event, flushed.
    func logged(_ record: MetricsRecord) {
        records.append(record.values)
        guard let writer = tensorBoard else { return }
        do {
            try writer.add(record: record.values)
        } catch {
            tensorBoard = nil
            notify("TensorBoard events stop: \(error)")
        }
    }

    /// After an evaluation: the task's sections of it, and the page.
    func evaluated(_ report: EvaluationReport, step: Int) {
        data.sections = report.sections
        data.sectionsStep = step
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        data.resources = Self.resources(summary: data.resources, peakMiB: Double(usage.ru_maxrss) / 1024, of: "rank 0")
        writePage()
    }

    /// At the end: the run's totals, and the page a last time.
    func finished(_ result: RunResult) {
        data.finished = true
        data.resources = Self.resources(summary: data.resources, peakMiB: result.peakResidentMiB, of: "largest rank")
        data.resources += [
            ReportEntry(
                "steps run (this invocation)",
                "\(result.stepsRun) in \(String(format: "%.1f", result.trainingSeconds)) s, "
                    + "then \(String(format: "%.1f", max(0, result.seconds - result.trainingSeconds))) s "
                    + "for the final evaluation and files"),
            ReportEntry("samples/s (the steps)", HTMLReport.number(result.samplesPerSecond)),
        ]
        writePage()
    }

    private func writePage() {
        guard writesPage else { return }
        do {
            try ReportFiles.write(records: records, data: data, directory: output)
        } catch {
            writesPage = false
            notify("\(ReportFiles.page) is no longer written: \(error)")
        }
    }

    /// The derived numbers, then every option as set (kebab-case names, as on the command line).
    static func configuration(_ s: RunSummary) -> [ReportEntry] {
        var entries = [
            ReportEntry("ranks × threads", "\(s.worldSize) × \(s.threadsPerRank) (\(s.threadSource))"),
            ReportEntry("kernels", s.kernels),
            ReportEntry("train examples", "\(s.trainExamples) (longest \(s.longestExample) tokens)"),
            ReportEntry("validation examples", "\(s.validationExamples)"),
            ReportEntry("labels", s.labels.names.joined(separator: ", ")),
            ReportEntry("parameters", "\(s.parameterCount) (\(s.trainableParameterCount) trained)"),
            ReportEntry("steps", "\(s.totalSteps) (\(s.stepsPerEpoch) per epoch, warm-up \(s.warmupSteps))"),
            ReportEntry("max length", "\(s.maxLength)"),
        ]
        if let resumed = s.resumedFrom {
            entries.append(ReportEntry("resumed from", "\(resumed) at step \(s.startStep)"))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let json = try? encoder.encode(s.options), let members = try? JSONParser.parse(Array(json)).objectMembers
        else { return entries }
        for member in members {
            let kebab = member.key.reduce(into: "") { $0 += $1.isUppercase ? "-" + $1.lowercased() : String($1) }
            let value: String
            switch member.value {
            case .string(let text): value = text
            case .number(let literal): value = literal
            default: value = JSONWriter.line(member.value)
            }
            entries.append(ReportEntry("--" + kebab, value))
        }
        return entries
    }

    static func resources(_ s: RunSummary, peakMiB: Double?) -> [ReportEntry] {
        [ReportEntry("global batch", "\(s.options.batchSize) (\(s.perRankBatch) per rank at most)")]
    }

    /// `entries` with the peak-memory line replaced.
    static func resources(summary entries: [ReportEntry], peakMiB: Double, of whom: String) -> [ReportEntry] {
        entries.filter { !$0.name.hasPrefix("peak resident memory") }
            + [ReportEntry("peak resident memory (\(whom))", String(format: "%.0f MiB", peakMiB))]
    }
}
