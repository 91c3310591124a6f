import JSON
import Model

/// The files `embed` writes, picked by the output's extension: `[rows, dim]` float32 in
/// input order as
///
/// - `.npy`: NumPy's format 1.0 (`numpy.load` gives a `float32` array of that shape);
/// - `.safetensors`: one F32 tensor named `embeddings` (`safetensors.numpy.load_file`);
/// - `.jsonl`: a line per row, `{"line": <its line in the input>, "embedding": [...]}`.
public enum EmbeddingFile: String, CaseIterable, Sendable {
    case npy
    case safetensors
    case jsonl

    /// The format of `path`, or an error listing the extensions.
    public init(path: String) throws(OptionError) {
        guard let format = Self.allCases.first(where: { path.hasSuffix("." + $0.rawValue) }) else {
            throw OptionError(
                "--output \(path): the extension says the format: "
                    + Self.allCases.map { "." + $0.rawValue }.joined(separator: ", "))
        }
        self = format
    }

    /// The tensor name in a `.safetensors` output.
    public static let tensorName = "embeddings"

    /// Writes `values` (`[rows × dimension]`) to `path` and fsyncs it; `lines` are the rows'
    /// input lines (for `.jsonl`).
    public func write(_ values: [Float], dimension: Int, lines: [Int], to path: String) throws {
        let rows = lines.count
        precondition(values.count == rows * dimension, "EmbeddingFile: \(values.count) values for \(rows) rows")
        switch self {
        case .safetensors:
            try values.withUnsafeBufferPointer { data in
                try SafeTensorsWriter.write(
                    [SafeTensorsEntry(name: Self.tensorName, shape: [rows, dimension], data: data)],
                    metadata: ["format": "np"], to: path)
            }
        case .npy:
            try writeBytes(Self.npyHeader(rows: rows, dimension: dimension) + Self.littleEndian(values), to: path)
        case .jsonl:
            var text = ""
            for r in 0..<rows {
                let row = values[(r * dimension)..<((r + 1) * dimension)].map { JSONValue($0) }
                text +=
                    JSONWriter.compact(
                        .object([
                            JSONMember(key: "line", value: JSONValue(lines[r])),
                            JSONMember(key: "embedding", value: .array(row)),
                        ])) + "\n"
            }
            try writeBytes(Array(text.utf8), to: path)
        }
    }

    /// NumPy format 1.0: magic, version, a little-endian UInt16 header length, then a Python
    /// dict literal padded with spaces and a newline so the data starts 64-byte aligned.
    static func npyHeader(rows: Int, dimension: Int) -> [UInt8] {
        var dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(dimension)), }"
        let unpadded = 10 + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = UInt16(dict.utf8.count)
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Array(dict.utf8)
    }

    static func littleEndian(_ values: [Float]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 4)
        for value in values {
            let bits = value.bitPattern  // byte 0 first: little-endian whatever the host
            bytes += [UInt8(bits & 0xff), UInt8((bits >> 8) & 0xff), UInt8((bits >> 16) & 0xff), UInt8(bits >> 24)]
        }
        return bytes
    }

    private func writeBytes(_ bytes: [UInt8], to path: String) throws {
        do {
            let writer = try DurableFileWriter(path: path)
            try writer.write(bytes)
            try writer.syncAndClose()
        } catch {
            throw CheckpointError("\(path): \(error.message)")
        }
    }
}
