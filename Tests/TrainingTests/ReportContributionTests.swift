import Foundation
import Reports
import Testing

@testable import Training

/// What each task adds to the HTML report, and `--report-to`.
@Suite struct ReportContributionTests {
    /// Every curve a task asks for draws values its evaluation reports.
    static func expectCurvesDrawn(_ task: any FineTuningTask, _ report: EvaluationReport) {
        #expect(!task.reportCurves.isEmpty, "\(task.name) draws no evaluation curve")
        for key in task.reportCurves.flatMap(\.keys) {
            #expect(report.values[key] != nil, "\(task.name): curve key \(key) is not in its evaluation")
        }
    }

    @Test func classificationShowsAConfusionMatrixAndPerClassTable() {
        let labels = LabelSet(names: ["negative", "positive"])
        let accumulator = ClassificationAccumulator(metrics: ClassificationMetrics(classes: 2), labels: labels)
        let report = accumulator.report(sums: [3, 1, 0, 4], lossSum: 2)
        Self.expectCurvesDrawn(ClassificationTask(), report)
        #expect(
            report.sections.first
                == .confusionMatrix(title: "Confusion matrix", labels: labels.names, counts: [3, 1, 0, 4]))
        guard case .table(_, _, let rows) = report.sections.last else {
            Issue.record("no per-class table")
            return
        }
        #expect(rows.map(\.first) == ["negative", "positive"])
        #expect(rows[0].last == "4")
    }

    @Test func tokenClassificationShowsTheEntityTable() {
        let metrics = EntityMetrics(tagNames: ["O", "B-PER", "I-PER"])
        let report = EntityAccumulator(metrics: metrics).report(sums: [2, 3, 4, 9, 10], lossSum: 1)
        Self.expectCurvesDrawn(TokenClassificationTask(), report)
        guard case .table(_, _, let rows) = report.sections.first else {
            Issue.record("no entity table")
            return
        }
        #expect(rows.map(\.first) == ["PER", "all (micro)"])
        #expect(rows[0].last == "4")
    }

    @Test func regressionShowsPredictedAgainstGold() {
        let accumulator = RegressionAccumulator(predictions: [0, 0, 0], truth: [1, 2, 3])
        let report = accumulator.report(sums: [1.5, 2, 2.5], lossSum: 0)
        Self.expectCurvesDrawn(RegressionTask(), report)
        guard case .scatter(_, _, _, let x, let y) = report.sections.first else {
            Issue.record("no scatter plot")
            return
        }
        #expect(x == [1, 2, 3] && y == [1.5, 2, 2.5])
    }

    @Test func causalLanguageModellingDrawsPerplexity() {
        let report = PerplexityAccumulator().report(sums: [10], lossSum: 5)
        Self.expectCurvesDrawn(CausalLMTask(), report)
        #expect(CausalLMTask().reportCurves.map(\.title) == ["Perplexity"])
    }

    @Test func reportToIsACommaSeparatedList() throws {
        var options = TrainingOptions()
        #expect(try options.reportDestinations() == .all)
        options.reportTo = "tensorboard,html"
        #expect(try options.reportDestinations() == [.tensorBoard, .html])
        options.reportTo = "none"
        #expect(try options.reportDestinations() == [])
        options.reportTo = "wandb"
        #expect(throws: OptionError.self) { try options.reportDestinations() }
        options.output = "out"
        #expect(options.tensorBoardDirectory == "out/runs")
        options.loggingDir = "tb"
        #expect(options.tensorBoardDirectory == "tb")
    }
}
