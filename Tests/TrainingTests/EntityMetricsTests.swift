import Foundation
import Testing
import Text
@testable import Training

/// Entity extraction and entity-level metrics against seqeval 1.2.2 in its default mode
/// (Tests/Fixtures/tasks/entities.json).
@Suite struct EntityMetricsTests {
    struct Fixture: Decodable {
        struct Entity: Decodable, Equatable {
            var type: String
            var start: Int
            var end: Int
            init(from decoder: Decoder) throws {
                var tuple = try decoder.unkeyedContainer()
                type = try tuple.decode(String.self)
                start = try tuple.decode(Int.self)
                end = try tuple.decode(Int.self)
            }
        }
        struct TypeScores: Decodable {
            var precision: Double
            var recall: Double
            var f1: Double
            var support: Int
        }
        struct Case: Decodable {
            var name: String
            var gold: [[String]]
            var predicted: [[String]]
            var goldEntities: [[Entity]]
            var predictedEntities: [[Entity]]
            var types: [String: TypeScores]
            var micro: PRF
            var macro: PRF
            var accuracy: Double?
        }
        var command: String
        var cases: [Case]
    }

    static let fixture = Result<Fixture, any Error> { try TaskFixtures.load("entities.json", as: Fixture.self) }

    static func spans(_ entities: [Fixture.Entity]) -> [EntitySpan] {
        entities.map { EntitySpan(type: $0.type, start: $0.start, end: $0.end) }
    }

    static func metrics(_ c: Fixture.Case, sentences: Range<Int>? = nil) -> EntityMetrics {
        let tagNames = Set(c.gold.joined()).union(c.predicted.joined()).sorted()
        var metrics = EntityMetrics(tagNames: tagNames)
        for s in sentences ?? c.gold.indices { metrics.record(gold: c.gold[s], predicted: c.predicted[s]) }
        return metrics
    }

    @Test func extractionMatchesSeqeval() throws {
        let cases = try Self.fixture.get().cases
        #expect(cases.count == 17)
        for c in cases {
            for (s, tags) in c.gold.enumerated() {
                #expect(
                    EntitySpans.extract(tags) == Self.spans(c.goldEntities[s]), "\(c.name): gold sentence \(s) \(tags)")
            }
            for (s, tags) in c.predicted.enumerated() {
                #expect(
                    EntitySpans.extract(tags) == Self.spans(c.predictedEntities[s]),
                    "\(c.name): predicted sentence \(s) \(tags)")
            }
        }
    }

    @Test func metricsMatchSeqeval() throws {
        for c in try Self.fixture.get().cases {
            let metrics = Self.metrics(c)
            #expect(Set(metrics.occurringTypes.map { metrics.types[$0] }) == Set(c.types.keys), "\(c.name): types")
            for (name, expected) in c.types {
                guard let t = metrics.types.firstIndex(of: name) else { continue }
                expectValue(metrics.precision(t), expected.precision, "\(c.name): \(name) precision")
                expectValue(metrics.recall(t), expected.recall, "\(c.name): \(name) recall")
                expectValue(metrics.f1(t), expected.f1, "\(c.name): \(name) f1")
                #expect(metrics.gold(t) == expected.support, "\(c.name): \(name) support")
            }
            expectValue(metrics.microPrecision, c.micro.precision, "\(c.name): micro precision")
            expectValue(metrics.microRecall, c.micro.recall, "\(c.name): micro recall")
            expectValue(metrics.microF1, c.micro.f1, "\(c.name): micro f1")
            expectValue(metrics.macroPrecision, c.macro.precision, "\(c.name): macro precision")
            expectValue(metrics.macroRecall, c.macro.recall, "\(c.name): macro recall")
            expectValue(metrics.macroF1, c.macro.f1, "\(c.name): macro f1")
            expectValue(metrics.accuracy, c.accuracy, "\(c.name): accuracy")
        }
    }

    /// Counts of shards of the sentences, summed element-wise (what the allreduce does), give
    /// the metrics of the whole set.
    @Test func shardCountsSumToTheWhole() throws {
        let c = try Self.fixture.get().cases.first { $0.name.hasPrefix("random IOB tags") }!
        let whole = Self.metrics(c)
        let n = c.gold.count
        let bounds = [0, n / 3, n / 3 + 1, n]
        var summed = [Int](repeating: 0, count: whole.counts.count)
        var lossSum = 0.0
        for r in 0..<3 {
            var shard = Self.metrics(c, sentences: bounds[r]..<bounds[r + 1])
            shard.lossSum = Double(r + 1)
            for i in summed.indices { summed[i] += shard.counts[i] }
            lossSum += shard.lossSum
        }
        let combined = EntityMetrics(tagNames: whole.tagNames, counts: summed, lossSum: lossSum)
        #expect(combined.counts == whole.counts)
        #expect(combined.microF1 == whole.microF1)
        #expect(combined.loss == 6 / Double(whole.words))
    }

    /// seqeval's default mode finds the same entities in IOB1 tags and in their IOB2 conversion.
    @Test func iob1AndItsIOB2ConversionHaveTheSameEntities() throws {
        let iob1 = try Self.fixture.get().cases.first { $0.name == "IOB1" }!
        for tags in iob1.gold + iob1.predicted {
            #expect(EntitySpans.extract(tags) == EntitySpans.extract(TagScheme.iob2(fromIOB1: tags)), "\(tags)")
        }
    }

    @Test func typesCountersAndValues() {
        var metrics = EntityMetrics(tagNames: ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-MISC", "I-MISC"])
        #expect(metrics.types == ["LOC", "MISC", "PER"])
        metrics.record(gold: [1, 2, 0, 3], predicted: [1, 2, 0, 4])  // PER right; LOC (3,3) right by seqeval
        metrics.record(gold: [0, 3], predicted: [1, 0])
        #expect(metrics.counts == [1, 1, 2, 0, 0, 0, 1, 2, 1, 3, 6])
        #expect(metrics.occurringTypes == [0, 2])
        let values = metrics.values
        #expect(values["overall_precision"] == 2.0 / 3)
        #expect(values["overall_recall"] == 2.0 / 3)
        #expect(values["LOC_number"] == 2 && values["PER_number"] == 1)
        #expect(values["MISC_f1"] == nil)
        #expect(values["overall_accuracy"] == 3.0 / 6)
    }

    /// Token-level labels with -100 on continuation pieces and special tokens count only the
    /// labelled positions, as Hugging Face's recipe.
    @Test func tokenLevelLabelsKeepLabelledPositions() {
        let tags = ["O", "B-PER", "I-PER"]
        var tokens = EntityMetrics(tagNames: tags)
        // [CLS] Peter ##s Black ##burn runs [SEP]
        tokens.record(tokenLabels: [-100, 1, -100, 2, -100, 0, -100], predicted: [0, 1, 0, 2, 1, 0, 0])
        var words = EntityMetrics(tagNames: tags)
        words.record(gold: [1, 2, 0], predicted: [1, 2, 0])
        #expect(tokens == words)
        #expect(tokens.microF1 == 1 && tokens.words == 3)
    }
}
