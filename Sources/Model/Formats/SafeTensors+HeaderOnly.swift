import Foundation
import JSON

/// The header of a safetensors file — its length prefix and JSON — parsed on its own, so that
/// the shapes of a checkpoint's tensors can be known without reading its data (to check a
/// config.json against them before anything is allocated).
extension SafeTensorsFile {
    /// The little-endian header length in the first 8 of `prefix`'s bytes, checked against
    /// the file's size and the header limit.
    static func headerLength(prefix: [UInt8], fileSize: Int, fail: (String) -> SafeTensorsError)
        throws(SafeTensorsError) -> Int
    {
        guard prefix.count >= 8, fileSize >= 8 else {
            throw fail("the file is \(fileSize) bytes, too short for the 8-byte header length")
        }
        var headerLength: UInt64 = 0
        for k in (0..<8).reversed() { headerLength = headerLength << 8 | UInt64(prefix[k]) }
        let available = fileSize - 8
        guard headerLength <= UInt64(available) else {
            throw fail(
                "the header length is \(headerLength) bytes, but only \(available) bytes follow the 8-byte length "
                    + "(truncated file, or not a safetensors file)"
            )
        }
        guard headerLength <= UInt64(SafeTensorsFile.maximumHeaderLength) else {
            throw fail(
                "the header length is \(headerLength) bytes, more than the limit of "
                    + "\(SafeTensorsFile.maximumHeaderLength)"
            )
        }
        return Int(headerLength)
    }

    /// The tensors (unsorted) and metadata of the JSON `header`, each entry checked against a
    /// data buffer of `bufferSize` bytes.
    static func parseHeader(
        _ header: UnsafeRawBufferPointer, bufferSize: Int, fail: (String, String?) -> SafeTensorsError
    ) throws(SafeTensorsError) -> (tensors: [SafeTensorInfo], metadata: [String: String]) {
        let value: JSONValue
        do throws(JSONParseError) {
            value = try JSONParser.parse(header)
        } catch {
            throw fail(
                "the header is not valid JSON (line \(error.line), column \(error.column) of the header): "
                    + "\(error.message)", nil)
        }
        guard case .object(let members) = value else {
            throw fail(
                "the header is a JSON \(value.typeName), expected an object mapping tensor names to entries", nil)
        }
        var metadata: [String: String] = [:]
        var tensors: [SafeTensorInfo] = []
        tensors.reserveCapacity(members.count)
        for member in members {
            if member.key == "__metadata__" {
                metadata = try parseMetadata(member.value, fail: fail)
            } else {
                tensors.append(try parseEntry(member, bufferSize: bufferSize, fail: fail))
            }
        }
        try checkNoOverlap(tensors, fail: fail)
        return (tensors, metadata)
    }

    /// Name → shape of every tensor in the file at `path`, reading only its header.
    public static func shapes(contentsOf path: String) throws(SafeTensorsError) -> [String: [Int]] {
        func fail(_ message: String, tensor: String? = nil) -> SafeTensorsError {
            SafeTensorsError(file: path, tensor: tensor, message: message)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw fail("cannot open the file: \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        let fileSize: Int
        let prefix: [UInt8]
        let headerBytes: [UInt8]
        do {
            fileSize = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            prefix = [UInt8](try handle.read(upToCount: 8) ?? Data())
            let length = try headerLength(prefix: prefix, fileSize: fileSize, fail: { fail($0) })
            headerBytes = [UInt8](try handle.read(upToCount: length) ?? Data())
            guard headerBytes.count == length else { throw fail("the header ends early (truncated file)") }
        } catch let error as SafeTensorsError {
            throw error
        } catch {
            throw fail("cannot read the file: \(String(describing: error))")
        }
        let parsed = headerBytes.withUnsafeBytes { raw in
            Result { () throws(SafeTensorsError) in
                try parseHeader(raw, bufferSize: fileSize - 8 - headerBytes.count, fail: fail)
            }
        }
        let (tensors, _) = try parsed.get()
        return Dictionary(tensors.map { ($0.name, $0.shape) }, uniquingKeysWith: { first, _ in first })
    }
}
