import XCTest
@testable import CarewatchCore

final class CoreJSONTests: XCTestCase {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    func testValidDocuments() throws {
        XCTAssertEqual(try parse("null"), .null)
        XCTAssertEqual(try parse(" true "), .bool(true))
        XCTAssertEqual(try parse("-0.5e2"), .number(-50))
        XCTAssertEqual(try parse("0"), .number(0))
        XCTAssertEqual(try parse("1E+2"), .number(100))
        // Beyond 2^53 a number becomes the nearest double, as in every JSON reader that uses doubles.
        XCTAssertEqual(try parse("123456789012345678"), .number(123_456_789_012_345_680))
        XCTAssertEqual(try parse("\"a\\u00e9\\ud83d\\ude00\\n\\/\""), .string("aé😀\n/"))
        XCTAssertEqual(try parse("\"é😀\""), .string("é😀"))
        XCTAssertEqual(try parse("[1, [], {}, \"x\"]"), .array([1, [], .object(JSONObject()), "x"]))
        let object = try parse("{\"b\":1,\"a\":{\"c\":[null]}}")
        XCTAssertEqual(object.objectValue?.keys, ["b", "a"])
        XCTAssertEqual(object["a"]?["c"], .array([.null]))
        XCTAssertNoThrow(try parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)))
    }

    func testInvalidDocumentsAreRejected() {
        let invalid = [
            "", " ", "{", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{a:1}", "'a'", "01", "-", "1.", ".5", "1e", "+1",
            "NaN", "Infinity", "tru", "nul", "[1] x", "{} {}", "\"abc", "\"\\x\"", "\"\\u12\"", "\"a\u{01}b\"", "\"\t\"",
            "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "{\"a\":1,\"a\":2}", "1e400", "-1e400",
            String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
        ]
        for text in invalid {
            XCTAssertThrowsError(try parse(text), "should reject \(text.debugDescription)")
        }
        // Invalid UTF-8: lone continuation byte, overlong encoding, encoded surrogate, truncated sequence.
        for bytes: [UInt8] in [[0x22, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82]] {
            XCTAssertThrowsError(try JSONParser.parse(bytes))
        }
    }

    func testErrorNamesOffsetAndDuplicateKey() {
        XCTAssertThrowsError(try parse("{\"a\":1,\"a\":2}")) { error in
            let parseError = error as! JSONParseError
            XCTAssertEqual(parseError.offset, 7)
            XCTAssertTrue(parseError.message.contains("duplicate"))
        }
        XCTAssertThrowsError(try parse("[1] x")) { XCTAssertEqual(($0 as! JSONParseError).offset, 4) }
        // Duplicate detection also once an object is past the linear-scan size.
        let many = (0..<20).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        XCTAssertNoThrow(try parse("{\(many)}"))
        XCTAssertThrowsError(try parse("{\(many),\"k3\":0}"))
    }

    func testWriterNumbersAndEscaping() {
        func write(_ value: JSONValue) -> String { String(decoding: value.serialized(), as: UTF8.self) }
        XCTAssertEqual(write(96.0), "96")
        XCTAssertEqual(write(18.8), "18.8")
        XCTAssertEqual(write(.number(0.1 + 0.2)), "0.30000000000000004")
        XCTAssertEqual(write(-3), "-3")
        XCTAssertEqual(write(1e21), "1e+21")
        XCTAssertEqual(write(.number(.infinity)), "null")
        XCTAssertEqual(write("a\"b\\c\n\u{01}\u{1f}é😀"), "\"a\\\"b\\\\c\\n\\u0001\\u001fé😀\"")
        XCTAssertEqual(write(["a": [1, true, nil]]), "{\"a\":[1,true,null]}")
        let nested: JSONValue = ["a": [1, 2], "b": [:]]
        let pretty = String(decoding: nested.serialized(pretty: true), as: UTF8.self)
        XCTAssertEqual(pretty, "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}\n")
    }

    func testRoundTrips() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let value = Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF) * (Bool.random() ? 1 : -1)
            let parsed = try JSONParser.parse(JSONValue.number(value).serialized())
            XCTAssertEqual(parsed, .number(value))
        }
        let document: JSONValue = ["s": "line\r\nquote\"tab\t\u{7f}\u{2028}", "n": [0, -0.25, 123456789, .number(.leastNonzeroMagnitude)], "o": ["x": nil, "y": false]]
        XCTAssertEqual(try JSONParser.parse(document.serialized()), document)
        XCTAssertEqual(try JSONParser.parse(document.serialized(pretty: true)), document)
        var all = ""
        for scalar in (0..<0x800).compactMap(Unicode.Scalar.init) { all.unicodeScalars.append(scalar) }
        XCTAssertEqual(try JSONParser.parse(JSONValue.string(all).serialized()), .string(all))
    }

    func testStreamingObjectMembersAndArrayElements() throws {
        var elements: [String] = []
        var members: [String] = []
        func text(_ value: JSONValue) -> String { String(decoding: value.serialized(), as: UTF8.self) }
        func stream(_ text: String, member: (String, inout Parser) throws -> Void) throws {
            try Array(text.utf8).withUnsafeBufferPointer { try JSONParser.streamObject($0, member: member) }
        }
        /// Arrays element by element, anything else whole.
        func collect(_ key: String, _ parser: inout Parser) throws {
            if parser.bytes[parser.index] == UInt8(ascii: "[") {
                try parser.forEachElement(depth: 1) { elements.append("\(key)=\(text(try $0.parseValue(depth: 2)))") }
            } else {
                members.append("\(key)=\(text(try parser.parseValue(depth: 1)))")
            }
        }
        try stream(#" {"generation":3,"a":[1,{"x":[2]}],"b":[],"c":"s"} "#, member: collect)
        XCTAssertEqual(elements, ["a=1", #"a={"x":[2]}"#])
        XCTAssertEqual(members, ["generation=3", #"c="s""#])
        for bad in [#"{"a":[1]} x"#, #"{"a":[1],"a":[2]}"#, #"{"a":[1,]}"#, #"[1]"#, #"{"a":[1]"#, #"{"a":["\ud800"]}"#, #"{"a":[1 2]}"#] {
            XCTAssertThrowsError(try stream(bad, member: collect), bad)
        }
        // A handler that reads nothing is an error, not an endless loop.
        XCTAssertThrowsError(try stream(#"{"a":1}"#, member: { _, _ in }))
        XCTAssertThrowsError(try stream(#"{"a":[1]}"#, member: { _, parser in try parser.forEachElement(depth: 1) { _ in } }))
    }

    func testNumbersWriteAsTheirShortestRoundTripText() {
        // The short-decimal path must write exactly what `description` writes.
        var values: [Double] = []
        for thousandths in stride(from: 1, through: 200_000, by: 7) { values.append(Double(thousandths) / 1000) }
        for hundredths in 0..<2_000 { values.append(Double(hundredths) / 100 + 999_990) }
        var seed: UInt64 = 7
        for _ in 0..<5_000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            values.append(Double(bitPattern: 0x3F50_0000_0000_0000 | (seed >> 12)))   // 0.001 … 2, full precision
            values.append(Double(seed >> 34) / 1000 - 500_000)
        }
        values += [0.001, 0.1, 0.5, 1.25, 18.8, 213.6, 999_999_999.5, 0.0015, 0.000999, 1e9 + 0.5, 123_456_789.123]
        for value in values + values.map(-) where value.rounded(.towardZero) != value {
            var writer = JSONWriter()
            writer.value(value)
            XCTAssertEqual(String(decoding: writer.bytes, as: UTF8.self), value.description, "\(value)")
        }
    }
}
