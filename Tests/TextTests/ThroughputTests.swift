import Foundation
import Testing
import Text

/// Tokenizing all of SST-2 train (67,349 rows) must take well under 2 s in a release build.
/// Opt-in, because a debug build says nothing about speed:
///
///     DDP_TRAIN_BENCH=1 swift test -c release --filter TextTests.ThroughputTests
@Suite(
    "Throughput",
    .enabled(if: ProcessInfo.processInfo.environment["DDP_TRAIN_BENCH"] != nil, "set DDP_TRAIN_BENCH=1, release build"))
struct ThroughputTests {
    @Test("SST-2 train, max length 128")
    func sst2Train() throws {
        let model = try TestSupport.modelDirectory()
        var loaded: WordPieceTokenizer?
        let loading = try ContinuousClock().measure { loaded = try WordPieceTokenizer.load(directory: model) }
        print("loading \(model.path)/tokenizer.json: \(loading)")
        let tokenizer = try #require(loaded)
        let sentences = try TestSupport.sst2Sentences(
            try TestSupport.sst2Directory().appendingPathComponent("train.tsv"))
        #expect(sentences.count == 67_349)
        var best = Duration.seconds(1000)
        var tokens = 0
        for _ in 0..<3 {
            tokens = 0
            let elapsed = ContinuousClock().measure {
                for sentence in sentences { tokens += tokenizer.encode(sentence, maxLength: 128).count }
            }
            best = min(best, elapsed)
        }
        let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) * 1e-18
        print(
            "SST-2 train: \(sentences.count) rows, \(tokens) tokens in \(String(format: "%.3f", seconds)) s (best of 3)"
        )
        #if !DEBUG
            #expect(seconds < 2, "tokenizing SST-2 train took \(seconds) s")
        #endif
    }

    @Test("non-ASCII text: the edge cases that have any, many times")
    func nonASCII() throws {
        let tokenizer = try TestSupport.modelTokenizer()
        let texts = try TestSupport.fixture("edge-cases.json", as: EdgeCaseFixture.self).cases.map(\.text)
            .filter { $0.unicodeScalars.contains { !$0.isASCII } }
        let scalars = texts.reduce(0) { $0 + $1.unicodeScalars.count }
        let repeats = 200
        var best = Duration.seconds(1000)
        for _ in 0..<3 {
            let elapsed = ContinuousClock().measure {
                for _ in 0..<repeats { for text in texts { _ = tokenizer.encode(text) } }
            }
            best = min(best, elapsed)
        }
        let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) * 1e-18
        print(
            "non-ASCII edge cases: \(scalars * repeats) scalars in \(String(format: "%.3f", seconds)) s, "
                + "\(String(format: "%.1f", Double(scalars * repeats) / seconds / 1e6)) M scalars/s")
    }
}
