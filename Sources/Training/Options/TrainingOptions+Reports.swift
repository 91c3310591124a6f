import Foundation

/// Where a run's logging goes besides the console (`--report-to`).
public struct ReportDestinations: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// TensorBoard event files in `--logging-dir`.
    public static let tensorBoard = ReportDestinations(rawValue: 1)
    /// `metrics.jsonl`.
    public static let jsonLines = ReportDestinations(rawValue: 2)
    /// `report.html` (and `report-data.json`, to rebuild it).
    public static let html = ReportDestinations(rawValue: 4)
    public static let all: ReportDestinations = [.tensorBoard, .jsonLines, .html]

    /// The `--report-to` names.
    public static let names: [(String, ReportDestinations)] = [
        ("tensorboard", .tensorBoard), ("jsonl", .jsonLines), ("html", .html), ("all", .all), ("none", []),
    ]
}

extension TrainingOptions {
    /// `reportTo` read: a comma-separated list of `ReportDestinations.names`.
    public func reportDestinations() throws -> ReportDestinations {
        var destinations: ReportDestinations = []
        for item in reportTo.split(separator: ",", omittingEmptySubsequences: false) {
            let name = item.trimmingCharacters(in: .whitespaces)
            guard let entry = ReportDestinations.names.first(where: { $0.0 == name }) else {
                throw OptionError(
                    "--report-to \(reportTo): \"\(name)\" is not one of "
                        + ReportDestinations.names.map(\.0).joined(separator: ", ") + " (a comma-separated list)")
            }
            destinations.formUnion(entry.1)
        }
        return destinations
    }

    /// TensorBoard's directory: `--logging-dir`, else `OUTPUT/runs`.
    public var tensorBoardDirectory: String { loggingDir ?? output + "/runs" }
}
