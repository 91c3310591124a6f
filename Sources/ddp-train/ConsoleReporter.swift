import Foundation
import Training

/// Shows training events on rank 0: the resolved configuration first, then a progress bar
/// or plain log lines, as `ProgressStyle.choose` decides.
final class ConsoleReporter {
    let interactive: Bool
    private var barShown = false

    init(progress: ProgressStyle) {
        interactive = progress == .bar
    }

    func handle(_ event: TrainingEvent) {
        switch event {
        case .started(let s):
            clearBar()
            print(Self.describe(s))
        case .notice(let text):
            line("note: " + text)
        case .progress(let step, let total, let epoch, let rate):
            guard interactive else { return }
            let width = 30
            let filled = total == 0 ? width : width * step / total
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            FileHandle.standardOutput.write(
                Data(String(format: "\r%@ %d/%d  epoch %.2f  %.1f samples/s ", bar, step, total, epoch, rate).utf8))
            barShown = true
        case .logged(let r):
            line(
                String(
                    format: "step %d  epoch %.2f  loss %.4f  lr %.3e  grad-norm %.3f  %.1f samples/s",
                    r.step, r["epoch"] ?? 0, r["loss"] ?? 0, r["learning_rate"] ?? 0, r["grad_norm"] ?? 0,
                    r["samples_per_second"] ?? 0))
        case .evaluated(let r, let report):
            line("eval @ step \(r.step): " + report.lines.joined(separator: "\n"))
        case .checkpointSaved(let path):
            line("saved checkpoint " + path)
        case .stopping(let reason):
            line("stopping: " + reason)
        case .finished(let result):
            var text =
                "done: \(result.steps) steps"
                + (result.stepsRun == result.steps ? "" : " (\(result.stepsRun) since resuming)")
            text += String(
                format: " in %.1f s (%.1f samples/s; %.1f s more for the final evaluation and files), "
                    + "peak memory %.0f MiB per rank, %.1f MB reduced per step",
                result.trainingSeconds, result.samplesPerSecond, max(0, result.seconds - result.trainingSeconds),
                result.peakResidentMiB, Double(result.reducedBytesPerStep) / 1e6)
            if let e = result.finalEvaluation {
                let headline = [
                    "eval_accuracy": "validation accuracy", "eval_overall_f1": "validation entity F1",
                    "eval_micro_f1": "validation micro-F1", "eval_pearson": "validation Pearson",
                ]
                for (key, name) in headline.sorted(by: { $0.key < $1.key }) {
                    if let value = e[key] { text += String(format: "; %@ %.4f", name, value) }
                }
                text += String(format: ", loss %.4f", e["eval_loss"] ?? .nan)
            }
            if !result.finalModel.isEmpty { text += "\nfinal model (Hugging Face format): \(result.finalModel)" }
            text += "\nmetrics: \(result.output)/metrics.jsonl"
            if let best = result.bestCheckpoint { text += "\nbest checkpoint: \(best)" }
            line(text)
        }
    }

    private func clearBar() {
        if barShown {
            FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
            barShown = false
        }
    }

    private func line(_ text: String) {
        clearBar()
        print(text)
        fflush(nil)
    }

    static func describe(_ s: RunSummary) -> String {
        let o = s.options
        var lines = ["ddp-train: fine-tuning \(o.model)"]
        lines.append(
            "  ranks \(s.worldSize) × \(s.threadsPerRank) thread\(s.threadsPerRank == 1 ? "" : "s") (\(s.threadSource))"
        )
        lines.append("  kernels \(s.kernels)")
        lines += s.kernelWarnings.map { "  warning: \($0)" }
        lines.append(
            "  train \(o.train ?? "-") (\(s.trainExamples) examples, "
                + "\(String(format: "%.1f", s.meanTokensPerExample)) tokens on average, longest \(s.longestExample))"
        )
        if let v = o.validation { lines.append("  validation \(v) (\(s.validationExamples) examples)") }
        lines.append("  task \(o.task)" + (s.labels.count > 0 ? ", labels \(s.labels)" : ""))
        lines.append("  parameters \(s.parameterCount) (\(s.trainableParameterCount) trained)")
        lines.append(
            "  global batch \(o.batchSize) (\(s.perRankBatch) per rank at most), \(s.stepsPerEpoch) steps per epoch, "
                + "\(s.totalSteps) steps in all, warm-up \(s.warmupSteps)"
        )
        lines.append(
            "  learning rate \(o.learningRate) (\(o.lrScheduler)), weight decay \(o.weightDecay), clip "
                + "\(o.maxGradNorm), max length \(s.maxLength), seed \(o.seed)"
        )
        lines.append("  output \(o.output)")
        if let r = s.resumedFrom { lines.append("  resumed from \(r) at step \(s.startStep)") }
        return lines.joined(separator: "\n")
    }
}
