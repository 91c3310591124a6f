import Foundation
import Model
#if canImport(Glibc)
    import Glibc
#endif

/// Writing a directory so that a crash at any moment leaves either the old state or the new
/// one, never a mixture: files go into a temporary sibling directory, each is fsynced, the
/// directory is fsynced, then renamed into place in one step and its parent fsynced.
public struct DurableDirectory {
    /// The temporary directory files are written into.
    public let temporary: String
    public let destination: String

    /// Creates `<parent>/.<name>.tmp-<pid>` next to `destination` (removing a stale one).
    public init(destination: String) throws {
        let url = URL(fileURLWithPath: destination)
        let parent = url.deletingLastPathComponent().path
        self.destination = destination
        temporary = parent + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
    }

    /// Path of `name` inside the temporary directory.
    public func path(_ name: String) -> String { temporary + "/" + name }

    /// Writes `text` durably as `name`.
    public func write(_ text: String, as name: String) throws {
        do {
            try FileIO.writeDurably(text, to: path(name))
        } catch {
            throw CheckpointError("\(path(name)): \(error.message)")
        }
    }

    /// Copies the file at `source` durably as `name`.
    public func copy(_ source: String, as name: String) throws {
        do {
            let bytes = try FileIO.readAll(source)
            let writer = try DurableFileWriter(path: path(name))
            try writer.write(bytes)
            try writer.syncAndClose()
        } catch {
            throw CheckpointError("copying \(source) to \(path(name)): \(error.message)")
        }
    }

    /// Moves the finished directory into place, replacing `destination` if it exists.
    public func commit() throws {
        try DurableDirectory.syncDirectory(temporary)
        if FileManager.default.fileExists(atPath: destination) {
            // Rename the old one away first: rename(2) cannot replace a non-empty directory.
            let old = temporary + ".old"
            try? FileManager.default.removeItem(atPath: old)
            guard rename(destination, old) == 0 else {
                throw CheckpointError("rename \(destination): \(String(cString: strerror(errno)))")
            }
            guard rename(temporary, destination) == 0 else {
                throw CheckpointError("rename \(temporary) to \(destination): \(String(cString: strerror(errno)))")
            }
            try? FileManager.default.removeItem(atPath: old)
        } else {
            guard rename(temporary, destination) == 0 else {
                throw CheckpointError("rename \(temporary) to \(destination): \(String(cString: strerror(errno)))")
            }
        }
        try DurableDirectory.syncDirectory(URL(fileURLWithPath: destination).deletingLastPathComponent().path)
    }

    /// Removes the temporary directory (after a failure).
    public func abandon() {
        try? FileManager.default.removeItem(atPath: temporary)
    }

    /// fsync on a directory, so that the names inside it (creations, renames) are durable.
    public static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw CheckpointError("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw CheckpointError("fsync \(path): \(String(cString: strerror(errno)))") }
    }
}

/// A checkpoint that cannot be written, found, verified or loaded; the message names the
/// file and what is wrong.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
