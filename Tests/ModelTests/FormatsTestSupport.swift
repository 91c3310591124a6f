import Foundation
import TestSupport

/// Where the format tests find their inputs: golden files in Tests/Fixtures/formats, made by
/// tools/formats-fixtures.py (the pretrained checkpoint comes from `PretrainedModel`).
enum FormatsFixtures {
    static let generator = "$(tools/reference-env.sh) tools/formats-fixtures.py"

    static func path(_ name: String) -> String {
        Fixtures.url("formats/" + name).path
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Fixtures.data("formats/" + name, generator: generator))
    }

    /// A fixture JSON file read with Foundation's parser, independent of the one under test.
    static func json(_ name: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(try bytes(name)))
        guard let dictionary = object as? [String: Any] else {
            throw FixtureMissing("fixture \(path(name)) is not a JSON object; \(generator) writes it")
        }
        return dictionary
    }

    /// A fresh empty directory under the system temporary directory.
    static func temporaryDirectory() throws -> String {
        try Fixtures.temporaryDirectory("formats").path
    }

    /// A deterministic pseudo-random stream (xorshift64*), for fuzzing without flaky seeds.
    struct Generator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }

        mutating func below(_ bound: Int) -> Int {
            Int(next() % UInt64(bound))
        }
    }
}
