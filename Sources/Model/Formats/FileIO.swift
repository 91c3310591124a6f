// Whole-file reads and durable writes over POSIX calls, shared by the safetensors and
// config.json readers and writers. Errors carry the errno text; callers wrap them in their
// own typed error that names the file.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An operating-system error: the failed call and `strerror(errno)`.
package struct FileIOError: Error, Equatable, Sendable {
    package var message: String

    package init(_ call: String, errno code: Int32) {
        message = "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
    }

    package init(message: String) {
        self.message = message
    }
}

package enum FileIO {
    /// Reads the whole file at `path` in one pass (no memory map: a checkpoint rewritten in
    /// place while mapped would fault the reader, a copy cannot).
    package static func readAll(_ path: String) throws(FileIOError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw FileIOError("open", errno: errno) }
        defer { close(fd) }
        var status = stat()
        if fstat(fd, &status) != 0 { throw FileIOError("fstat", errno: errno) }
        if (status.st_mode & S_IFMT) == S_IFDIR { throw FileIOError("read", errno: EISDIR) }
        let expected = max(Int(status.st_size), 0)
        var failure: Int32 = 0
        var bytes = [UInt8](unsafeUninitializedCapacity: expected) { buffer, count in
            count = readFully(fd, into: UnsafeMutableRawBufferPointer(buffer), failure: &failure)
        }
        if failure != 0 { throw FileIOError("read", errno: failure) }
        // Whatever follows: a file that grew since fstat, or one whose size fstat does not
        // know (a pipe).
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = chunk.withUnsafeMutableBytes { readFully(fd, into: $0, failure: &failure) }
            if failure != 0 { throw FileIOError("read", errno: failure) }
            if got == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<got])
        }
    }

    /// Writes `text` as UTF-8 to `path` (created or truncated) and fsyncs it.
    package static func writeDurably(_ text: String, to path: String) throws(FileIOError) {
        let writer = try DurableFileWriter(path: path)
        try writer.write(Array(text.utf8))
        try writer.syncAndClose()
    }
}

/// A file opened for writing (created with mode 0644, or truncated) whose contents are on
/// disk once `syncAndClose()` returns. Closes the descriptor on deinit if the caller gave
/// up early; the partial file is then left for the caller to remove.
package final class DurableFileWriter {
    let path: String
    private var fd: Int32

    package init(path: String) throws(FileIOError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw FileIOError("open", errno: errno) }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Writes all of `bytes`, retrying partial writes and interrupted calls.
    package func write(_ bytes: UnsafeRawBufferPointer) throws(FileIOError) {
        precondition(fd >= 0, "DurableFileWriter(\(path)): write after close")
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let wrote = systemWrite(fd, next, min(remaining, 1 << 30))
            if wrote < 0 {
                if errno == EINTR { continue }
                throw FileIOError("write", errno: errno)
            }
            next += wrote
            remaining -= wrote
        }
    }

    /// Writes all of `bytes`.
    package func write(_ bytes: [UInt8]) throws(FileIOError) {
        // Array.withUnsafeBytes rethrows untyped errors, so the typed one travels as a Result.
        let result: Result<Void, FileIOError> = bytes.withUnsafeBytes { raw in
            do throws(FileIOError) {
                try write(raw)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// fsyncs and closes the file; the data is durable when this returns.
    package func syncAndClose() throws(FileIOError) {
        precondition(fd >= 0, "DurableFileWriter(\(path)): closed twice")
        let descriptor = fd
        fd = -1
        if fsync(descriptor) != 0 {
            let code = errno
            close(descriptor)
            throw FileIOError("fsync", errno: code)
        }
        if close(descriptor) != 0 { throw FileIOError("close", errno: errno) }
    }
}

/// Reads into `buffer` until it is full or the file ends; returns the bytes read. Sets
/// `failure` to errno on an error other than EINTR.
private func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, failure: inout Int32) -> Int {
    guard let base = buffer.baseAddress else { return 0 }
    var filled = 0
    while filled < buffer.count {
        let got = read(fd, base + filled, min(buffer.count - filled, 1 << 30))
        if got < 0 {
            if errno == EINTR { continue }
            failure = errno
            return filled
        }
        if got == 0 { break }
        filled += got
    }
    return filled
}

/// `write(2)`, named apart so that `DurableFileWriter.write` does not shadow it.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}

/// Removes `path`, ignoring failure (cleanup after a failed write). Returns whether it did.
func unlinkQuietly(_ path: String) -> Bool {
    unlink(path) == 0
}
