/// What a task adds to the HTML report (`FineTuningTask.reportCurves` and the sections of its
/// `EvaluationReport`), and what the trainer saves beside `metrics.jsonl` in
/// `report-data.json` so that `ddp-train report OUTPUT` can rebuild the page.

/// A chart of metrics over steps: one line per key of the evaluation (or training) records.
public struct ReportCurve: Codable, Equatable, Sendable {
    public var title: String
    /// Metrics-record keys, e.g. `["eval_accuracy", "eval_macro_f1"]`.
    public var keys: [String]

    public init(title: String, keys: [String]) {
        self.title = title
        self.keys = keys
    }
}

/// A task's view of its last evaluation, drawn as it is (not over steps).
public enum ReportSection: Codable, Equatable, Sendable {
    /// `counts[truth * labels.count + predicted]`, drawn as a heat map (rows: truth).
    case confusionMatrix(title: String, labels: [String], counts: [Int])
    /// A table of text cells.
    case table(title: String, columns: [String], rows: [[String]])
    /// Points `(x[i], y[i])` with the line y = x, e.g. predicted against gold values.
    case scatter(title: String, xLabel: String, yLabel: String, x: [Double], y: [Double])

    public var title: String {
        switch self {
        case .confusionMatrix(let title, _, _), .table(let title, _, _), .scatter(let title, _, _, _, _):
            return title
        }
    }
}

/// One name and value of the report's tables (configuration, resources).
public struct ReportEntry: Codable, Equatable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// Everything the report shows besides the metrics records: saved as `report-data.json`.
public struct ReportData: Codable, Equatable, Sendable {
    /// The page's heading, e.g. "classification: all-MiniLM-L6-v2 → runs/demo".
    public var title: String
    /// The resolved options and the numbers derived from them.
    public var configuration: [ReportEntry]
    /// The task's evaluation charts over steps (evaluation loss is always drawn).
    public var curves: [ReportCurve]
    /// The task's sections at the last evaluation, and its step.
    public var sections: [ReportSection]
    public var sectionsStep: Int?
    /// Throughput, bytes reduced, peak memory.
    public var resources: [ReportEntry]
    /// Whether the run has ended (false while it trains).
    public var finished: Bool

    public init(
        title: String, configuration: [ReportEntry] = [], curves: [ReportCurve] = [], sections: [ReportSection] = [],
        sectionsStep: Int? = nil, resources: [ReportEntry] = [], finished: Bool = false
    ) {
        self.title = title
        self.configuration = configuration
        self.curves = curves
        self.sections = sections
        self.sectionsStep = sectionsStep
        self.resources = resources
        self.finished = finished
    }
}
