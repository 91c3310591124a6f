import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A checkpoint or model that could not be written: a full or read-only filesystem, a
/// directory that cannot be created. The message names the path, and for a full filesystem
/// the bytes needed and free. Trainer throws it only after every rank agreed on the failure
/// (`Communicator.agreeing`), so the ranks can leave together with status 74 (EX_IOERR)
/// instead of aborting the job.
public struct StorageError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Free space and writability of the filesystem a run writes to, checked before writing so
/// that a full disk is reported with the sizes involved and nothing half-written is left.
public enum StorageSpace {
    /// Bytes an unprivileged writer may still use on the filesystem holding `path` (the
    /// nearest existing ancestor is asked when `path` does not exist yet); nil if unknown.
    public static func availableBytes(at path: String) -> Int? {
        var probe = URL(fileURLWithPath: path)
        while !FileManager.default.fileExists(atPath: probe.path) && probe.path != "/" {
            probe.deleteLastPathComponent()
        }
        var status = statvfs()
        guard statvfs(probe.path, &status) == 0 else { return nil }
        return Int(status.f_bavail) * Int(status.f_frsize)
    }

    /// "12.3 MB": sizes in the messages, in decimal megabytes as `df -H` prints them.
    public static func describe(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }

    /// Throws when less than `needed` bytes are free where `directory` lives.
    public static func require(_ needed: Int, toWrite what: String, in directory: String) throws(StorageError) {
        guard let free = availableBytes(at: directory), free < needed else { return }
        throw StorageError(
            "cannot write \(what): it needs about \(describe(needed)) and the filesystem of \(directory) has "
                + "\(describe(free)) free")
    }

    /// Creates `directory` if needed and proves it writable with a probe file, so that an
    /// output directory that cannot be written is refused before any training starts.
    public static func requireWritable(_ directory: String, for option: String) throws(StorageError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StorageError("\(option) \(directory): cannot create the directory: \(error.localizedDescription)")
        }
        let probe = directory + "/.ddp-train-write-test-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StorageError("\(option) \(directory): cannot write there: \(String(cString: strerror(errno)))")
        }
        close(fd)
        unlink(probe)
    }
}
