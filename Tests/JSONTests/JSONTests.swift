import JSON
import Testing

/// The strict JSON parser and writer (first written for the safetensors header and config.json).
@Suite struct JSONTests {
    static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test func parsesEveryKindOfValue() throws {
        let value = try Self.parse(#" {"a": [1, -2.5e+3, true, false, null], "b": {"c": "d"}, "e": ""} "#)
        #expect(
            value
                == .object([
                    JSONMember(
                        key: "a", value: .array([.number("1"), .number("-2.5e+3"), .bool(true), .bool(false), .null])),
                    JSONMember(key: "b", value: .object([JSONMember(key: "c", value: .string("d"))])),
                    JSONMember(key: "e", value: .string("")),
                ]))
        #expect(value["a"]?.typeName == "array")
        #expect(JSONValue.number("12").integerValue == 12)
        #expect(JSONValue.number("1.0").integerValue == nil)
        #expect(JSONValue.number("99999999999999999999").integerValue == nil)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try Self.parse(#""q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud83d\ude00 é""#)
        #expect(value == .string("q\" b\\ s/ \u{08}\u{0C}\n\r\t é 😀 é"))
    }

    @Test(arguments: [
        ("01", "unexpected '1' after the JSON value"),
        ("1.", "a number needs a digit after '.'"),
        ("-", "a number needs a digit after '-'"),
        ("1e", "a number needs a digit in its exponent"),
        ("+1", "unexpected '+', expected a value"),
        ("tru", "unexpected end of text in a literal"),
        ("nul1", "invalid literal, expected null"),
        (#"{"a" 1}"#, "expected ':' after key \"a\""),
        (#"{"a":1,}"#, "unexpected '}', expected a string key"),
        ("[1 2]", "expected ',' or ']' in an array"),
        (#"{"a":1,"a":2}"#, "duplicate key \"a\""),
        (#""\x""#, "invalid escape '\\x' in a string"),
        (#""\ud800""#, "unpaired high surrogate"),
        (#""\udc00""#, "unpaired low surrogate"),
        (#""\u12""#, "\\u escape needs four hex digits"),
        ("\"tab\there\"", "unescaped control character 0x9 in a string"),
        ("\"open", "unterminated string"),
        ("", "unexpected end of text, expected a value"),
    ])
    func refusesInvalidText(_ text: String, _ message: String) {
        let error = #expect(throws: JSONParseError.self) { try Self.parse(text) }
        #expect(error?.message.contains(message) == true, "\(String(describing: error)) for \(text)")
    }

    @Test func errorsGiveLineAndColumn() {
        let error = #expect(throws: JSONParseError.self) { try Self.parse("{\n  \"a\": 1,\n  \"b\" 2\n}") }
        #expect(error?.line == 3 && error?.column == 7, "\(String(describing: error))")
    }

    @Test func prettyOutputFollowsPythonJSONDumps() throws {
        // Python: json.dumps({"b": [1, {"z": None, "a": "x\n"}], "a": {}, "c": []}, indent=2, sort_keys=True)
        let value = try Self.parse(#"{"b": [1, {"z": null, "a": "x\n"}], "a": {}, "c": []}"#)
        #expect(
            JSONWriter.pretty(value) == """
                {
                  "a": {},
                  "b": [
                    1,
                    {
                      "a": "x\\n",
                      "z": null
                    }
                  ],
                  "c": []
                }

                """)
        #expect(JSONWriter.compact(value) == #"{"b":[1,{"z":null,"a":"x\n"}],"a":{},"c":[]}"#)
        // Control characters are escaped; the result parses back to the same string.
        let control = JSONValue.string("\u{01}\u{1F}\"")
        #expect(try JSONParser.parse(Array(JSONWriter.compact(control).utf8)) == control)
    }
}
