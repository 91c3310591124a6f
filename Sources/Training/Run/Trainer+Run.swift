import Foundation
import Model
import Parallel
import Reports

extension Trainer {
    /// Trains to the last step (or until a stop is agreed), evaluating, logging and
    /// checkpointing on the way; writes the final model.
    public func run() throws -> RunResult {
        if isRoot {
            try FileManager.default.createDirectory(atPath: options.output, withIntermediateDirectories: true)
            if try options.reportDestinations().contains(.jsonLines) {
                metricsLog = try MetricsLog(
                    path: options.output + "/metrics.jsonl",
                    keepingRecordsUpTo: resumedFrom == nil ? nil : state.globalStep)
            }
            let summary = summary()
            emit(.started(summary))
            // Rank 0 only, after logging and evaluation, never inside the step (RunReports).
            reports = try RunReports(
                options: options, task: task, summary: summary, history: state.logHistory,
                notify: { [emit] in emit(.notice($0)) })
        }
        SignalFlags.install()
        let started = monotonicSeconds()
        let firstStep = state.globalStep
        var window = LogWindow(start: monotonicSeconds(), step: state.globalStep)
        var epochPlan: EpochPlan?
        var stopReason: String?
        var lastEvaluation: MetricsRecord?
        var lastCheckpointStep = -1
        var paused = false
        if let pause = pauseAtStep, state.globalStep >= pause, state.globalStep < totalSteps {
            // Resumed from the rung's own checkpoint (it was stopped there by a signal).
            stopReason = "paused at step \(state.globalStep)"
            paused = true
        }

        while state.globalStep < totalSteps && stopReason == nil {
            let globalStep = state.globalStep
            CollectiveWatch.shared.setStep(globalStep + 1)
            try traceStepBegins(globalStep + 1)
            updateWhatTrains(atStep: globalStep)
            let (epoch, step) = plan.position(ofGlobalStep: globalStep)
            if epochPlan?.epoch != epoch { epochPlan = plan.epoch(epoch) }
            let globalBatch = epochPlan!.globalBatch(step)
            let learningRate = options.learningRate * schedule.multiplier(step: globalStep)
            let shares = microBatches(of: globalBatch)
            let stepBegins = monotonicSeconds()
            if FaultInjection.slowRank == communicator.rank { usleep(200_000) }
            let result = try engine.step(
                microBatches: shares, examples: trainExamples, epoch: epoch,
                globalLossUnits: globalBatch.reduce(0) { $0 + trainSet.lossUnits($1) },
                dropout: DropoutKey(seed: UInt64(options.seed), step: UInt64(globalStep)),
                learningRate: Float(learningRate), maxGradNorm: Float(options.maxGradNorm))
            window.add(
                result, seconds: monotonicSeconds() - stepBegins, samples: shares.reduce(0) { $0 + $1.count },
                reducedBytes: engine.reducedElementCount * MemoryLayout<Float>.stride)
            if !result.applied && isRoot {
                emit(
                    .notice(
                        "step \(globalStep + 1): gradient norm is \(result.gradientNorm); update skipped on every rank")
                )
            }
            state.globalStep += 1
            state.epoch = Double(state.globalStep) / Double(plan.batchesPerEpoch)
            let completed = state.globalStep
            if isRoot {
                emit(
                    .progress(
                        step: completed, totalSteps: totalSteps, epoch: state.epoch,
                        samplesPerSecond: Double((completed - window.step) * options.batchSize)
                            / max(monotonicSeconds() - window.start, 1e-9)))
            }
            if completed % options.loggingSteps == 0 || completed == totalSteps {
                try logTraining(&window, learningRate: learningRate, gradientNorm: result.gradientNorm)
            }

            var flags = ControlFlags()
            let endOfEpoch = completed % plan.batchesPerEpoch == 0
            var improved = false
            // Every rank computes the same `pauses`: no agreement needed.
            let pauses = pauseAtStep == completed && completed < totalSteps
            let scheduled = options.evalSteps > 0 ? completed % options.evalSteps == 0 : endOfEpoch
            if validationSet != nil && completed < totalSteps && pauses && !scheduled {
                // The rung's metric; not tracked as best, so best and patience stay the uninterrupted run's.
                lastEvaluation = try traced("evaluation") { try evaluate(tracksBest: false).record }
            }
            if validationSet != nil && completed < totalSteps && scheduled {
                let (record, better) = try traced("evaluation") { try evaluate() }
                lastEvaluation = record
                improved = better
                // Early stopping is decided once, on rank 0, and agreed below.
                if isRoot && options.earlyStoppingPatience > 0
                    && state.evaluationsWithoutImprovement >= options.earlyStoppingPatience
                {
                    flags.earlyStop = true
                }
            }
            SignalFlags.apply(to: &flags)
            if FaultInjection.stopAtStep == completed { flags.stop = true }
            flags = try communicator.agree(flags)

            if options.checksumSteps > 0 && completed % options.checksumSteps == 0 {
                try verifyReplicas()
            }
            if flags.stop { stopReason = "stop requested (SIGUSR1) at step \(completed); resume with --resume auto" }
            if flags.earlyStop {
                stopReason =
                    "early stopping at step \(completed): \(options.bestMetricKey) did not improve in "
                    + "\(options.earlyStoppingPatience) evaluations"
            }
            if pauses && stopReason == nil {
                stopReason = "paused at step \(completed)"
                paused = true
            }
            let wantsSave =
                (options.saveSteps > 0 && completed % options.saveSteps == 0) || flags.save || flags.stop || pauses
                || (improved && (options.loadBestModelAtEnd || options.earlyStoppingPatience > 0))
            if wantsSave && completed < totalSteps {
                try traced("checkpoint") { try saveCheckpoint() }
                lastCheckpointStep = completed
            }
            try traceStepEnds(completed, last: stopReason != nil || completed == totalSteps)
            if let stopReason {
                if isRoot { emit(.stopping(stopReason)) }
                break
            }
        }

        // Everything after the loop reads whole parameters (evaluation, checkpoint, final model).
        engine.applyDeferredUpdates()
        let trainingSeconds = monotonicSeconds() - started
        let preempted = stopReason != nil && !stopReason!.hasPrefix("early stopping")
        var finalModel = ""
        if !preempted {
            if validationSet != nil && lastEvaluation?.step != state.globalStep {
                lastEvaluation = try evaluate().record
            }
            try verifyReplicas()
            if lastCheckpointStep != state.globalStep { try saveCheckpoint() }
            if options.loadBestModelAtEnd, let best = state.bestModelCheckpoint,
                best != Checkpoints.path(output: options.output, step: state.globalStep)
            {
                try loadBestModel(best)
                lastEvaluation = try evaluate(tracksBest: false).record
            }
            let completion = try completeTraining()
            if let completion, options.validation != nil {
                lastEvaluation = try evaluate(with: completion.task)
            }
            finalModel = try communicator.agreeing { isRoot ? try writeFinalModel(adding: completion) : "" }
        }
        let seconds = monotonicSeconds() - started
        let peak = try communicator.allreduce(peakResidentMiB(), operation: .max)
        let stepsRun = state.globalStep - firstStep
        let result = RunResult(
            output: options.output, finalModel: finalModel, steps: state.globalStep, stepsRun: stepsRun,
            seconds: seconds, trainingSeconds: trainingSeconds,
            samplesPerSecond: Double(stepsRun * options.batchSize) / max(trainingSeconds, 1e-9),
            finalEvaluation: lastEvaluation, bestCheckpoint: state.bestModelCheckpoint, stoppedEarly: stopReason,
            preempted: preempted, paused: paused,
            peakResidentMiB: peak, reducedBytesPerStep: engine.reducedElementCount * MemoryLayout<Float>.stride)
        if isRoot {
            emit(.finished(result))
            reports?.finished(result)
        }
        return result
    }

