import JSON

/// One F32 tensor for `SafeTensorsWriter`: a name, a row-major shape and a view of the
/// caller's data (e.g. a parameter's slice of a slab), which must stay valid during the
/// write.
public struct SafeTensorsEntry {
    public var name: String
    public var shape: [Int]
    public var data: UnsafeBufferPointer<Float>

    public init(name: String, shape: [Int], data: UnsafeBufferPointer<Float>) {
        self.name = name
        self.shape = shape
        self.data = data
    }
}

/// Writes F32 safetensors files that the Python `safetensors` package and `transformers`
/// load.
public enum SafeTensorsWriter {
    /// Writes `entries` as F32 tensors to `path` (created, or truncated in place) and fsyncs
    /// the file before returning.
    ///
    /// Layout: `__metadata__` first (when not empty, keys sorted), then tensors sorted by name
    /// with contiguous `data_offsets` from 0; the header is padded with spaces to a multiple
    /// of 8 bytes, so the data buffer starts 8-aligned. For F32-only input this is byte for
    /// byte what Python's `safetensors.torch.save_file` writes.
    ///
    /// For an atomic replacement write to a temporary path, then rename.
    ///
    /// - Throws: `SafeTensorsError` for a duplicate or reserved name, a negative dimension, a
    ///   shape whose product differs from the data's count, or an I/O failure (the partial
    ///   file is then removed).
    public static func write(_ entries: [SafeTensorsEntry], metadata: [String: String] = [:], to path: String)
        throws(SafeTensorsError)
    {
        let header = try headerBytes(for: entries, metadata: metadata, file: path)
        let sorted = sortedByName(entries)
        let writer: DurableFileWriter
        do {
            writer = try DurableFileWriter(path: path)
        } catch {
            throw SafeTensorsError(file: path, message: "cannot create the file: \(error.message)")
        }
        do throws(FileIOError) {
            var prefix: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(header.count) >> (8 * $0)) }
            prefix += header
            try writer.write(prefix)
            for entry in sorted {
                try writeLittleEndian(entry.data, to: writer)
            }
            try writer.syncAndClose()
        } catch {
            _ = unlinkQuietly(path)
            throw SafeTensorsError(file: path, message: "cannot write the file: \(error.message)")
        }
    }

    /// The header JSON, space-padded to a multiple of 8 bytes, after validating the entries.
    static func headerBytes(for entries: [SafeTensorsEntry], metadata: [String: String], file: String)
        throws(SafeTensorsError) -> [UInt8]
    {
        var members: [JSONMember] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            members.append(
                JSONMember(
                    key: "__metadata__", value: .object(pairs.map { JSONMember(key: $0.key, value: .string($0.value)) })
                ))
        }
        var offset = 0
        var previousName: String?
        for entry in sortedByName(entries) {
            func fail(_ message: String) -> SafeTensorsError {
                SafeTensorsError(file: file, tensor: entry.name, message: message)
            }
            if entry.name == previousName { throw fail("the name is given twice") }
            if entry.name == "__metadata__" { throw fail("the name is reserved for the metadata map") }
            previousName = entry.name
            var count = 1
            for dimension in entry.shape {
                guard dimension >= 0 else { throw fail("shape \(entry.shape) has a negative dimension") }
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                guard !overflow else { throw fail("shape \(entry.shape) has more elements than fit in 64 bits") }
                count = product
            }
            guard count == entry.data.count else {
                throw fail("shape \(entry.shape) has \(count) elements, but the data holds \(entry.data.count) floats")
            }
            let end = offset + 4 * count
            members.append(
                JSONMember(
                    key: entry.name,
                    value: .object([
                        JSONMember(key: "dtype", value: .string(SafeTensorsDType.f32.rawValue)),
                        JSONMember(key: "shape", value: .array(entry.shape.map { .number(String($0)) })),
                        JSONMember(
                            key: "data_offsets", value: .array([.number(String(offset)), .number(String(end))])),
                    ])))
            offset = end
        }
        var header = Array(JSONWriter.compact(.object(members)).utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))
        return header
    }

    private static func sortedByName(_ entries: [SafeTensorsEntry]) -> [SafeTensorsEntry] {
        entries.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    private static func writeLittleEndian(_ data: UnsafeBufferPointer<Float>, to writer: DurableFileWriter)
        throws(FileIOError)
    {
        #if _endian(little)
            try writer.write(UnsafeRawBufferPointer(data))
        #else
            var chunk = [UInt32](repeating: 0, count: 1 << 16)
            var start = 0
            while start < data.count {
                let count = min(chunk.count, data.count - start)
                for k in 0..<count { chunk[k] = data[start + k].bitPattern.littleEndian }
                try writer.write(
                    chunk[0..<count].flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } })
                start += count
            }
        #endif
    }
}
