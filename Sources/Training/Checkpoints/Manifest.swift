import Foundation

/// `manifest.json`: the SHA-256 and size of every other file of a checkpoint, written last.
/// A directory without it is incomplete; a file whose hash differs has been changed or
/// damaged since it was written.
public struct Manifest: Codable, Equatable, Sendable {
    public struct FileEntry: Codable, Equatable, Sendable {
        public var sha256: String
        public var bytes: Int
    }

    public static let fileName = "manifest.json"
    public var format = "ddp-train-checkpoint/1"
    public var files: [String: FileEntry] = [:]

    public init() {}

    /// Hashes every regular file in `directory` and its subdirectories (except the manifest
    /// itself), named by their relative paths.
    public static func make(for directory: String) throws -> Manifest {
        var manifest = Manifest()
        guard let names = FileManager.default.enumerator(atPath: directory)?.compactMap({ $0 as? String }) else {
            throw CheckpointError("\(directory): cannot be listed")
        }
        for name in names.sorted() where name != fileName {
            let path = directory + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            let digest: SHA256Digest
            do { digest = try SHA256.hash(fileAt: path) } catch { throw CheckpointError("\(error)") }
            manifest.files[name] = FileEntry(sha256: digest.hex, bytes: size)
        }
        return manifest
    }

    /// The manifest of the checkpoint at `directory`.
    public static func read(from directory: String) throws -> Manifest {
        let path = directory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointError("\(path): missing — the checkpoint is incomplete (its writer stopped before the end)")
        }
        do {
            return try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw CheckpointError("\(path): not a valid manifest (\(error))")
        }
    }

    /// Checks every listed file's size and SHA-256; throws naming the first file that does
    /// not match.
    public func verify(directory: String) throws {
        for name in files.keys.sorted() {
            let entry = files[name]!
            let path = directory + "/" + name
            guard FileManager.default.fileExists(atPath: path) else {
                throw CheckpointError("\(path): listed in the manifest but missing")
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
            let digest: SHA256Digest
            do { digest = try SHA256.hash(fileAt: path) } catch { throw CheckpointError("\(error)") }
            guard size == entry.bytes, digest.hex == entry.sha256 else {
                throw CheckpointError(
                    "\(path): checksum does not match the manifest (sha256 \(digest.hex), \(size) bytes; expected "
                        + "\(entry.sha256), \(entry.bytes) bytes) — the file was changed or damaged after it was "
                        + "written"
                )
            }
        }
    }

    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