    /// Applies the fine-tuning plan for `step`: when what trains changes (gradual
    /// unfreezing), every rank changes at this same step — the plan is a function of it.
    func updateWhatTrains(atStep step: Int) {
        let wanted = fineTuning.trainable(atStep: step)
        guard wanted != engine.trainable else { return }
        engine.setTrainable(wanted)
        if isRoot {
            let layers = wanted.layers.enumerated().filter(\.element).map { String($0.offset) }
            emit(
                .notice(
                    "step \(step + 1): training head, pooler, layers [\(layers.joined(separator: ", "))]"
                        + (wanted.embeddings ? " and embeddings" : "")
                        + " (\(engine.reducedElementCount) parameters reduced per step)"))
        }
    }

    /// This rank's share of each micro-batch of a global batch, dealt by tokens.
    func microBatches(of globalBatch: ArraySlice<Int>) -> [ArraySlice<Int>] {
        BatchPlan.balancedMicroBatches(
            globalBatch, accumulationSteps: options.gradientAccumulationSteps, rank: communicator.rank,
            worldSize: communicator.size, cost: trainSet.length)
    }

    /// One training record: mean loss over the window's loss units on all ranks, learning
    /// rate (per group when the rates differ by layer), gradient norm, throughput, and each
    /// rank's step-time breakdown and memory (`RankMetrics`, gathered to rank 0).
    func logTraining(_ window: inout LogWindow, learningRate: Double, gradientNorm: Double) throws {
        var sums = [window.lossSum, Double(window.lossUnits), Double(window.samples)]
        try sums.withUnsafeMutableBufferPointer { try communicator.allreduce($0, operation: .sum) }
        let elapsed = monotonicSeconds() - window.start
        var values: [String: Double] = [
            "step": Double(state.globalStep), "epoch": state.epoch, "loss": sums[0] / max(sums[1], 1),
            "learning_rate": learningRate, "grad_norm": gradientNorm,
            "samples_per_second": sums[2] / max(elapsed, 1e-9),
            "reduced_bytes_per_step": Double(engine.reducedElementCount * MemoryLayout<Float>.stride),
        ]
        if options.layerLrDecay != 1 {
            values["learning_rate_embeddings"] = learningRate * Double(fineTuning.learningRateScale(.embeddings))
            for l in 0..<model.layerCount {
                values["learning_rate_layer_\(l)"] = learningRate * Double(fineTuning.learningRateScale(.layer(l)))
            }
        }
        values.merge(try gatheredRankMetrics(window, elapsed: elapsed)) { mine, _ in mine }
        if isRoot,
            let slow = Straggler.find(in: values, ranks: communicator.size, threshold: options.stragglerThreshold)
        {
            values[Straggler.rankKey] = Double(slow.rank)
            values[Straggler.lagKey] = slow.lag
            emit(
                .notice(
                    String(
                        format: "step %d: rank %d is the slowest, %.3f s of compute per step, %.3f s (%.0f %%) above "
                            + "the median; the other ranks wait for it", state.globalStep, slow.rank, slow.seconds,
                        slow.lag, 100 * slow.lag / slow.median)))
        }
        log(MetricsRecord(values))
        window = LogWindow(start: monotonicSeconds(), step: state.globalStep)
    }

