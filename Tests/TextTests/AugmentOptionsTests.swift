import Foundation
import Testing
import Text

/// Options: validation that names the bad field, `isEnabled`, and JSON that may leave keys out.
@Suite("Augmentation options")
struct AugmentOptionsTests {
    /// Each rate field, by name, with a setter.
    static var rates: [(String, WritableKeyPath<AugmentationOptions, Double>)] {
        [
            ("deletionProbability", \.deletionProbability), ("swapRate", \.swapRate),
            ("insertionRate", \.insertionRate), ("wordDropoutProbability", \.wordDropoutProbability),
        ]
    }

    @Test("defaults turn everything off; any positive rate turns augmentation on")
    func isEnabled() throws {
        let defaults = AugmentationOptions()
        #expect(!defaults.isEnabled)
        #expect(defaults.wordDropoutToken == "[UNK]")
        try defaults.validate()
        for (name, rate) in Self.rates {
            var options = defaults
            options[keyPath: rate] = 0.01
            #expect(options.isEnabled, "\(name)")
        }
    }

    @Test("rates outside [0, 1] or not numbers are refused, naming the field", arguments: [-0.1, 1.5, .nan, .infinity])
    func rateOutOfRange(value: Double) {
        for (name, rate) in Self.rates {
            var options = AugmentationOptions()
            options[keyPath: rate] = value
            #expect(throws: AugmentationOptionsError.self) { try options.validate() }
            do {
                _ = try TextAugmenter(options: options)
                Issue.record("\(name) = \(value) was accepted")
            } catch {
                #expect(error.option == name)
                if case .rateOutOfRange(_, let refused) = error {
                    #expect(refused == value || (refused.isNaN && value.isNaN))
                } else {
                    Issue.record("\(name) = \(value): wrong error \(error)")
                }
                #expect(error.description.contains(name) && error.description.contains("[0, 1]"), "\(error)")
            }
        }
    }

    @Test("the ends of [0, 1] are accepted")
    func boundaries() throws {
        try AugmentationOptions(deletionProbability: 1, swapRate: 1, insertionRate: 1, wordDropoutProbability: 1)
            .validate()
        try AugmentationOptions(deletionProbability: 0, swapRate: 0, insertionRate: 0, wordDropoutProbability: 0)
            .validate()
    }

    @Test("the dropout token must be one non-empty word", arguments: ["", "[ MASK]", "a\u{00A0}b", "tab\t", "\n"])
    func invalidToken(token: String) {
        let options = AugmentationOptions(wordDropoutProbability: 0.1, wordDropoutToken: token)
        do {
            try options.validate()
            Issue.record("token \(token.debugDescription) was accepted")
        } catch {
            guard case .invalidToken(let option, let refused, _) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(option == "wordDropoutToken")
            #expect(refused == token)
            #expect(error.description.contains("wordDropoutToken"), "\(error)")
        }
    }

    @Test("JSON round trip; missing keys keep their defaults")
    func codable() throws {
        let options = AugmentationOptions(
            deletionProbability: 0.1, swapRate: 0.2, insertionRate: 0.3, wordDropoutProbability: 0.05,
            wordDropoutToken: "[MASK]")
        let data = try JSONEncoder().encode(options)
        #expect(try JSONDecoder().decode(AugmentationOptions.self, from: data) == options)
        let keys = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]).keys.sorted()
        #expect(
            keys == ["deletionProbability", "insertionRate", "swapRate", "wordDropoutProbability", "wordDropoutToken"])
        #expect(try JSONDecoder().decode(AugmentationOptions.self, from: Data("{}".utf8)) == AugmentationOptions())
        let partial = try JSONDecoder().decode(AugmentationOptions.self, from: Data(#"{"swapRate": 0.25}"#.utf8))
        #expect(partial == AugmentationOptions(swapRate: 0.25))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(AugmentationOptions.self, from: Data(#"{"swapRate": "high"}"#.utf8))
        }
    }
}
