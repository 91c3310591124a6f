// Reading safetensors files (https://github.com/huggingface/safetensors, "Format"):
//
//     8 bytes   N, unsigned 64-bit little-endian
//     N bytes   UTF-8 JSON object: name -> {"dtype", "shape", "data_offsets": [begin, end]},
//               plus an optional "__metadata__": {string: string}; may end in spaces
//     rest      the data buffer; offsets are relative to its start; row-major, little-endian

import JSON

/// One tensor's entry in a safetensors header.
public struct SafeTensorInfo: Equatable, Sendable {
    public let name: String
    public let dtype: SafeTensorsDType
    /// Row-major dimensions; `[]` is a scalar.
    public let shape: [Int]
    /// The product of `shape`.
    public let elementCount: Int
    /// `[begin, end)` in bytes, relative to the start of the data buffer.
    public let dataOffsets: Range<Int>
}

/// A validated safetensors file held in memory.
///
/// Contract: `init` checks the whole header before anything is handed out — the header
/// length fits the file; the header is a UTF-8 JSON object; `__metadata__` is a map of
/// strings; every entry has a known `dtype`, a `shape` of non-negative integers and
/// `data_offsets` of two integers with `0 ≤ begin ≤ end ≤` data-buffer size and
/// `end − begin = product(shape) × dtype size` (computed without overflow); no two
/// tensors share a byte. Any violation, for any byte sequence, is a thrown
/// `SafeTensorsError`, never a trap. Gaps between tensors are tolerated.
///
/// The file is read once, whole, into memory; drop the value once its tensors are copied
/// out. Reading, validating and copying the 90 MB all-MiniLM-L6-v2 file into a parameter
/// slab takes ≈ 0.17 s in a release build on the 2-core development machine.
public struct SafeTensorsFile: Sendable {
    /// Header lengths beyond this are refused (the limit of the reference implementation).
    public static let maximumHeaderLength = 100_000_000

    /// The file as named by the caller, for messages.
    public let file: String
    /// Every tensor, sorted by name.
    public let tensors: [SafeTensorInfo]
    /// The `__metadata__` map; empty when the header has none.
    public let metadata: [String: String]

    private let bytes: [UInt8]
    /// Offset of the data buffer in `bytes`: 8 + N.
    private let dataStart: Int
    private let indexByName: [String: Int]

