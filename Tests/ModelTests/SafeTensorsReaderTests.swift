import Foundation
import TestSupport
import Testing

@testable import Model

/// The reader against files written by others: the real all-MiniLM-L6-v2 checkpoint and a
/// small file from Python's `safetensors.torch.save_file`, with expected values read by the
/// Python package (tools/formats-fixtures.py).
@Suite struct SafeTensorsReaderTests {
    static let torchToDType = ["float32": "F32", "float16": "F16", "bfloat16": "BF16", "int64": "I64"]

    @Test func miniLMTensorListMatchesPython() throws {
        let file = try SafeTensorsFile(contentsOf: try PretrainedModel.directory().path + "/model.safetensors")
        let golden = try FormatsFixtures.json("minilm-values.json")
        let entries = try #require(golden["tensors"] as? [[String: Any]])

        // 103 parameters (5 embedding, 6 × 16 layer, 2 pooler) and the I64 position_ids buffer.
        #expect(file.tensors.count == 104)
        #expect(entries.count == 104)
        #expect(file.metadata == (golden["metadata"] as? [String: String]))
        #expect(file.names == entries.map { $0["name"] as? String ?? "?" })
        for entry in entries {
            let name = try #require(entry["name"] as? String)
            let info = try file.tensor(name)
            #expect(info.shape == (entry["shape"] as? [Int]), "\(name)")
            #expect(info.dtype.rawValue == Self.torchToDType[entry["dtype"] as? String ?? ""], "\(name)")
        }
    }

    @Test func miniLMKnownShapesAndParameterCount() throws {
        let file = try SafeTensorsFile(contentsOf: try PretrainedModel.directory().path + "/model.safetensors")
        #expect(file.info("embeddings.word_embeddings.weight")?.shape == [30522, 384])
        #expect(file.info("embeddings.position_embeddings.weight")?.shape == [512, 384])
        #expect(file.info("encoder.layer.0.intermediate.dense.weight")?.shape == [1536, 384])
        #expect(file.info("encoder.layer.5.output.dense.weight")?.shape == [384, 1536])
        #expect(file.info("pooler.dense.bias")?.shape == [384])
        #expect(file.info("embeddings.position_ids")?.dtype == .i64)
        #expect(file.info("embeddings.position_ids")?.shape == [1, 512])
        // FORMATS.md: 22,713,216 parameters without a head; the I64 buffer is not one.
        let parameters = file.tensors.filter { $0.dtype == .f32 }.reduce(0) { $0 + $1.elementCount }
        #expect(parameters == 22_713_216)
    }

