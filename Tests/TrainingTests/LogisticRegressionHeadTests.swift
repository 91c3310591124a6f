import Foundation
import Model
import TestSupport
import Testing
@testable import Training

/// SetFit's logistic-regression head against scikit-learn's `LogisticRegression()`
/// (Tests/Fixtures/embedding/logistic.json, tools/make_embedding_eval_fixtures.py): the
/// predictions of its default fit, and the coefficients and probabilities of its fit to
/// convergence; the head's safetensors form written and read back.
@Suite struct LogisticRegressionHeadTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String, classes: Int, dim: Int, train: [Float], labels: [Int], test: [Float]
            var default_predictions: [Int], coef: [Double], coef_rows: Int, intercept: [Double]
            var probabilities: [Double], predictions: [Int]
        }
        var cases: [Case]
    }

    static let fixture = Result<Fixture, any Error> {
        try Fixtures.decode(
            "embedding/logistic.json", as: Fixture.self, generator: "tools/make_embedding_eval_fixtures.py")
    }

    static var caseNames: [String] { (try? fixture.get().cases.map(\.name)) ?? [] }

    static func fit(_ c: Fixture.Case) throws -> LogisticRegressionHead {
        try LogisticRegressionHead.fit(
            embeddings: c.train, rows: c.labels.count, dim: c.dim, targets: c.labels,
            labels: (0..<c.classes).map { "class \($0)" })
    }

    @Test(arguments: caseNames) func matchesScikitLearn(name: String) throws {
        let c = try #require(try Self.fixture.get().cases.first { $0.name == name })
        let head = try Self.fit(c)
        let rows = c.test.count / c.dim
        #expect(try head.predict(c.test, rows: rows) == c.default_predictions)
        #expect(try head.predict(c.test, rows: rows) == c.predictions)
        // Probabilities of the converged optimum: float32 parameters; measured ≤ 4.7e-7, bound 5e-6.
        let p = try head.probabilities(c.test, rows: rows)
        let worst = zip(p, c.probabilities).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 5e-6, "largest probability difference \(worst)")
        // Coefficients: scikit-learn's own layout (one row for two classes: w = coef[1] − coef[0]).
        let coef: [Double] =
            c.coef_rows == 1
            ? (0..<c.dim).map { Double(head.coef[c.dim + $0] - head.coef[$0]) }
            : head.coef.map(Double.init)
        let scale = c.coef.map(abs).max()!
        let coefError = zip(coef, c.coef).map { abs($0 - $1) }.max()!
        #expect(coefError < 1e-5 * scale, "largest coefficient difference \(coefError) (scale \(scale))")
    }

    @Test func safetensorsRoundTripAndScikitBinaryLayout() throws {
        let c = try #require(try Self.fixture.get().cases.first)
        let head = try Self.fit(c)
        let directory = try Fixtures.temporaryDirectory("setfit-head")
        let path = directory.appendingPathComponent(LogisticRegressionHead.fileName).path
        try head.write(to: path)
        let file = try SafeTensorsFile(contentsOf: path)
        #expect(file.names == ["coef", "intercept"])
        #expect(
            try file.tensor("coef").shape == [c.classes, c.dim] && file.metadata["format"] == "ddp-train-logistic-head")
        #expect(file.metadata["labels"] == #"["class 0", "class 1", "class 2"]"#)
        #expect(try LogisticRegressionHead.read(from: path) == head)

        // scikit-learn's binary layout: coef [1, dim], intercept [1].
        let w: [Float] = [0.5, -1, 2], b: [Float] = [0.25]
        let binary = directory.appendingPathComponent("binary.safetensors").path
        try w.withUnsafeBufferPointer { wp in
            try b.withUnsafeBufferPointer { bp in
                try SafeTensorsWriter.write(
                    [.init(name: "coef", shape: [1, 3], data: wp), .init(name: "intercept", shape: [1], data: bp)],
                    metadata: ["labels": #"["no", "yes"]"#], to: binary)
            }
        }
        let read = try LogisticRegressionHead.read(from: binary)
        let x: [Float] = [1, 2, -0.5]
        let p = try read.probabilities(x, rows: 1)
        let z = Double(0.5 * 1 - 1 * 2 + 2 * -0.5 + 0.25)
        #expect(abs(Double(p[1]) - 1 / (1 + exp(-z))) < 1e-6 && read.labels == ["no", "yes"])
    }

    @Test func badInputsThrow() throws {
        #expect(throws: SetFitError.self) {
            try LogisticRegressionHead.fit(embeddings: [1, 2], rows: 2, dim: 1, targets: [0, 0], labels: ["a", "b"])
        }
        #expect(throws: SetFitError.self) {
            try LogisticRegressionHead.fit(embeddings: [1, 2], rows: 2, dim: 1, targets: [0, 2], labels: ["a", "b"])
        }
        #expect(throws: SetFitError.self) {
            try LogisticRegressionHead(labels: ["a", "b"], dim: 2, coef: [1, 2, 3], intercept: [0, 0])
        }
        let directory = try Fixtures.temporaryDirectory("setfit-head")
        let path = directory.appendingPathComponent("nolabels.safetensors").path
        let values: [Float] = [1, 2, 3, 4]
        try values.withUnsafeBufferPointer { v in
            try SafeTensorsWriter.write(
                [
                    .init(name: "coef", shape: [2, 1], data: UnsafeBufferPointer(rebasing: v[0..<2])),
                    .init(name: "intercept", shape: [2], data: UnsafeBufferPointer(rebasing: v[2..<4])),
                ], to: path)
        }
        #expect(throws: SafeTensorsError(file: path, message: "no \"labels\" in the metadata")) {
            try LogisticRegressionHead.read(from: path)
        }
    }
}