    func log(_ record: MetricsRecord) {
        state.logHistory.append(record.withoutRankMetrics)
        guard isRoot else { return }
        metricsLog?.append(record)
        reports?.logged(record)
        if !record.isEvaluation { emit(.logged(record)) }
    }

    /// Evaluates on the validation set (every rank takes part) and logs it; tracks the best
    /// value of the chosen metric and the early-stopping count. Returns whether it improved.
    func evaluate(tracksBest: Bool = true) throws -> (record: MetricsRecord, improved: Bool) {
        engine.applyDeferredUpdates()
        let evaluator = Evaluator(
            model: model, communicator: communicator, task: task, labels: labels,
            batch: engine.batch, targets: engine.targets, globalBatchSize: options.evalBatchSize)
        let record = logEvaluation(try evaluator.evaluate(validationSet!))
        guard tracksBest, let value = record[options.bestMetricKey] else { return (record, false) }
        let increases = options.bestMetricIncreases
        let improved = state.bestMetric.map { increases ? value > $0 : value < $0 } ?? true
        if improved {
            state.bestMetric = value
            state.bestModelCheckpoint = Checkpoints.path(output: options.output, step: state.globalStep)
        }
        // Early stopping counts only improvements beyond the threshold (as the HF callback).
        let significant =
            state.bestMetric == value
            && (state.previousBestForPatience.map {
                increases ? value - $0 > options.earlyStoppingThreshold : $0 - value > options.earlyStoppingThreshold
            } ?? true)
        if significant {
            state.previousBestForPatience = value
            state.evaluationsWithoutImprovement = 0
        } else {
            state.evaluationsWithoutImprovement += 1
        }
        return (record, improved)
    }

    /// Logs an evaluation at the current step (metrics, console, reports) and returns its record.
    func logEvaluation(_ report: EvaluationReport) -> MetricsRecord {
        let record = report.record(step: state.globalStep, epoch: state.epoch)
        log(record)
        if isRoot {
            emit(.evaluated(record, report))
            reports?.evaluated(report, step: state.globalStep)
        }
        return record
    }

    /// Stops every rank with a clear message if the replicas' parameters differ.
    func verifyReplicas() throws {
        engine.applyDeferredUpdates()
        let report = try communicator.verifyReplicas(UnsafeBufferPointer(model.parameters.buffer))
        guard report.identical else {
            throw ReplicaDivergence(
                "after step \(state.globalStep) the parameters of rank(s) \(report.differingRanks) differ from the "
                    + "others (\(report)); the replicas have diverged — check that every rank runs the same binary "
                    + "and data"
            )
        }
    }

    func summary() -> RunSummary {
        let kernels = KernelReport.current()
        return RunSummary(
            options: options, maxLength: maxLength, worldSize: communicator.size, threadsPerRank: model.pool.threads,
            threadSource: options.threads != nil ? "--threads" : threadPlan.source, kernels: kernels.summary,
            kernelWarnings: kernels.warnings,
            trainExamples: trainSet.count, validationExamples: validationSet?.count ?? 0, labels: labels,
            parameterCount: model.parameters.count, trainableParameterCount: engine.trainedElementCount,
            stepsPerEpoch: plan.batchesPerEpoch, totalSteps: totalSteps, warmupSteps: schedule.warmupSteps,
            perRankBatch: BatchPlan.largestShare(of: options.batchSize, parts: communicator.size),
            longestExample: trainSet.longest,
            meanTokensPerExample: Double(trainSet.ids.count) / Double(max(trainSet.count, 1)),
            resumedFrom: resumedFrom, startStep: state.globalStep)
    }
}
