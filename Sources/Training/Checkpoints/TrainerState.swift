import Foundation

/// `trainer_state.json`: where a run stands, enough to continue it exactly. Field names
/// follow the Hugging Face Trainer's file where one exists.
///
/// No random-generator state is stored: the sample order is a function of (seed, epoch)
/// and dropout masks of (seed, step, sample), so the step count is the whole cursor.
public struct TrainerState: Codable, Equatable, Sendable {
    /// Optimizer steps completed.
    public var globalStep: Int
    /// Epochs completed, fractional (global step ÷ steps per epoch).
    public var epoch: Double
    /// Total optimizer steps the run was planned for.
    public var maxSteps: Int
    /// Global batch size (it must not change on resume: it defines the sample stream).
    public var trainBatchSize: Int
    public var seed: Int
    /// Ranks of the run that wrote this state (a resume may use another number).
    public var worldSize: Int
    /// AdamW step counts per parameter group (`embeddings`, `layer.3`, `pooler`, `head`).
    public var optimizerSteps: [String: Int]
    /// The best validation value so far of `metricForBestModel`, and the checkpoint with it.
    public var bestMetric: Double?
    public var bestModelCheckpoint: String?
    public var metricForBestModel: String?
    /// Evaluations without improvement so far (early stopping), and the value the last
    /// counted improvement reached (improvements smaller than the threshold do not count).
    public var evaluationsWithoutImprovement: Int = 0
    public var previousBestForPatience: Double?
    /// Every logged and evaluated record so far.
    public var logHistory: [MetricsRecord] = []

    public static let fileName = "trainer_state.json"

    enum CodingKeys: String, CodingKey {
        case globalStep = "global_step", epoch, maxSteps = "max_steps", trainBatchSize = "train_batch_size", seed
        case worldSize = "world_size", optimizerSteps = "optimizer_steps", bestMetric = "best_metric"
        case bestModelCheckpoint = "best_model_checkpoint", metricForBestModel = "metric_for_best_model"
        case evaluationsWithoutImprovement = "evaluations_without_improvement", logHistory = "log_history"
        case previousBestForPatience = "previous_best_for_patience"
    }

    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    public static func read(from directory: String) throws -> TrainerState {
        let path = directory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else { throw CheckpointError("\(path): missing") }
        do {
            return try JSONDecoder().decode(TrainerState.self, from: data)
        } catch {
            throw CheckpointError("\(path): not a valid trainer state (\(error))")
        }
    }
}
