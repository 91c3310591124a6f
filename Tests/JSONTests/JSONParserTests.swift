import JSON
import Testing

/// Parser errors carry the byte offset, line and column of the problem; the typed reader
/// names the file and key path.
@Suite struct JSONParserTests {
    static func error(_ text: String) -> JSONParseError? {
        return #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func errorPositionsCountBytesLinesAndColumns() {
        let atStart = Self.error("?")
        #expect(atStart == JSONParseError(offset: 0, line: 1, column: 1, message: "unexpected '?', expected a value"))
        // Columns count bytes: "é" is two.
        let afterAccent = Self.error(#"["é", x]"#)
        #expect(afterAccent?.offset == 7 && afterAccent?.line == 1 && afterAccent?.column == 8)
        let secondLine = Self.error("{\"a\": 1,\r\n \"a\": 2}")
        #expect(secondLine?.message == "duplicate key \"a\"")
        #expect(secondLine?.line == 2 && secondLine?.column == 2 && secondLine?.offset == 11)
        #expect(secondLine?.description == "line 2, column 2: duplicate key \"a\"")
        // An escape error points at the backslash; an unterminated string at its quote.
        #expect(Self.error(#"  "ab\q""#)?.column == 6)
        #expect(Self.error("[\"abc")?.column == 2)
    }

    @Test func duplicateKeysAreFoundInLargeObjects() {
        let members = (0..<100).map { "\"k\($0)\": \($0)" }
        let error = Self.error("{" + members.joined(separator: ", ") + ", \"k42\": 0}")
        #expect(error?.message == "duplicate key \"k42\"")
    }

    @Test func depthIsLimitedAndBadBytesNeverTrap() throws {
        let deep = String(repeating: "[", count: JSONParser.maximumDepth + 1)
        #expect(Self.error(deep)?.message.contains("nesting deeper") == true)
        let fine = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONParser.parse(fine) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0x5C, 0xFF, 0x22]) }
        for bytes in [[UInt8](), [0x5B], [0x22, 0x5C], [0x22, 0x5C, 0x75, 0x44]] {
            #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        }
    }

    @Test func stringsWithAndWithoutEscapesDecode() throws {
        #expect(
            try JSONParser.parse(#"["plain", "a\"b", "tab\tx", "\u0041\u00e9"]"#)
                == .array([.string("plain"), .string("a\"b"), .string("tab\tx"), .string("Aé")]))
        // The scratch buffer is reused: a short escaped string after a long one.
        #expect(try JSONParser.parse(#"["\n0123456789", "\nx"]"#) == .array([.string("\n0123456789"), .string("\nx")]))
    }

    @Test func readerNamesFileKeyAndFoundValue() throws {
        let root = try JSONParser.parse(#"{"n": 1.0, "big": 3000000000, "s": "yes", "o": {"a": [1, 2]}}"#)
        let reader = JSONReader(file: "x.json")
        let object = try reader.object(root, key: "(top level)")
        #expect(try reader.int(object["n"], key: "n") == 1)
        #expect(try reader.int(object["missing"], key: "missing", default: 7) == 7)
        #expect(try reader.bool(object["missing"], key: "missing", default: true))
        #expect(try reader.optionalBool(.null, key: "x") == nil)
        #expect(try reader.array(try reader.object(object["o"], key: "o")["a"], key: "o.a").count == 2)
        #expect(
            throws: JSONReadError(
                file: "x.json", key: "big", expected: "a whole number in 0...2147483647",
                found: "3000000000")
        ) { try reader.int(object["big"], key: "big") }
        #expect(throws: JSONReadError(file: "x.json", key: "s", expected: "true or false", found: "\"yes\"")) {
            try reader.bool(object["s"], key: "s", default: false)
        }
        let missing = #expect(throws: JSONReadError.self) { try reader.string(object["t"], key: "o.t") }
        #expect(missing?.description == "x.json: key \"o.t\": expected a string, found no such key")
        #expect(JSONValue.object([]).summary == "an object with 0 keys")
        #expect(JSONValue.string(String(repeating: "a", count: 41)).summary == "a string of 41 characters")
    }
}
