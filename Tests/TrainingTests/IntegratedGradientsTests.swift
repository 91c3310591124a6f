import Foundation
import Model
import TestSupport
import Testing

@testable import Training

/// Integrated gradients on the tiny golden BERT (`Tests/Fixtures/model/tiny-bert`) against
/// Captum's `LayerIntegratedGradients` on `bert.embeddings.word_embeddings`
/// (`tools/make_ig_fixtures.py`: [PAD] baseline, `riemann_trapezoid`, 50 steps).
@Suite struct IntegratedGradientsTests {
    static let generator = "tools/make_ig_fixtures.py"
    static let cases = 4

    static func tinyModel() throws -> any TrainableModel {
        let directory = try Fixtures.existing("model/tiny-bert", generator: "tools/make_model_fixtures.py").path
        let config = try HuggingFaceConfig(contentsOf: directory + "/config.json")
        let model = try ModelFamilies.family(of: config).makeModel(
            config: config, head: .sequence(outputs: config.labels.count), lora: nil, pool: .serial)
        _ = try model.loadWeights(from: SafeTensorsFile(contentsOf: directory + "/model.safetensors"), loadHead: true)
        return model
    }

    /// Case k of the fixture: ids, type ids, explained label.
    static func example(_ k: Int, _ golden: SafeTensorsFile) throws -> ([Int32], [Int32], ExplanationTarget) {
        let ids = try golden.floats("ids.\(k)").map { Int32($0) },
            types = try golden.floats("types.\(k)").map { Int32($0) }
        let label = Int(try golden.floats("target.\(k)")[0])
        return (ids, types, ExplanationTarget(label: "\(label)", terms: [.init(row: 0, column: label)]))
    }

    static func golden() throws -> SafeTensorsFile {
        try SafeTensorsFile(contentsOf: Fixtures.existing("model/tiny-ig.safetensors", generator: generator).path)
    }

    /// Σ attributions within 1 % of f(x) − f(x') at 50 points, and f(x), f(x') those of
    /// transformers to 1e-5.
    @Test(arguments: 0..<cases) func completeness(_ k: Int) throws {
        let golden = try Self.golden()
        let (ids, types, target) = try Self.example(k, golden)
        let engine = try IntegratedGradients(model: try Self.tinyModel(), steps: 50, maxLength: 16)
        let result = engine.attribute(ids: ids, typeIds: types, baseline: 0, target: target)
        let gap = result.score - result.baselineScore
        let total = result.attributions.reduce(0, +)
        #expect(abs(total - gap) <= 0.01 * abs(gap), "case \(k): Σ A = \(total), f(x) − f(x') = \(gap)")
        expectClose([result.score], try golden.floats("score.\(k)"), absolute: 1e-5, relative: 1e-5, "f(x) \(k)")
        expectClose(
            [result.baselineScore], try golden.floats("baseline_score.\(k)"), absolute: 1e-5, relative: 1e-5,
            "f(baseline) \(k)")
    }

    /// Each token's attribution equals Captum's to 1e-4, Captum's scaled by m/(m − 1): its
    /// `riemann_trapezoid` weighs its m points 1/m (halved at the ends), which sums to
    /// (m − 1)/m, where the trapezoid rule over [0, 1] weighs them 1/(m − 1).
    @Test(arguments: 0..<cases) func equalsCaptum(_ k: Int) throws {
        let golden = try Self.golden()
        let (ids, types, target) = try Self.example(k, golden)
        let engine = try IntegratedGradients(model: try Self.tinyModel(), steps: 50, maxLength: 16)
        let result = engine.attribute(ids: ids, typeIds: types, baseline: 0, target: target)
        let captum = try golden.floats("captum.\(k)").map { $0 * 50 / 49 }
        expectClose(result.attributions, captum, absolute: 1e-4, relative: 0, "attributions \(k)")
    }

    /// Points split over several batches (a small token budget) give the same attributions.
    @Test func chunkedPointsAgree() throws {
        let golden = try Self.golden()
        let (ids, types, target) = try Self.example(1, golden)
        let model = try Self.tinyModel()
        let whole = try IntegratedGradients(model: model, steps: 20, maxLength: 16)
            .attribute(ids: ids, typeIds: types, baseline: 0, target: target)
        let chunked = try IntegratedGradients(model: model, steps: 20, maxLength: 16, tokenBudget: 48)
        #expect(chunked.pointsPerBatch == 3)
        let result = chunked.attribute(ids: ids, typeIds: types, baseline: 0, target: target)
        expectClose(result.attributions, whole.attributions, absolute: 1e-6, relative: 1e-5, "chunked")
        expectClose(
            [result.score, result.baselineScore], [whole.score, whole.baselineScore], absolute: 1e-6, relative: 1e-5,
            "f")
    }

    @Test func fewerThanTwoStepsIsAnError() throws {
        #expect(throws: OptionError.self) {
            try IntegratedGradients(model: try Self.tinyModel(), steps: 1, maxLength: 8)
        }
    }

    /// The page shades every token, names the label and fetches nothing.
    @Test func htmlPage() throws {
        let line = ExplanationSession.jsonLine(
            line: 3, tokens: ["[CLS]", "good", "<b>", "[SEP]"],
            target: ExplanationTarget(label: "positive", terms: []),
            result: .init(attributions: [0.1, 0.8, -0.3, 0], score: 2.5, baselineScore: 1.9))
        let page = try ExplanationHTML.page([line], title: "t")
        #expect(page.components(separatedBy: "class=\"tok\"").count == 5)
        #expect(page.contains("&lt;b&gt;") && page.contains("<b>positive</b>"))
        #expect(!page.contains("http") && !page.contains("<script") && !page.contains("src="))
        #expect(page.contains("rgba(0, 150, 0, 1.000)") && page.contains("rgba(210, 0, 0, 0.375)"))
    }
}
