import CarewatchCore
import HTTPEngine
import TestFixtures
import XCTest
@testable import CarewatchAPI

/// The YAML reader behind /docs and /openapi.json: what it reads must be what PyYAML reads
/// (the expected values below are PyYAML's, `json.dumps(yaml.safe_load(text))`), and what YAML
/// readers disagree on or it does not support it must refuse, naming the place.
final class YAMLReaderTests: XCTestCase {
    static let agreedWithPyYAML: [(String, String, String)] = [
        ("anchors", ##"base: &b\##n  x: 1\##n  y: 2\##nother:\##n  <<: *b\##n  y: 3\##nlist: &l [1, 2]\##nref: *l\##n"##,
         ##"{"base": {"x": 1, "y": 2}, "other": {"x": 1, "y": 3}, "list": [1, 2], "ref": [1, 2]}"##),
        ("comments", ##"# top\##na: 1 # c\##n# mid\##nb:\##n  # inside\##n  c: 2\##n"##,
         ##"{"a": 1, "b": {"c": 2}}"##),
        ("crlf", ##"a: 1\##r\##nb:\##r\##n  - x\##r\##n"##,
         ##"{"a": 1, "b": ["x"]}"##),
        ("docstart", ##"---\##na: 1\##n...\##n"##,
         ##"{"a": 1}"##),
        ("empty_values", ##"a:\##nb: ''\##nc: ""\##nd: []\##n"##,
         ##"{"a": null, "b": "", "c": "", "d": []}"##),
        ("flow", ##"a: {x: 1, y: [1, 2, {z: w}], 'q': "r"}\##nb: [a,\##n    b, c,\##n  ]\##nc: {}\##nd: []\##n"##,
         ##"{"a": {"x": 1, "y": [1, 2, {"z": "w"}], "q": "r"}, "b": ["a", "b", "c"], "c": {}, "d": []}"##),
        ("flow_multiline_plain", ##"a: [one\##n  two, three]\##n"##,
         ##"{"a": ["one two", "three"]}"##),
        ("folded", ##"a: >\##n  one\##n  two\##n\##n  three\##n    more\##n    indented\##n  back\##n\##nb: >-\##n  x\##n  y\##n"##,
         ##"{"a": "one two\nthree\n  more\n  indented\nback\n", "b": "x y"}"##),
        ("folded_keep", ##"a: >+\##n  x\##n\##n\##n"##,
         ##"{"a": "x\n\n\n"}"##),
        ("key_colon", ##"'a: b': 1\##n"c": 2\##nd e: 3\##n"##,
         ##"{"a: b": 1, "c": 2, "d e": 3}"##),
        ("literal_clip_indent", ##"a: |2\##n    x\##n  y\##nb: 1\##n"##,
         ##"{"a": "  x\ny\n", "b": 1}"##),
        ("literal_keep", ##"a: |+\##n  x\##n  y\##n\##n\##nb: 1\##n"##,
         ##"{"a": "x\ny\n\n\n", "b": 1}"##),
        ("literal_strip", ##"a: |-\##n  x\##n\##n  y\##n\##nb: 1\##n"##,
         ##"{"a": "x\n\ny", "b": 1}"##),
        ("numbers", ##"a: 1\##nb: -2\##nc: 1.5\##nd: .5\##ne: 1.\##nf: 1.0e+3\##ng: 0\##nh: +3\##ni: 3.1.0\##nj: -year\##nk: about:blank\##nl: 2025-03-31,2026-01-01\##nm: null\##nn: ~\##no: true\##np: False\##nq:\##n"##,
         ##"{"a": 1, "b": -2, "c": 1.5, "d": 0.5, "e": 1.0, "f": 1000.0, "g": 0, "h": 3, "i": "3.1.0", "j": "-year", "k": "about:blank", "l": "2025-03-31,2026-01-01", "m": null, "n": null, "o": true, "p": false, "q": null}"##),
        ("plain_multi", ##"a: one\##n  two\##n\##n  three\##nb: c # comment\##n"##,
         ##"{"a": "one two\nthree", "b": "c"}"##),
        ("quoted_multi", ##"a: 'one\##n  two\##n\##n  three'\##nb: "x\ty\u00e9 \\##n  z"\##nc: "line\##n  next"\##n"##,
         ##"{"a": "one two\nthree", "b": "x\tyé z", "c": "line next"}"##),
        ("seq_compact", ##"- a: 1\##n  b: 2\##n- - x\##n  - y\##n- plain\##n- |\##n  block\##n-\##n  nested: yes_string\##n"##,
         ##"[{"a": 1, "b": 2}, ["x", "y"], "plain", "block\n", {"nested": "yes_string"}]"##),
        ("seq_same_indent", ##"key:\##n- a\##n- b\##nother: 1\##n"##,
         ##"{"key": ["a", "b"], "other": 1}"##),
        ("strings", ##"a: it's\##nb: 'it''s'\##nc: "q\"d"\##nd: x#y\##ne: a -b\##nf: http://x.example/p?q=1#frag\##ng: '#/components'\##n"##,
         ##"{"a": "it's", "b": "it's", "c": "q\"d", "d": "x#y", "e": "a -b", "f": "http://x.example/p?q=1#frag", "g": "#/components"}"##),
        ("unicode", ##"a: café\##nb: "\u2028"\##nc: ✓ done\##n"##,
         ##"{"a": "café", "b": " ", "c": "✓ done"}"##),
    ]

    func testReadsWhatPyYAMLReads() throws {
        for (name, text, expected) in YAMLReaderTests.agreedWithPyYAML {
            let value = try YAMLReader.parse(text)
            XCTAssertEqual(value, try JSONParser.parse(expected), name)
        }
    }

    func testReadsTheSameWithoutAFinalLineBreak() throws {
        for (name, text, expected) in YAMLReaderTests.agreedWithPyYAML where text.hasSuffix("\n") && !text.hasSuffix("\n\n") && name != "folded_keep" {
            XCTAssertEqual(try YAMLReader.parse(String(text.dropLast())), try JSONParser.parse(expected), name)
        }
    }

    func testRefusesWhatItDoesNotUnderstandNamingThePlace() {
        let refused: [(String, line: Int, column: Int, because: String)] = [
            ("a: !!str 1\n", 1, 4, "tags"),
            ("%YAML 1.2\n---\na: 1\n", 1, 1, "directives"),
            ("? a\n: b\n", 1, 1, "complex keys"),
            ("a: 1\n---\nb: 2\n", 2, 1, "one document"),
            ("a:\n\tb: 1\n", 2, 1, "tabs"),
            ("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a'"),
            ("paths:\n  200: ok\n", 2, 3, "the key '200' is read as a number"),
            ("yes: 1\n", 1, 1, "must be quoted"),
            ("a: yes\n", 1, 4, "boolean"),
            ("a: 0755\n", 1, 4, "must be quoted"),
            ("a: 1_000\n", 1, 4, "must be quoted"),
            ("a: 1:30\n", 1, 4, "must be quoted"),
            ("a: 2024-03-31\n", 1, 4, "date"),
            ("a: 1e3\n", 1, 4, "must be quoted"),
            ("a: -.5\n", 1, 4, "must be quoted"),
            ("a: .inf\n", 1, 4, "JSON cannot hold"),
            ("a: 123456789012345678901\n", 1, 4, "too large"),
            ("- &a b: c\n", 1, 6, "anchor before an implicit key"),
            ("a: [b: c]\n", 1, 6, "single-pair mappings"),
            ("a: [1, 2\nb: 3\n", 2, 1, "indented more than its parent"),
            ("a: 'abc\n", 1, 4, "not closed"),
            ("a: b: c\n", 1, 4, "cannot start on the line of its key"),
            ("a: b c: d\n", 1, 4, "cannot start on the line of its key"),
            ("a:\n    b: 1\n  c: 2\n", 3, 3, "indented more than the keys before it"),
            ("a: *nope\n", 1, 4, "no anchor"),
            ("a: \"\\q\"\n", 1, 5, "unknown escape"),
            ("a: - b\n", 1, 4, "cannot start on the line of its key"),
            ("a: [1] x\n", 1, 8, "unexpected text"),
            ("a: 1\n  b: 2\n", 2, 4, "': '"),
            ("a: |x\n  b\n", 1, 4, "block scalar's header"),
            ("a: x\n- b\n", 2, 1, "sequence item where a key"),
        ]
        for (text, line, column, because) in refused {
            XCTAssertThrowsError(try YAMLReader.parse(text), text) { error in
                guard let error = error as? YAMLError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.line, line, "\(text): \(error)")
                XCTAssertEqual(error.column, column, "\(text): \(error)")
                XCTAssertTrue(error.message.contains(because), "\(text): \(error)")
            }
        }
    }

    func testPlainScalarsReadAsBothYAMLVersionsAgree() {
        let agreed: [(String, JSONValue)] = [
            ("1", 1), ("-2", -2), ("+3", 3), ("0", 0), ("1.5", 1.5), (".5", 0.5), ("1.", 1), ("1.0e+3", 1000), ("-1.5E-2", -0.015),
            ("null", nil), ("~", nil), ("", nil), ("True", true), ("FALSE", false),
            ("3.1.0", "3.1.0"), ("-year", "-year"), ("about:blank", "about:blank"), ("2025-03-31,2026-01-01", "2025-03-31,2026-01-01"),
            ("E08000028", "E08000028"), ("x1", "x1"), ("1x", "1x"), ("0x", "0x"), ("1-2", "1-2"), ("+", "+"), ("-", "-"), (".", "."),
        ]
        for (text, value) in agreed { XCTAssertEqual(YAMLScalar.resolve(plain: text), .value(value), text) }
        for text in ["yes", "No", "on", "OFF", "007", "09", "0o17", "0x1F", "0b101", "1_000", "1:30", "190:20:30", "1e3", "1.0e5", "+.5",
                     "-.5", ".inf", "-.Inf", ".NaN", "2024-03-31", "2024-3-1", "2001-12-14t21:59:43.10-05:00", "=", "<<",
                     "9007199254740993"] {
            guard case .ambiguous = YAMLScalar.resolve(plain: text) else { return XCTFail("\(text) should be refused") }
        }
    }

    /// The document the server carries: read whole, every operation the router serves is in
    /// it, every `$ref` points at something, and the shared OPTIONS answer is on every path.
    func testTheEmbeddedOpenAPIDocumentReads() throws {
        let document = try DocumentationRoutes.openAPI.get()
        XCTAssertEqual(document["openapi"], "3.1.0")
        let paths = try XCTUnwrap(document["paths"]?.objectValue)
        let context = APIContext(authenticator: BearerAuthenticator(keys: []), readiness: Readiness(), gate: StoreGate(maximumWait: .seconds(30)))
        let router = APIRouter.make(context: context, metrics: RequestMetrics(namespace: "carewatch"), corsOrigins: [], accessLog: false,
                                    importBodyLimit: 1 << 20, openConnections: { 0 })
        for route in router.routes {
            XCTAssertNotNil(paths[route.pattern]?[route.method.rawValue.lowercased()], "\(route.method) \(route.pattern) is not documented")
        }
        // One shared OPTIONS operation, in variants whose path parameters take any text.
        let shared = try XCTUnwrap(document["x-shared"]?.objectValue)
        let variants = ["options", "options-council", "options-council-year", "options-inspection"].compactMap { shared[$0] }
        XCTAssertEqual(variants.count, 4)
        for (path, item) in paths {
            XCTAssertTrue(variants.contains { item["options"] == $0 }, "\(path): an aliased OPTIONS operation")
        }

        var references: [String] = []
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let object):
                for (key, member) in object {
                    if key == "$ref", let target = member.stringValue { references.append(target) } else { collect(member) }
                }
            case .array(let items): items.forEach(collect)
            default: break
            }
        }
        collect(document)
        XCTAssertGreaterThan(references.count, 100)
        for reference in Set(references) {
            XCTAssertTrue(reference.hasPrefix("#/"), reference)
            var node: JSONValue? = document
            for part in reference.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
            XCTAssertNotNil(node, "\(reference) points at nothing")
        }
    }

    func testTheRepositorysOpenAPIFileIsTheEmbeddedOne() throws {
        let text = try String(contentsOfFile: RepositoryData.packageRoot + "/openapi.yaml", encoding: .utf8)
        XCTAssertEqual(try YAMLReader.parse(text), try DocumentationRoutes.openAPI.get())
    }
}
