import JSON
import Testing

/// Escaping, number formatting and one-line records.
@Suite struct JSONWritingTests {
    @Test func quotedEscapesQuotesBackslashesAndControlCharacters() throws {
        #expect(JSON.quoted("plain") == #""plain""#)
        #expect(JSON.quoted("") == #""""#)
        #expect(JSON.quoted("say \"hi\" \\ now") == #""say \"hi\" \\ now""#)
        #expect(JSON.quoted("a\nb\rc\td\u{08}e\u{0C}f") == #""a\nb\rc\td\be\ff""#)
        #expect(JSON.quoted("\u{00}\u{01}\u{1F}") == #""\u0000\u0001\u001f""#)
        // DEL and the slash need no escape.
        #expect(JSON.quoted("\u{7F}/") == "\"\u{7F}/\"")
        // Every control character reads back as itself.
        let controls = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) }))
        #expect(try JSONParser.parse(JSON.quoted(controls)) == .string(controls))
    }

    @Test func quotedKeepsNonASCIIAsUTF8() throws {
        let text = "café – 東京 😀 e\u{301}"
        #expect(JSON.quoted(text) == "\"" + text + "\"")
        #expect(try JSONParser.parse(JSON.quoted(text + "\n\"")) == .string(text + "\n\""))
        var out = "x="
        JSON.appendQuoted("é\t", to: &out)
        #expect(out == #"x="é\t""#)
    }

    @Test func wholeNumbersPrintAsIntegers() {
        #expect(JSON.number(50.0) == "50")
        #expect(JSON.number(-3.0) == "-3")
        #expect(JSON.number(-0.0) == "0")
        #expect(JSON.number(0.61) == "0.61")
        #expect(JSON.number(4.9e-05) == "4.9e-05")
        // From 1e15 on, Swift's shortest form (still valid JSON).
        #expect(JSON.number(1e15) == "1000000000000000.0")
        #expect(JSON.number(1e17) == "1e+17")
        #expect(JSON.number(999_999_999_999_999.0) == "999999999999999")
        #expect(JSON.number(Double.nan) == "null")
        #expect(JSON.number(-Double.infinity) == "null")
        #expect(JSON.number(Float(0.1)) == "0.1")
        #expect(JSON.number(Float(16)) == "16")
        #expect(JSON.number(Float.infinity) == "null")
        #expect(JSON.normalizedNumber("1") == "1")
        #expect(JSON.normalizedNumber("1.0") == "1")
        #expect(JSON.normalizedNumber("1e2") == "100")
        #expect(JSON.normalizedNumber("-0") == "0")
        #expect(JSON.normalizedNumber("2.5") == "2.5")
        #expect(JSON.normalizedNumber("12345678901234567890123") == "12345678901234567890123")
        #expect(JSONValue(2.0) == .number("2"))
        #expect(JSONValue(Double.nan) == .null)
        #expect(JSONValue(7) == .number("7"))
    }

    @Test func recordsAreOneLineInAppendOrder() throws {
        var record = JSONRecord()
        record.append("step", 50)
        record.append("epoch", 0.25)
        record.append("loss", Double.nan)
        record.append("label", "a \"b\"\n")
        record.append("ok", true)
        record.append("probabilities", .array([JSONValue(Float(0.9)), JSONValue(Float(0.1))]))
        record.append("nested", .object([JSONMember(key: "k", value: .array([]))]))
        let line = record.line
        #expect(
            line == #"{"step": 50, "epoch": 0.25, "loss": null, "label": "a \"b\"\n", "ok": true, "#
                + #""probabilities": [0.9, 0.1], "nested": {"k": []}}"#)
        #expect(!line.contains("\n"))
        #expect(try JSONParser.parse(line) == record.value)
        #expect(JSONRecord().line == "{}")
    }
}
