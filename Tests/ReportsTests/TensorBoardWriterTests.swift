import Foundation
import Testing

@testable import Reports

@Suite struct TensorBoardWriterTests {
    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "tb-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func tagsFollowTheHuggingFaceCallback() {
        #expect(TensorBoardTags.tag(for: "loss", evaluation: false) == "train/loss")
        #expect(TensorBoardTags.tag(for: "grad_norm", evaluation: false) == "train/grad_norm")
        #expect(TensorBoardTags.tag(for: "eval_accuracy", evaluation: true) == "eval/accuracy")
        #expect(TensorBoardTags.tag(for: "perplexity", evaluation: true) == "eval/perplexity")
        #expect(TensorBoardTags.tag(for: "epoch", evaluation: true) == "train/epoch")
        #expect(TensorBoardTags.tag(for: "step", evaluation: false) == nil)
    }

    @Test func writesWhatItsReaderDecodes() throws {
        let directory = Self.temporaryDirectory()
        let writer = try TensorBoardWriter(directory: directory + "/runs", host: "node1", wallTime: 1_700_000_000.5)
        #expect(writer.path == directory + "/runs/events.out.tfevents.1700000000.node1")
        try writer.add(record: ["step": 50, "loss": 0.5, "learning_rate": 4e-5, "grad_norm": 1.25], wallTime: 1)
        try writer.add(record: ["step": 100, "epoch": 1, "eval_loss": 0.25, "eval_accuracy": 0.875], wallTime: 2)
        let bytes = [UInt8](FileManager.default.contents(atPath: writer.path)!)
        let events = EventFileReader.records(bytes).map(EventFileReader.event)
        #expect(events.count == 3)
        #expect(events[0].fileVersion == "brain.Event:2")
        #expect(events[0].wallTime == 1_700_000_000.5)
        #expect(
            events[1]
                == .init(
                    wallTime: 1, step: 50,
                    scalars: [
                        "train/loss": 0.5, "train/learning_rate": 4e-5, "train/grad_norm": 1.25,
                    ]))
        #expect(
            events[2]
                == .init(
                    wallTime: 2, step: 100,
                    scalars: [
                        "train/epoch": 1, "eval/loss": 0.25, "eval/accuracy": 0.875,
                    ]))

        // A crash mid-record: the whole events before it still read.
        let torn = Array(bytes.dropLast(7))
        #expect(EventFileReader.records(torn).count == 2)
        // A flipped byte in the data fails its CRC.
        var corrupt = bytes
        corrupt[corrupt.count - 10] ^= 0xFF
        #expect(EventFileReader.records(corrupt).count == 2)
    }

    @Test func unwritableDirectoryThrows() {
        #expect(throws: (any Error).self) {
            _ = try TensorBoardWriter(directory: "/proc/no-such-dir/runs", host: "h")
        }
    }
}
