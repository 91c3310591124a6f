import Foundation
import TestSupport
import Training
@testable import ddp_train

/// The train command's parser applied to `arguments`, from the defaults.
func parseTrain(_ arguments: [String]) throws -> TrainingOptions {
    var options = TrainingOptions()
    try TrainCommand.parser.parse(arguments, into: &options)
    return options
}

/// The usage error `arguments` give the train parser; nil when they parse. Any other error
/// is returned as its description prefixed with its type, so that a test expecting a usage
/// error sees the difference.
func trainError(_ arguments: [String]) -> String? {
    do {
        _ = try parseTrain(arguments)
        return nil
    } catch let error as UsageError {
        return error.description
    } catch {
        return "\(type(of: error)): \(error)"
    }
}

/// Writes `text` to a new `config.json` and returns its path.
func configFile(_ text: String) throws -> String {
    let url = try Fixtures.temporaryDirectory("command-line-tests").appendingPathComponent("config.json")
    try Data(text.utf8).write(to: url)
    return url.path
}
