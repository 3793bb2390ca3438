import CarewatchCore
import Foundation
import HTTPTestClient
import XCTest
@testable import CarewatchAPI

/// `/docs` and `/openapi.json` over a real socket: one self-contained page that shows every
/// operation, parameter, schema and example of the document the server carries, with curl
/// lines that work as pasted.
final class DocsPageTests: APITestCase {
    var document: OpenAPIDocument { OpenAPIDocument(try! DocumentationRoutes.openAPI.get()) }

    func page() throws -> String {
        let response = try server.get("/docs")
        assertStatus(response, 200)
        return response.text
    }

    func testThePageIsSelfContainedHTMLWithoutScript() throws {
        let response = try server.get("/docs")
        assertStatus(response, 200)
        XCTAssertEqual(response.header("Content-Type"), "text/html; charset=utf-8")
        XCTAssertTrue(response.header("Content-Security-Policy")?.hasPrefix("default-src 'none'") ?? false, "\(response)")
        XCTAssertEqual(response.header("X-Content-Type-Options"), "nosniff")
        let html = response.text
        XCTAssertTrue(html.hasPrefix("<!doctype html>"))
        for forbidden in ["<script", " src=", "url(", "@import", "<iframe", "<img"] {
            XCTAssertFalse(html.contains(forbidden), "the page must load nothing: found \(forbidden)")
        }
        XCTAssertEqual(html.components(separatedBy: "<link ").count, 2, "one <link>, the empty icon")
        XCTAssertTrue(html.contains(#"<link rel="icon" href="data:,">"#))

        // Every in-page link lands on an element; every other link is the server's own or marked external.
        let ids = Set(matches(of: #" id="([^"]+)""#, in: html))
        let links = matches(of: #"<a [^>]*href="([^"]+)""#, in: html)
        XCTAssertGreaterThan(links.count, 300)
        for link in links {
            if link.hasPrefix("#") {
                XCTAssertTrue(ids.contains(String(link.dropFirst())), "broken in-page link \(link)")
            } else if link.hasPrefix("/") {
                assertStatus(try server.get(link), 200, link)
            } else {
                XCTAssertTrue(html.contains("href=\"\(link)\" rel=\"external noreferrer\""), "\(link) is neither local nor marked external")
            }
        }
    }

    func testEveryOperationHasItsSectionParametersAndACurlLine() throws {
        let html = try page()
        let operations = document.operations
        XCTAssertGreaterThan(operations.count, 40)
        XCTAssertEqual(html.components(separatedBy: "<pre class=\"curl\"").count - 1, operations.count, "one curl line per operation")
        for operation in operations {
            let article = try XCTUnwrap(section(of: "op-" + operation.id, in: html), "\(operation.method) \(operation.path)")
            XCTAssertTrue(article.contains(">\(operation.method.uppercased())</span> <code class=\"path\">\(HTMLText.escape(operation.path))</code>"))
            let sameAs = article.contains("class=\"same\"")
            for reference in operation.parameters where !sameAs {
                let name = try XCTUnwrap(document.resolve(reference)["name"]?.stringValue)
                XCTAssertTrue(article.contains("<code>\(HTMLText.escape(name))</code>"), "\(operation.id) shows parameter \(name)")
            }
            for (status, _) in operation.operation["responses"]?.objectValue ?? JSONObject() where !sameAs {
                XCTAssertTrue(article.contains(">\(status)</span>"), "\(operation.id) shows response \(status)")
            }
        }
    }

    func testEverySchemaAndSharedComponentHasItsSection() throws {
        let html = try page()
        for kind in ["schemas", "parameters", "headers", "responses"] {
            let names = document.components(kind).keys
            XCTAssertFalse(names.isEmpty, kind)
            for name in names {
                let id = (kind == "schemas" ? "schema" : kind) + "-" + name
                XCTAssertTrue(html.contains("id=\"\(id)\""), "\(kind) \(name)")
            }
        }
        for (name, schema) in document.components("schemas") {
            for property in schema["properties"]?.objectValue?.keys ?? [] {
                XCTAssertTrue(section(of: "schema-" + name, in: html)?.contains("<code>\(property)</code>") ?? false, "\(name).\(property)")
            }
        }
    }

    func testEveryExampleOfTheDocumentIsShown() throws {
        let html = try page()
        var leaves: [String] = []
        func collect(_ value: JSONValue) {
            switch value {
            case .string(let text): leaves.append(text)
            case .number, .bool: leaves.append(CurlCommand.text(value))
            case .array(let items): items.forEach(collect)
            case .object(let object): object.entries.forEach { collect($0.value) }
            case .null: break
            }
        }
        func walk(_ value: JSONValue) {
            switch value {
            case .object(let object):
                for (key, member) in object {
                    if key == "example" { collect(member) } else if key == "examples", let named = member.objectValue {
                        for (_, example) in named { example["value"].map(collect) }
                    } else { walk(member) }
                }
            case .array(let items): items.forEach(walk)
            default: break
            }
        }
        walk(document.root)
        XCTAssertGreaterThan(leaves.count, 100)
        for leaf in Set(leaves) {
            XCTAssertTrue(html.contains(HTMLText.escape(leaf)), "example value \(leaf) is not on the page")
        }
    }

    /// Each curl line, run as a shell would run it (with the test server for localhost:8080
    /// and the test key for $CAREWATCH_API_KEY), gets the answer its operation promises.
    func testEveryCurlLineWorksAsPasted() throws {
        let html = try page()
        var deletes: [(OpenAPIDocument.Operation, CurlLine)] = []
        var ran = 0
        for operation in document.operations {
            let article = try XCTUnwrap(section(of: "op-" + operation.id, in: html))
            let text = try XCTUnwrap(matches(of: #"<pre class="curl" aria-label="curl"><code>([^<]*)</code></pre>"#, in: article).first)
            let line = try CurlLine(unescapingHTML: text)
            XCTAssertEqual(line.method, operation.method.uppercased(), text)
            if operation.method == "delete" { deletes.append((operation, line)); continue }
            try run(line, for: operation)
            ran += 1
        }
        // Deletes last, the council (which takes its rows with it) last of all.
        for (operation, line) in deletes.reversed() { try run(line, for: operation) }
        XCTAssertEqual(ran + deletes.count, document.operations.count)
    }

    private func run(_ line: CurlLine, for operation: OpenAPIDocument.Operation) throws {
        let prefix = "http://localhost:8080"
        XCTAssertTrue(line.url.hasPrefix(prefix), line.url)
        let target = String(line.url.dropFirst(prefix.count))
        let headers = line.headers.map { ($0.0, $0.1.replacingOccurrences(of: "$CAREWATCH_API_KEY", with: TestServer.apiKey)) }
        if operation.method == "get" && operation.path.hasSuffix("/stream") {
            // An event stream lasts as long as the client listens: its head is the answer.
            let stream = try EventStreamClient(port: server.port, target: target, headers: headers)
            defer { stream.close() }
            XCTAssertEqual(stream.head.status, 200, "\(line.method) \(target)")
            return
        }
        let response = try server.client.request(line.method, target, headers: headers,
                                                  body: line.body.map { Array($0.utf8) } ?? (["POST", "PUT", "PATCH"].contains(line.method) ? [] : nil))
        let expected: Set<Int>
        switch operation.method {
        case "post": expected = operation.path == "/v1/import" ? [200] : [201]
        case "put": expected = [200, 201]
        case "delete", "options": expected = [204]
        default: expected = [200]
        }
        XCTAssertTrue(expected.contains(response.status), "\(line.method) \(target) → \(response)")
    }

    func testDocsAndTheJSONDocumentRevalidateAndTakeNoQuery() throws {
        for path in ["/docs", "/openapi.json"] {
            let first = try server.get(path)
            let etag = try XCTUnwrap(first.header("ETag"))
            assertStatus(try server.get(path, headers: [("If-None-Match", etag)]), 304)
            assertProblem(try server.get(path + "?v=2"), 400)
        }
        let json = try server.get("/openapi.json")
        XCTAssertEqual(json.mediaType, "application/json")
        XCTAssertEqual(try JSONParser.parse(json.body), document.root)
    }

    // MARK: Helpers

    /// The `<article>` with this id, up to the next article or section.
    private func section(of id: String, in html: String) -> String? {
        guard let start = html.range(of: "id=\"\(id)\"") else { return nil }
        let rest = html[start.upperBound...]
        let end = [rest.range(of: "<article")?.lowerBound, rest.range(of: "</section>")?.lowerBound].compactMap { $0 }.min() ?? rest.endIndex
        return String(rest[..<end])
    }

    private func matches(of pattern: String, in text: String) -> [String] {
        let expression = try! NSRegularExpression(pattern: pattern)
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}

/// A curl command line as a POSIX shell splits it: '…' (with '\'' inside), "…" and $'…'.
struct CurlLine {
    var method = "GET"
    var url = ""
    var headers: [(String, String)] = []
    var body: String?

    init(unescapingHTML html: String) throws {
        let text = html.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        let words = try CurlLine.words(text)
        guard words.first == "curl" else { throw RawHTTPError.malformed("not a curl line: \(text)") }
        var index = 1
        while index < words.count {
            let word = words[index]
            switch word {
            case "-s", "-i", "-N": break
            case "-I": method = "HEAD"
            case "-X": index += 1; method = words[index]
            case "-H":
                index += 1
                let header = words[index]
                let colon = header.firstIndex(of: ":")!
                headers.append((String(header[..<colon]), header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            case "-d", "--data-binary":
                index += 1
                body = words[index]
                if method == "GET" { method = "POST" }
            default:
                guard word.hasPrefix("http") else { throw RawHTTPError.malformed("unexpected word \(word) in \(text)") }
                url = word
            }
            index += 1
        }
    }

    static func words(_ text: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            switch character {
            case " ":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                while let next = characters.popFirst(), next != "'" { current.append(next) }
            case "\"":
                inWord = true
                while let next = characters.popFirst(), next != "\"" { current.append(next) }
            case "$" where characters.first == "'":
                inWord = true
                characters.removeFirst()
                while let next = characters.popFirst(), next != "'" {
                    if next == "\\", let escaped = characters.popFirst() {
                        switch escaped {
                        case "n": current.append("\n")
                        case "r": current.append("\r")
                        case "t": current.append("\t")
                        default: current.append(escaped)
                        }
                    } else {
                        current.append(next)
                    }
                }
            case "\\":
                inWord = true
                if let next = characters.popFirst() { current.append(next) }
            default:
                inWord = true
                current.append(character)
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