    /// Reads and validates the file at `path`.
    public init(contentsOf path: String) throws(SafeTensorsError) {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.readAll(path)
        } catch {
            throw SafeTensorsError(file: path, message: "cannot read the file: \(error.message)")
        }
        try self.init(bytes: bytes, file: path)
    }

    /// Validates `bytes` as a safetensors file; `file` names it in errors.
    public init(bytes: [UInt8], file: String) throws(SafeTensorsError) {
        self.file = file
        self.bytes = bytes
        func fail(_ message: String, tensor: String? = nil) -> SafeTensorsError {
            SafeTensorsError(file: file, tensor: tensor, message: message)
        }

        let headerLength = try SafeTensorsFile.headerLength(prefix: bytes, fileSize: bytes.count, fail: { fail($0) })
        let start = 8 + headerLength
        dataStart = start
        let parsed = bytes.withUnsafeBytes { raw in
            Result { () throws(SafeTensorsError) in
                try SafeTensorsFile.parseHeader(
                    UnsafeRawBufferPointer(rebasing: raw[8..<start]), bufferSize: bytes.count - start, fail: fail)
            }
        }
        var (tensors, metadata) = try parsed.get()
        tensors.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        self.tensors = tensors
        self.metadata = metadata
        var indexByName: [String: Int] = [:]
        for (k, tensor) in tensors.enumerated() { indexByName[tensor.name] = k }
        self.indexByName = indexByName
    }

    // MARK: Queries

    /// Tensor names, sorted.
    public var names: [String] { tensors.map(\.name) }

    /// The entry for `name`, or `nil`.
    public func info(_ name: String) -> SafeTensorInfo? {
        indexByName[name].map { tensors[$0] }
    }

    /// The entry for `name`; throws if the file has no such tensor.
    public func tensor(_ name: String) throws(SafeTensorsError) -> SafeTensorInfo {
        guard let info = info(name) else {
            throw SafeTensorsError(
                file: file, tensor: name, message: "no such tensor in the file (it holds \(tensors.count) tensors)")
        }
        return info
    }

    // MARK: Reading data

    /// Copies tensor `name` into `destination`, converting F16 and BF16 to Float.
    ///
    /// - Parameters:
    ///   - shape: the shape the caller expects; when given, the tensor's shape must equal it
    ///     exactly, and `destination.count` must be its product (a precondition).
    ///   - destination: caller-owned storage of exactly the tensor's element count, e.g. the
    ///     tensor's view into a parameter slab.
    /// - Throws: if there is no such tensor, its dtype is not F32/F16/BF16, or its shape
    ///   (or element count) differs from what the caller expects; `destination` is then
    ///   untouched.
    public func read(_ name: String, shape expected: [Int]? = nil, into destination: UnsafeMutableBufferPointer<Float>)
        throws(SafeTensorsError)
    {
        let info = try tensor(name)
        if let expected {
            precondition(
                expected.reduce(1, *) == destination.count,
                "SafeTensorsFile.read(\(name)): destination holds \(destination.count) floats, expected shape "
                    + "\(expected) has \(expected.reduce(1, *))"
            )
            guard expected == info.shape else {
                throw SafeTensorsError(
                    file: file, tensor: name,
                    message: "the file has shape \(info.shape), but the model expects \(expected)")
            }
        }
        guard info.elementCount == destination.count else {
            throw SafeTensorsError(
                file: file, tensor: name,
                message:
                    "the file has shape \(info.shape) (\(info.elementCount) elements), but the destination holds "
                    + "\(destination.count) elements"
            )
        }
        guard info.dtype.isReadableAsFloat else {
            throw SafeTensorsError(
                file: file, tensor: name,
                message: "dtype \(info.dtype.rawValue) cannot be read as Float (readable: F32, F16, BF16)")
        }
        guard let target = destination.baseAddress, info.elementCount > 0 else { return }
        let start = dataStart + info.dataOffsets.lowerBound
        bytes.withUnsafeBytes { raw in
            let source = raw.baseAddress! + start
            switch info.dtype {
            case .f32:
                #if _endian(little)
                    UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: info.elementCount * 4)
                #else
                    for k in 0..<info.elementCount {
                        target[k] = Float(
                            bitPattern: UInt32(
                                littleEndian: source.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self)))
                    }
                #endif
            case .f16:
                for k in 0..<info.elementCount {
                    target[k] = floatFromHalfBits(
                        UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self)))
                }
            case .bf16:
                for k in 0..<info.elementCount {
                    let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self))
                    target[k] = Float(bitPattern: UInt32(bits) << 16)
                }
            default:
                preconditionFailure("unreachable: dtype \(info.dtype) was checked readable as Float")
            }
        }
    }

    /// Tensor `name` as a new array of Float (F32 as is, F16 and BF16 converted).
    public func floats(_ name: String) throws(SafeTensorsError) -> [Float] {
        let info = try tensor(name)
        var failure: SafeTensorsError?
        let values = [Float](unsafeUninitializedCapacity: info.elementCount) { buffer, count in
            do throws(SafeTensorsError) {
                try read(name, into: buffer)
                count = info.elementCount
            } catch {
                failure = error
                count = 0
            }
        }
        if let failure { throw failure }
        return values
    }

    /// Tensor `name`, which must be I64, as Int64 values (e.g. `embeddings.position_ids`).
    public func int64s(_ name: String) throws(SafeTensorsError) -> [Int64] {
        let info = try tensor(name)
        guard info.dtype == .i64 else {
            throw SafeTensorsError(
                file: file, tensor: name, message: "dtype \(info.dtype.rawValue) cannot be read as Int64 (expected I64)"
            )
        }
        let start = dataStart + info.dataOffsets.lowerBound
        return bytes.withUnsafeBytes { raw in
            (0..<info.elementCount).map { k in
                Int64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * k, as: Int64.self))
            }
        }
    }
}