    @Test func miniLMValuesMatchPython() throws {
        let file = try SafeTensorsFile(contentsOf: try PretrainedModel.directory().path + "/model.safetensors")
        let golden = try FormatsFixtures.json("minilm-values.json")
        let values = try #require(golden["values"] as? [[String: Any]])
        #expect(values.count >= 10)
        var cache: [String: [Float]] = [:]
        for value in values {
            let name = try #require(value["tensor"] as? String)
            let index = try #require(value["index"] as? Int)
            let bits = try #require(value["bits"] as? Int)
            let floats = try cache[name] ?? file.floats(name)
            cache[name] = floats
            #expect(
                floats[index].bitPattern == UInt32(bits),
                "\(name)[\(index)] = \(floats[index]), Python read \(value["value"] ?? "?")")
        }
        let positionIds = try file.int64s("embeddings.position_ids")
        #expect(positionIds == (0..<512).map(Int64.init))
    }

    @Test func readIntoCallerBufferChecksShapeAndCount() throws {
        let file = try SafeTensorsFile(contentsOf: try PretrainedModel.directory().path + "/model.safetensors")
        var slab = [Float](repeating: .nan, count: 384 + 2)
        try slab.withUnsafeMutableBufferPointer { buffer in
            let view = UnsafeMutableBufferPointer(rebasing: buffer[1..<385])
            try file.read("pooler.dense.bias", shape: [384], into: view)
        }
        #expect(slab.first!.isNaN && slab.last!.isNaN, "writes stay inside the destination")
        #expect(Array(slab[1..<385]) == (try file.floats("pooler.dense.bias")))

        var wrong = [Float](repeating: 0, count: 2 * 192)
        let shapeError = wrong.withUnsafeMutableBufferPointer { buffer in
            #expect(throws: SafeTensorsError.self) {
                try file.read("pooler.dense.bias", shape: [2, 192], into: buffer)
            }
        }
        #expect(shapeError?.description.contains("pooler.dense.bias") == true)
        #expect(
            shapeError?.description.contains("the file has shape [384], but the model expects [2, 192]") == true,
            "\(String(describing: shapeError))")

        var short = [Float](repeating: 0, count: 100)
        let countError = short.withUnsafeMutableBufferPointer { buffer in
            #expect(throws: SafeTensorsError.self) { try file.read("pooler.dense.bias", into: buffer) }
        }
        #expect(
            countError?.description.contains("shape [384] (384 elements), but the destination holds 100") == true,
            "\(String(describing: countError))")
    }

    @Test func refusesWrongDTypesAndUnknownNames() throws {
        let file = try SafeTensorsFile(contentsOf: try PretrainedModel.directory().path + "/model.safetensors")
        let asFloat = #expect(throws: SafeTensorsError.self) { try file.floats("embeddings.position_ids") }
        #expect(
            asFloat?.description
                == "\(file.file): tensor \"embeddings.position_ids\": dtype I64 cannot be read as Float (readable: "
                + "F32, F16, BF16)"
        )
        let asInt = #expect(throws: SafeTensorsError.self) { try file.int64s("pooler.dense.bias") }
        #expect(asInt?.description.contains("dtype F32 cannot be read as Int64") == true)
        let missing = #expect(throws: SafeTensorsError.self) { try file.floats("bert.pooler.dense.bias") }
        #expect(
            missing?.description.contains(
                "tensor \"bert.pooler.dense.bias\": no such tensor in the file (it holds 104 tensors)") == true)
    }

    @Test func missingFileNamesThePath() {
        let error = #expect(throws: SafeTensorsError.self) {
            try SafeTensorsFile(contentsOf: "/nonexistent/model.safetensors")
        }
        #expect(
            error?.description.hasPrefix(
                "/nonexistent/model.safetensors: cannot read the file: open failed: No such file") == true,
            "\(String(describing: error))")
    }

    @Test func pythonWrittenF32F16BF16ReadExactly() throws {
        let file = try SafeTensorsFile(contentsOf: FormatsFixtures.path("python-mixed.safetensors"))
        let golden = try FormatsFixtures.json("python-mixed.json")
        let tensors = try #require(golden["tensors"] as? [String: [String: Any]])
        #expect(file.metadata == (golden["metadata"] as? [String: String]))
        #expect(Set(file.names) == Set(tensors.keys))
        for (name, expected) in tensors {
            let info = try file.tensor(name)
            #expect(info.shape == (expected["shape"] as? [Int]), "\(name)")
            #expect(info.dtype.rawValue == Self.torchToDType[expected["dtype"] as? String ?? ""], "\(name)")
            if let bits = expected["bits"] as? [Int] {
                let values = try file.floats(name)
                #expect(values.map(\.bitPattern) == bits.map(UInt32.init), "\(name): \(values)")
            }
            if let integers = expected["values"] as? [Int] {
                #expect(try file.int64s(name) == integers.map(Int64.init), "\(name)")
            }
        }
        #expect(file.info("f16")?.dtype == .f16)
        #expect(file.info("bf16")?.dtype == .bf16)
    }

    /// Every one of the 65,536 half-precision bit patterns converts as Swift's own `Float16`
    /// does (NaNs: still NaN, same sign).
    #if !(os(macOS) && arch(x86_64))
        @Test func halfConversionIsExactForEveryBitPattern() {
            var mismatches: [UInt16] = []
            for bits in UInt16.min...UInt16.max {
                let ours = floatFromHalfBits(bits)
                let reference = Float(Float16(bitPattern: bits))
                let same =
                    reference.isNaN
                    ? ours.isNaN && ours.sign == reference.sign
                    : ours.bitPattern == reference.bitPattern
                if !same { mismatches.append(bits) }
            }
            #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(5).map { String($0, radix: 16) })")
        }
    #endif
}
