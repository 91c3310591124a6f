import Foundation
import TestSupport
import Testing
@testable import Training

/// The embedding losses against sentence-transformers' classes on fixed embeddings
/// (Tests/Fixtures/embedding/losses.json, written by tools/make_embedding_loss_fixtures.py):
/// the loss, and its gradient with respect to every embedding from torch's autograd.
@Suite struct EmbeddingLossTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String
            var loss: String
            var arguments: [String: Double]
            var rows: Int
            var dim: Int
            var embeddings: [[Float]]
            var scores: [Float]?
            var value: Double
            var gradients: [[Float]]
        }
        var command: String
        var cases: [Case]
    }

    static let fixture = Result<Fixture, any Error> {
        try Fixtures.decode(
            "embedding/losses.json", as: Fixture.self, generator: "tools/make_embedding_loss_fixtures.py")
    }

    static var caseNames: [String] { (try? fixture.get().cases.map(\.name)) ?? [] }

    static func fixtureCase(_ name: String) throws -> Fixture.Case {
        try #require(try fixture.get().cases.first { $0.name == name })
    }

    /// The loss a case names, with its arguments.
    static func loss(_ c: Fixture.Case) throws -> any EmbeddingLoss {
        let scale = Float(c.arguments["scale"] ?? 20), margin = c.arguments["margin"].map(Float.init)
        switch c.loss {
        case "multiple-negatives-ranking": return MultipleNegativesRankingLoss(scale: scale)
        case "multiple-negatives-symmetric-ranking": return MultipleNegativesRankingLoss(scale: scale, symmetric: true)
        case "cosine-similarity": return CosineSimilarityLoss()
        case "contrastive": return ContrastiveLoss(margin: margin ?? 0.5)
        case "online-contrastive": return OnlineContrastiveLoss(margin: margin ?? 0.5)
        case "triplet": return TripletLoss(margin: margin ?? 5)
        default: throw EmbeddingLossError("fixture names an unknown loss \(c.loss)")
        }
    }

    /// The reduced loss (as sentence-transformers reports it) and its gradient `[columns · rows
    /// · dim]` for the flat embeddings `values`, over the rows in `scored`.
    static func evaluate(
        _ loss: any EmbeddingLoss, _ values: [Float], columns: Int, rows: Int, dim: Int, scores: [Float]?,
        scored: Range<Int>? = nil
    ) throws -> (Double, [Float]) {
        var values = values
        var gradient = [Float](repeating: .nan, count: values.count)
        let gradScale = loss.reduction.gradScale(examples: rows)
        let sum = try values.withUnsafeMutableBufferPointer { v in
            try gradient.withUnsafeMutableBufferPointer { g in
                try (scores ?? []).withUnsafeBufferPointer { s in
                    try loss.lossAndGradient(
                        EmbeddingColumns(v.baseAddress!, columns: columns, rows: rows, dim: dim),
                        scores: scores == nil ? nil : s.baseAddress, scored: scored ?? 0..<rows, gradScale: gradScale,
                        gradient: EmbeddingColumns(g.baseAddress!, columns: columns, rows: rows, dim: dim))
                }
            }
        }
        return (sum * Double(gradScale), gradient)
    }

    static func evaluate(_ c: Fixture.Case, _ values: [Float]? = nil, scored: Range<Int>? = nil) throws -> (
        Double, [Float]
    ) {
        try evaluate(
            loss(c), values ?? c.embeddings.flatMap { $0 }, columns: c.embeddings.count, rows: c.rows, dim: c.dim,
            scores: c.scores, scored: scored)
    }

    @Test func fixtureCoversEveryLoss() throws {
        let losses = Set(try Self.fixture.get().cases.map(\.loss))
        #expect(
            losses == [
                "multiple-negatives-ranking", "multiple-negatives-symmetric-ranking", "cosine-similarity",
                "contrastive", "online-contrastive", "triplet",
            ])
    }

    @Test(arguments: caseNames) func matchesSentenceTransformers(name: String) throws {
        let c = try Self.fixtureCase(name)
        let (value, gradient) = try Self.evaluate(c)
        #expect(abs(value - c.value) <= 1e-5 * max(1, abs(c.value)), "\(name): loss \(value), expected \(c.value)")
        let expected = c.gradients.flatMap { $0 }
        let largest = expected.map(abs).max() ?? 0
        expectClose(gradient, expected, absolute: 1e-5 * max(largest, 1e-3), relative: 1e-4, "\(name): gradient")
        #expect(largest > 0, "\(name): the case has a gradient to check")
    }

    /// Central differences of the loss (in `Double` sums, `h` 1e-3) against the analytic
    /// gradient at every element of the first rows; held to 1e-3 of the gradient's largest
    /// element (the float32 scores limit the differences' precision).
    @Test(arguments: caseNames) func finiteDifferences(name: String) throws {
        let c = try Self.fixtureCase(name)
        let values = c.embeddings.flatMap { $0 }
        let (_, gradient) = try Self.evaluate(c)
        let largest = gradient.map(abs).max() ?? 0
        let h: Float = 1e-3
        var worst: Float = 0
        var checked = 0
        for column in 0..<c.embeddings.count {
            for i in 0..<min(c.rows, 3) {
                for d in 0..<c.dim {
                    let index = (column * c.rows + i) * c.dim + d
                    var plus = values, minus = values
                    plus[index] += h
                    minus[index] -= h
                    let numeric = (try Self.evaluate(c, plus).0 - Self.evaluate(c, minus).0) / Double(2 * h)
                    worst = max(worst, abs(Float(numeric) - gradient[index]))
                    checked += 1
                }
            }
        }
        #expect(
            worst <= 1e-3 * max(largest, 1e-2), "\(name): worst difference \(worst) of \(checked), largest \(largest)")
    }

    /// Loss terms computed in two slices of the rows (as two ranks would, each on its own
    /// examples of the same batch) add up to the whole batch's loss and gradient.
    @Test(arguments: caseNames) func scoredRowsPartitionTheBatch(name: String) throws {
        let c = try Self.fixtureCase(name)
        let (whole, wholeGradient) = try Self.evaluate(c)
        let cut = c.rows / 2
        let (first, firstGradient) = try Self.evaluate(c, scored: 0..<cut)
        let (second, secondGradient) = try Self.evaluate(c, scored: cut..<c.rows)
        #expect(abs(first + second - whole) <= 1e-6 * max(1, abs(whole)), "\(name): \(first) + \(second) ≠ \(whole)")
        expectClose(
            zip(firstGradient, secondGradient).map { $0 + $1 }, wholeGradient, relativeToLargest: 1e-6,
            "\(name): summed gradients")
    }

    @Test func malformedInputThrows() throws {
        let values = [Float](repeating: 1, count: 3 * 2 * 4)
        #expect(throws: EmbeddingLossError.self) {
            _ = try Self.evaluate(TripletLoss(), values, columns: 2, rows: 3, dim: 4, scores: nil)
        }
        #expect(throws: EmbeddingLossError.self) {
            _ = try Self.evaluate(CosineSimilarityLoss(), values, columns: 2, rows: 3, dim: 4, scores: nil)
        }
        #expect(throws: EmbeddingLossError.self) {
            _ = try Self.evaluate(CosineSimilarityLoss(), values, columns: 2, rows: 3, dim: 4, scores: [0, .nan, 1])
        }
        #expect(throws: EmbeddingLossError.self) {
            _ = try Self.evaluate(OnlineContrastiveLoss(), values, columns: 2, rows: 3, dim: 4, scores: [0, 0.5, 1])
        }
        #expect(throws: EmbeddingLossError.self) {
            _ = try Self.evaluate(
                MultipleNegativesRankingLoss(), [Float](repeating: 1, count: 12), columns: 1, rows: 3, dim: 4,
                scores: nil)
        }
    }

    @Test func scoreRange() throws {
        let range = try ScoreRange(of: [0, 2.5, 5, 1])
        #expect(range.rescale(5) == 1 && range.rescale(0) == 0 && range.rescale(2.5) == 0.5)
        #expect(throws: EmbeddingLossError.self) { try ScoreRange(of: [3, 3]) }
        #expect(throws: EmbeddingLossError.self) { try ScoreRange(lower: 1, upper: 0) }
    }
}
