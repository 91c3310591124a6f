import Foundation
import Testing
import TestSupport

@testable import Training

/// `evaluate` and `predict` default `--max-length` to the length the model was trained with,
/// saved as `model_max_length` in `tokenizer_config.json`, never beyond its positions.
@Suite struct TrainedLengthTests {
    @Test func theSavedLengthBoundedByThePositions() {
        #expect(TrainedLength.defaultMaxLength(saved: 64, positions: 512) == 64)
        // A model with fewer positions than the old fixed default of 128 (the reported bug).
        #expect(TrainedLength.defaultMaxLength(saved: nil, positions: 64) == 64)
        // Pretrained tokenizers often say 512, or a huge sentinel when unset.
        #expect(TrainedLength.defaultMaxLength(saved: 1_000_000_000_000_000_019, positions: 512) == 512)
    }

    @Test func writtenIntoTheTokenizerConfigKeepingTheRest() throws {
        let existing = Data(#"{"do_lower_case": true, "model_max_length": 512, "unk_token": "[UNK]"}"#.utf8)
        let text = TrainedLength.text(setting: 48, in: existing)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["model_max_length"] as? Int == 48)
        #expect(object["do_lower_case"] as? Bool == true)
        #expect(object["unk_token"] as? String == "[UNK]")
        // Without a file: an object holding just the length.
        #expect(TrainedLength.text(setting: 32, in: nil).contains(#""model_max_length": 32"#))
    }

    @Test func readBackFromADirectory() throws {
        let directory = try Fixtures.temporaryDirectory("trained-length")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(TrainedLength.saved(in: directory.path) == nil)
        try TrainedLength.text(setting: 40, in: nil)
            .write(toFile: directory.path + "/tokenizer_config.json", atomically: true, encoding: .utf8)
        #expect(TrainedLength.saved(in: directory.path) == 40)
        try #"{"model_max_length": "long"}"#
            .write(toFile: directory.path + "/tokenizer_config.json", atomically: true, encoding: .utf8)
        #expect(TrainedLength.saved(in: directory.path) == nil)
    }
}
