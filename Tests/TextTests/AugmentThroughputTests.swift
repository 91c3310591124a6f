import Foundation
import Testing
import Text

/// Augmenting SST-2 train (67,349 short sentences) with every operation on must run at well
/// over ten thousand sentences a second in a release build, so that augmenting each batch costs
/// nothing next to a training step. Opt-in, because a debug build says nothing about speed:
///
///     DDP_TRAIN_BENCH=1 swift test -c release --filter TextTests.AugmentThroughputTests
@Suite(
    "Augmentation throughput",
    .enabled(if: ProcessInfo.processInfo.environment["DDP_TRAIN_BENCH"] != nil, "set DDP_TRAIN_BENCH=1, release build"))
struct AugmentThroughputTests {
    @Test("SST-2 train, all four operations at 0.1")
    func sst2Train() throws {
        let sentences = try TestSupport.sst2Sentences(
            try TestSupport.sst2Directory().appendingPathComponent("train.tsv"))
        let augmenter = AugmentTestSupport.augmenter(
            AugmentationOptions(
                deletionProbability: 0.1, swapRate: 0.1, insertionRate: 0.1, wordDropoutProbability: 0.1,
                wordDropoutToken: "[MASK]"))
        var best = Duration.seconds(1000)
        var bytes = 0
        for epoch in 0..<3 {
            bytes = 0
            let elapsed = ContinuousClock().measure {
                for (i, sentence) in sentences.enumerated() {
                    bytes += augmenter.augment(sentence, seed: 42, epoch: epoch, example: i).utf8.count
                }
            }
            best = min(best, elapsed)
        }
        let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) * 1e-18
        let rate = Double(sentences.count) / seconds
        print(
            "augmenting SST-2 train: \(sentences.count) sentences (\(bytes) bytes out) in "
                + "\(String(format: "%.3f", seconds)) s (best of 3), \(String(format: "%.0f", rate)) sentences/s")
        #if !DEBUG
            #expect(rate > 100_000, "augmenting ran at \(rate) sentences/s")
        #endif
    }
}
