import Foundation
import TestSupport
import Testing

@testable import Model

/// The writer: byte-identical to Python's `save_file` for F32 input, bit-exact round trips,
/// and refusals of inconsistent input.
@Suite struct SafeTensorsWriterTests {
    /// Writes `tensors` (name, shape, values) through `SafeTensorsWriter`.
    static func write(_ tensors: [(String, [Int], [Float])], metadata: [String: String] = [:], to path: String) throws {
        // Keep the arrays alive and their storage fixed while the writer reads the pointers.
        let storage = tensors.map { tensor in
            let pointer = UnsafeMutableBufferPointer<Float>.allocate(capacity: tensor.2.count)
            _ = pointer.initialize(from: tensor.2)
            return pointer
        }
        defer { storage.forEach { $0.deallocate() } }
        let entries = zip(tensors, storage).map {
            SafeTensorsEntry(name: $0.0.0, shape: $0.0.1, data: UnsafeBufferPointer($0.1))
        }
        try SafeTensorsWriter.write(entries, metadata: metadata, to: path)
    }

    /// The tensors of tools/formats-fixtures.py `python_f32()`: values k × 0.25 − 1.
    static let pythonF32Tensors: [(String, [Int], [Float])] = [
        ("b.weight", [2, 3]), ("a.bias", [3]), ("scalar", []), ("empty", [0, 4]), ("c.weight", [1, 5]),
    ].map { name, shape in
        (name, shape, (0..<shape.reduce(1, *)).map { Float($0) * 0.25 - 1 })
    }

    @Test func f32OutputIsByteForByteWhatPythonWrites() throws {
        let directory = try FormatsFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ours.safetensors"
        try Self.write(Self.pythonF32Tensors, metadata: ["format": "pt"], to: path)
        let ours = try #require(FileManager.default.contents(atPath: path))
        let python = try FormatsFixtures.bytes("python-f32.safetensors")
        #expect(
            [UInt8](ours) == python,
            Comment(
                rawValue: "ours:\n\(String(decoding: ours.prefix(420), as: UTF8.self))"
                    + "\npython:\n\(String(decoding: python.prefix(420), as: UTF8.self))")
        )
    }

    @Test func roundTripKeepsEveryBit() throws {
        var generator = FormatsFixtures.Generator(state: 42)
        let special: [Float] = [
            0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude,
            Float(bitPattern: 0x7FC0_1234), Float(bitPattern: 0xFF80_0001),  // NaNs with payloads
        ]
        let random = (0..<1000).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())) }
        let tensors: [(String, [Int], [Float])] = [
            ("z.special", [special.count], special),
            ("encoder.layer.0.weight", [10, 100], random),
            ("a", [1, 1, 1], [3.5]),
            ("ünïcode name \"quoted\"", [2], [1, 2]),
        ]
        let directory = try FormatsFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/round.safetensors"
        try Self.write(tensors, metadata: ["step": "7", "format": "pt"], to: path)

        let file = try SafeTensorsFile(contentsOf: path)
        #expect(file.metadata == ["step": "7", "format": "pt"])
        #expect(file.names == tensors.map(\.0).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        for (name, shape, values) in tensors {
            #expect(file.info(name)?.shape == shape)
            #expect(file.info(name)?.dtype == .f32)
            #expect(try file.floats(name).map(\.bitPattern) == values.map(\.bitPattern), "\(name)")
        }
        // Header padded to a multiple of 8 and tensors laid out back to back from offset 0.
        let bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
        let headerLength = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        #expect(headerLength % 8 == 0)
        let ranges = file.tensors.map(\.dataOffsets).sorted { $0.lowerBound < $1.lowerBound }
        #expect(ranges.first?.lowerBound == 0)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(bytes.count == 8 + headerLength + ranges.last!.upperBound)
    }

    /// The whole MiniLM checkpoint through write and read: every F32 tensor bit-identical.
    /// With DDP_TRAIN_FORMATS_EXPORT=DIR the output (and a config.json) is kept in DIR for
    /// `tools/formats-fixtures.py --check DIR`, which loads it with Python.
    @Test func miniLMRoundTrip() throws {
        let model = try PretrainedModel.directory().path
        let original = try SafeTensorsFile(contentsOf: model + "/model.safetensors")
        let names = original.tensors.filter { $0.dtype == .f32 }.map(\.name)
        let values = try names.map { try original.floats($0) }
        let export = ProcessInfo.processInfo.environment["DDP_TRAIN_FORMATS_EXPORT"]
        let directory = try export ?? FormatsFixtures.temporaryDirectory()
        defer { if export == nil { try? FileManager.default.removeItem(atPath: directory) } }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.write(
            zip(names, values).map { ($0, original.info($0)!.shape, $1) }, metadata: ["format": "pt"],
            to: directory + "/model.safetensors")

        let copy = try SafeTensorsFile(contentsOf: directory + "/model.safetensors")
        #expect(copy.names == names)
        for (name, floats) in zip(names, values) {
            #expect(copy.info(name)?.shape == original.info(name)?.shape)
            #expect(try copy.floats(name).map(\.bitPattern) == floats.map(\.bitPattern), "\(name)")
        }

        if export != nil {
            // A BertForSequenceClassification config, for the Python check: the MiniLM encoder
            // under a 2-label head (the head's weights are absent: transformers initialises them).
            var config = try HuggingFaceConfig(contentsOf: model + "/config.json")
            config.architectures = ["BertForSequenceClassification"]
            config.labels = ["negative", "positive"]
            config.problemType = "single_label_classification"
            try config.write(to: directory + "/config.json")
        }
    }

    @Test func refusesInconsistentEntries() throws {
        let directory = try FormatsFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/bad.safetensors"
        let cases: [([(String, [Int], [Float])], String)] = [
            ([("w", [2, 3], [1, 2, 3])], "tensor \"w\": shape [2, 3] has 6 elements, but the data holds 3 floats"),
            ([("w", [-1], [])], "tensor \"w\": shape [-1] has a negative dimension"),
            ([("w", [1], [1]), ("w", [1], [2])], "tensor \"w\": the name is given twice"),
            ([("__metadata__", [1], [1])], "the name is reserved for the metadata map"),
            ([("w", [Int.max, 2], [])], "has more elements than fit in 64 bits"),
        ]
        for (tensors, message) in cases {
            let error = #expect(throws: SafeTensorsError.self) { try Self.write(tensors, to: path) }
            #expect(
                error?.description == "\(path): \(message)" || error?.description.contains(message) == true,
                "\(String(describing: error))")
        }
        #expect(!FileManager.default.fileExists(atPath: path), "nothing is written when the entries are refused")

        let unwritable = #expect(throws: SafeTensorsError.self) {
            try Self.write([("w", [1], [1])], to: directory + "/missing/dir/x.safetensors")
        }
        #expect(
            unwritable?.description.contains("cannot create the file: open failed: No such file or directory") == true,
            "\(String(describing: unwritable))")
    }
}
