import Foundation

/// The pretrained all-MiniLM-L6-v2 directory that set-up installs (tools/setup.sh), found by
/// the same rule as `DefaultPaths.pretrainedModel` in Sources/Training (TrainingTests checks
/// that the two agree): `$DDP_TRAIN_MODEL`, else
/// `${XDG_CACHE_HOME:-$HOME/.cache}/ddp-train/all-MiniLM-L6-v2`. Written out here so that
/// ModelTests and TextTests need not depend on the Training module.
public enum PretrainedModel {
    /// What a Hugging Face model directory holds that the tests read.
    public static let files = ["config.json", "model.safetensors", "tokenizer.json"]

    /// Where the model is looked for under `environment`; empty variables count as unset.
    public static func path(environment: [String: String]) -> String {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let explicit = value("DDP_TRAIN_MODEL") { return explicit }
        let cache = value("XDG_CACHE_HOME") ?? (value("HOME") ?? NSHomeDirectory()) + "/.cache"
        return cache + "/ddp-train/all-MiniLM-L6-v2"
    }

    /// The model directory, or `FixtureMissing` when it lacks any of `files`.
    public static func directory() throws -> URL {
        let path = path(environment: ProcessInfo.processInfo.environment)
        let absent = files.filter { !FileManager.default.fileExists(atPath: path + "/" + $0) }
        guard absent.isEmpty else {
            throw FixtureMissing(
                "pretrained all-MiniLM-L6-v2 (\(absent.joined(separator: ", ")))", at: path,
                remedy: "run tools/setup.sh, or set DDP_TRAIN_MODEL to a directory with "
                    + files.joined(separator: ", "))
        }
        return URL(fileURLWithPath: path)
    }
}
