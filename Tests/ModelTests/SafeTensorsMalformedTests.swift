import Testing

@testable import Model

/// Malformed files, built from bytes: each must be refused with a message that names the
/// file, the tensor where there is one, and what was expected against what was found; no
/// byte sequence may trap.
@Suite struct SafeTensorsMalformedTests {
    /// A safetensors file from a header text and a data buffer.
    static func file(header: String, data: [UInt8] = [], headerLength: UInt64? = nil) -> [UInt8] {
        let json = Array(header.utf8)
        let length = headerLength ?? UInt64(json.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + json + data
    }

    /// A valid two-tensor file: "a" F32 [2] at [0, 8), "b" F32 [2, 2] at [8, 24).
    static let valid = file(
        header:
            #"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
            + #""b":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]}}"#,
        data: [UInt8](repeating: 0, count: 24))

    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var bytes: [UInt8]
        /// Fragments the message must contain, besides the file name.
        var fragments: [String]
        var testDescription: String { label }
    }

    static func replacing(_ bytes: [UInt8], at index: Int, with byte: UInt8) -> [UInt8] {
        var bytes = bytes
        bytes[index] = byte
        return bytes
    }

    static func entry(_ body: String, data: Int = 16) -> [UInt8] {
        file(header: #"{"t":"# + body + "}", data: [UInt8](repeating: 0, count: data))
    }

    static let cases: [Case] = [
        Case(
            label: "empty file", bytes: [], fragments: ["the file is 0 bytes, too short for the 8-byte header length"]),
        Case(label: "shorter than 8 bytes", bytes: [1, 0, 0, 0, 0], fragments: ["the file is 5 bytes"]),
        Case(
            label: "header length beyond the file", bytes: file(header: "{}", headerLength: 100),
            fragments: ["the header length is 100 bytes, but only 2 bytes follow the 8-byte length"]),
        Case(
            label: "header length near 2^64", bytes: file(header: "{}", headerLength: UInt64.max),
            fragments: ["the header length is 18446744073709551615 bytes, but only 2 bytes follow"]),
        Case(
            label: "header cut short", bytes: Array(valid[0..<60]),
            fragments: ["the header length is 141 bytes, but only 52 bytes follow"]),
        Case(
            label: "data cut short", bytes: Array(valid.dropLast(4)),
            fragments: [
                "tensor \"b\"", "data_offsets [8, 24] run past the end of the data buffer (20 bytes; truncated file?)",
            ]),
        Case(
            label: "header not JSON", bytes: file(header: "hello"),
            fragments: [
                "the header is not valid JSON (line 1, column 1 of the header): unexpected 'h', expected a value"
            ]),
        Case(
            label: "header truncated JSON", bytes: file(header: #"{"a":"#),
            fragments: ["not valid JSON", "unexpected end of text, expected a value"]),
        Case(
            label: "header a JSON array", bytes: file(header: "[1, 2]"),
            fragments: ["the header is a JSON array, expected an object"]),
        Case(label: "empty header", bytes: file(header: ""), fragments: ["not valid JSON"]),
        Case(
            label: "invalid UTF-8 in a name", bytes: replacing(file(header: #"{"x":1}"#), at: 10, with: 0xFF),
            fragments: ["not valid UTF-8"]),
        Case(
            label: "duplicate names",
            bytes: file(
                header:
                    #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"#
                    + #""a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#,
                data: [0, 0]),
            fragments: ["duplicate key \"a\""]),
        Case(
            label: "overlapping offsets",
            bytes: file(
                header:
                    #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"#
                    + #""b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}"#,
                data: [UInt8](repeating: 0, count: 24)),
            fragments: ["tensor \"b\"", "data_offsets [8, 24] overlap those of tensor \"a\" [0, 16]"]),
        Case(
            label: "identical offsets",
            bytes: file(
                header:
                    #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
                    + #""b":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}}"#,
                data: [UInt8](repeating: 0, count: 8)),
            fragments: ["overlap those of tensor"]),
        Case(
            label: "out-of-range offsets", bytes: entry(#"{"dtype":"F32","shape":[25],"data_offsets":[0,100]}"#),
            fragments: ["tensor \"t\"", "data_offsets [0, 100] run past the end of the data buffer (16 bytes"]),
        Case(
            label: "begin after end", bytes: entry(#"{"dtype":"F32","shape":[2],"data_offsets":[16,8]}"#),
            fragments: ["tensor \"t\"", "data_offsets [16, 8] begin after they end"]),
        Case(
            label: "negative offset", bytes: entry(#"{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}"#),
            fragments: ["data_offsets is [-8,0], expected two non-negative integers"]),
        Case(
            label: "offset beyond 64 bits",
            bytes: entry(#"{"dtype":"F32","shape":[2],"data_offsets":[0,99999999999999999999]}"#),
            fragments: ["expected two non-negative integers"]),
        Case(
            label: "three offsets", bytes: entry(#"{"dtype":"F32","shape":[2],"data_offsets":[0,8,16]}"#),
            fragments: ["data_offsets is [0,8,16], expected an array of two integers [begin, end]"]),
        Case(
            label: "missing data_offsets", bytes: entry(#"{"dtype":"F32","shape":[2]}"#),
            fragments: ["tensor \"t\"", "the entry has no \"data_offsets\""]),
        Case(
            label: "missing dtype", bytes: entry(#"{"shape":[2],"data_offsets":[0,8]}"#),
            fragments: ["the entry has no \"dtype\""]),
        Case(
            label: "missing shape", bytes: entry(#"{"dtype":"F32","data_offsets":[0,8]}"#),
            fragments: ["the entry has no \"shape\""]),
        Case(
            label: "unknown dtype", bytes: entry(#"{"dtype":"F31","shape":[4],"data_offsets":[0,16]}"#),
            fragments: ["tensor \"t\"", "unknown dtype \"F31\" (known: BOOL, U8,", "F32"]),
        Case(
            label: "dtype not a string", bytes: entry(#"{"dtype":32,"shape":[4],"data_offsets":[0,16]}"#),
            fragments: ["dtype is a JSON integer (32), expected a string such as \"F32\""]),
        Case(
            label: "shape/size mismatch", bytes: entry(#"{"dtype":"F32","shape":[3],"data_offsets":[0,16]}"#),
            fragments: ["tensor \"t\"", "data_offsets [0, 16] hold 16 bytes, but shape [3] of F32 needs 12"]),
        Case(
            label: "negative shape", bytes: entry(#"{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}"#),
            fragments: ["shape[0] is -4, expected a non-negative integer"]),
        Case(
            label: "non-integer shape", bytes: entry(#"{"dtype":"F32","shape":[2, 2.0],"data_offsets":[0,16]}"#),
            fragments: ["shape[1] is 2.0, expected a non-negative integer"]),
        Case(
            label: "shape in exponent form", bytes: entry(#"{"dtype":"F32","shape":[4e0],"data_offsets":[0,16]}"#),
            fragments: ["shape[0] is 4e0, expected a non-negative integer"]),
        Case(
            label: "shape not an array", bytes: entry(#"{"dtype":"F32","shape":"4","data_offsets":[0,16]}"#),
            fragments: ["shape is a JSON string (\"4\"), expected an array of non-negative integers"]),
        Case(
            label: "element count overflows",
            bytes: entry(#"{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,16]}"#),
            fragments: ["shape [4294967296, 4294967296, 16] has more elements than fit in 64 bits"]),
        Case(
            label: "byte count overflows",
            bytes: entry(#"{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,16]}"#),
            fragments: ["needs more bytes than fit in 64 bits"]),
        Case(
            label: "sub-byte dtype not whole bytes", bytes: entry(#"{"dtype":"F4","shape":[3],"data_offsets":[0,2]}"#),
            fragments: ["shape [3] of F4 packs 12 bits, not a whole number of bytes"]),
        Case(
            label: "entry not an object", bytes: entry("5"),
            fragments: ["tensor \"t\"", "the entry is a JSON integer (5), expected an object"]),
        Case(
            label: "metadata not strings", bytes: file(header: #"{"__metadata__":{"step":5}}"#),
            fragments: ["__metadata__[\"step\"] is a JSON integer (5), expected a string"]),
        Case(
            label: "metadata not an object", bytes: file(header: #"{"__metadata__":[]}"#),
            fragments: ["__metadata__ is a JSON array, expected an object of strings"]),
        Case(
            label: "deep nesting", bytes: file(header: #"{"t":"# + String(repeating: "[", count: 100_000) + "}"),
            fragments: ["nesting deeper than 64 levels"]),
        Case(
            label: "trailing garbage", bytes: file(header: "{} x"), fragments: ["unexpected 'x' after the JSON value"]),
    ]

    @Test(arguments: cases)
    func refusedWithAClearMessage(_ testCase: Case) {
        let error = #expect(throws: SafeTensorsError.self) {
            try SafeTensorsFile(bytes: testCase.bytes, file: "bad.safetensors")
        }
        guard let error else { return }
        #expect(error.description.hasPrefix("bad.safetensors: "), "\(error)")
        for fragment in testCase.fragments {
            #expect(error.description.contains(fragment), "message: \(error)\nexpected to contain: \(fragment)")
        }
    }

    @Test func validBaseFileParses() throws {
        let file = try SafeTensorsFile(bytes: Self.valid, file: "ok.safetensors")
        #expect(file.names == ["a", "b"])
        #expect(file.metadata == ["format": "pt"])
        #expect(file.info("b")?.dataOffsets == 8..<24)
    }

    @Test func toleratesPaddingGapsAndEmptyTensors() throws {
        let bytes = Self.file(
            header:
                #"{"e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]},"#
                + #""s":{"dtype":"F32","shape":[],"data_offsets":[8,12]}}   "#,
            data: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x3F])
        let file = try SafeTensorsFile(bytes: bytes, file: "gaps.safetensors")
        #expect(try file.floats("e") == [])
        #expect(try file.floats("s") == [1.0])
    }

    /// Every prefix of a valid file, and thousands of random byte edits, either parse or
    /// throw `SafeTensorsError` — none traps (a trap would end the test process).
    @Test func noByteSequenceTraps() {
        var outcomes = (parsed: 0, refused: 0)
        func attempt(_ bytes: [UInt8]) {
            do {
                let file = try SafeTensorsFile(bytes: bytes, file: "fuzz.safetensors")
                for name in file.names {
                    _ = try? file.floats(name)
                    _ = try? file.int64s(name)
                }
                outcomes.parsed += 1
            } catch {
                outcomes.refused += 1
            }
        }
        for length in 0...Self.valid.count { attempt(Array(Self.valid[0..<length])) }
        var generator = FormatsFixtures.Generator(state: 0x9E37_79B9_7F4A_7C15)
        let alphabet = Array(#"{}[]",:0123456789-.eE F32I64U8"#.utf8) + [0, 0xFF, 0x80]
        for _ in 0..<5000 {
            var bytes = Self.valid
            for _ in 0..<(1 + generator.below(4)) {
                let position = generator.below(bytes.count)
                switch generator.below(3) {
                case 0: bytes[position] = alphabet[generator.below(alphabet.count)]
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet[generator.below(alphabet.count)], at: position)
                }
            }
            attempt(bytes)
        }
        #expect(outcomes.parsed + outcomes.refused == Self.valid.count + 1 + 5000)
        #expect(outcomes.refused > 0)
    }
}
