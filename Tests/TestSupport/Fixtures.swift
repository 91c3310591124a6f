import Foundation

/// The golden files in Tests/Fixtures, found from this source file (#filePath), so the tests
/// run from any working directory and without a copy step in the package manifest.
public enum Fixtures {
    /// The repository root.
    public static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Tests/TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// Tests/Fixtures.
    public static let root = repository.appendingPathComponent("Tests/Fixtures")

    /// A path under Tests/Fixtures (`"model/tiny-bert"`), whether or not it exists.
    public static func url(_ relative: String) -> URL {
        root.appendingPathComponent(relative)
    }

    /// An existing path under Tests/Fixtures, else `FixtureMissing` naming `generator`, the
    /// tool that writes it.
    public static func existing(_ relative: String, generator: String) throws -> URL {
        let url = url(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FixtureMissing("fixture", at: url.path, remedy: "\(generator) writes it")
        }
        return url
    }

    /// The bytes of a fixture file.
    public static func data(_ relative: String, generator: String) throws -> Data {
        try Data(contentsOf: existing(relative, generator: generator))
    }

    /// A fixture JSON file decoded as `T`.
    public static func decode<T: Decodable>(_ relative: String, as type: T.Type, generator: String) throws -> T {
        try JSONDecoder().decode(T.self, from: data(relative, generator: generator))
    }

    /// A new empty directory under the system's temporary directory; `label` names the
    /// tests that made it, for whoever finds one left behind.
    public static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ddp-train-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
