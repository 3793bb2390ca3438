import XCTest
@testable import HTTPEngine

/// The CORS policy over real sockets: who may read, who may write, what scripts may see, and
/// that every answer varies on `Origin` once CORS is on.
final class CORSMiddlewareTests: XCTestCase {
    func server(_ origins: [String], router: Router = TestRoutes.router()) throws -> RawClient {
        var router = router
        router.use(CORSMiddleware(allowedOrigins: origins))
        return try RawClient(port: try startServer(router: router).boundPort)
    }

    func varies(_ response: RawClient.Response?) -> Bool {
        (response?.headers.filter { $0.0.lowercased() == "vary" }.map(\.1) ?? [])
            .flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } }
            .contains("origin")
    }

    func testListedOriginMayReadAndWrite() throws {
        let c = try server(["https://dash.example"])
        let preflight = try XCTUnwrap(c.request("OPTIONS", "/items/1", headers: [
            "Origin: https://dash.example", "Access-Control-Request-Method: DELETE",
            "Access-Control-Request-Headers: authorization, if-match"]))
        XCTAssertEqual(preflight.status, 204)
        XCTAssertEqual(preflight.header("Access-Control-Allow-Origin"), "https://dash.example")
        let methods = try XCTUnwrap(preflight.header("Access-Control-Allow-Methods"))
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] { XCTAssertTrue(methods.contains(method), methods) }
        let allowed = try XCTUnwrap(preflight.header("Access-Control-Allow-Headers")).lowercased()
        for header in ["authorization", "content-type", "if-match", "if-none-match"] { XCTAssertTrue(allowed.contains(header), allowed) }
        XCTAssertEqual(preflight.header("Access-Control-Max-Age"), "600")
        XCTAssertTrue(varies(preflight))

        let read = try XCTUnwrap(c.request("GET", "/hello", headers: ["Origin: https://dash.example"]))
        XCTAssertEqual(read.status, 200)
        XCTAssertEqual(read.header("Access-Control-Allow-Origin"), "https://dash.example")
        let exposed = Set(try XCTUnwrap(read.header("Access-Control-Expose-Headers")).split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        for header in ["etag", "location", "link", "x-request-id", "x-next-cursor", "x-total-count", "www-authenticate",
                       "retry-after", "content-disposition"] {
            XCTAssertTrue(exposed.contains(header), "\(header) is not exposed: \(exposed)")
        }
        XCTAssertTrue(varies(read))

        let write = try XCTUnwrap(c.request("DELETE", "/items/1", headers: ["Origin: https://dash.example"]))
        XCTAssertEqual(write.status, 204, "a listed origin may write")
        XCTAssertEqual(write.header("Access-Control-Allow-Origin"), "https://dash.example")
        let echoed = try XCTUnwrap(c.request("POST", "/echo", headers: ["Origin: https://dash.example"], body: "kept"))
        XCTAssertEqual(echoed.bodyText, "kept")
    }

    func testWildcardLetsEveryOriginReadAndNoneWrite() throws {
        let c = try server(["*"])
        let read = try XCTUnwrap(c.request("GET", "/hello", headers: ["Origin: https://any.example"]))
        XCTAssertEqual(read.status, 200)
        XCTAssertEqual(read.header("Access-Control-Allow-Origin"), "*")
        XCTAssertTrue(read.header("Access-Control-Expose-Headers")?.contains("X-Next-Cursor") ?? false)

        let preflight = try XCTUnwrap(c.request("OPTIONS", "/echo", headers: [
            "Origin: https://any.example", "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: authorization"]))
        XCTAssertEqual(preflight.status, 204)
        XCTAssertEqual(preflight.header("Access-Control-Allow-Methods"), "GET, HEAD", "a preflight for a write must fail in the browser")
        XCTAssertFalse(preflight.header("Access-Control-Allow-Headers")?.lowercased().contains("authorization") ?? true)

        // Sent anyway (no browser, or a request that needs no preflight): refused before the
        // handler runs, and readable by the page, which may read.
        let write = try XCTUnwrap(c.request("POST", "/echo", headers: ["Origin: https://any.example", "Content-Type: text/plain"], body: "x"))
        XCTAssertEqual(write.status, 403)
        XCTAssertEqual(write.header("Content-Type"), "application/problem+json")
        XCTAssertTrue(write.bodyText.contains("https://any.example"), write.bodyText)
        XCTAssertEqual(write.header("Access-Control-Allow-Origin"), "*")
        XCTAssertTrue(varies(write))
    }

    func testWildcardBesideListedOriginsKeepsWritesForTheListed() throws {
        let c = try server(["*", "https://editor.example"])
        XCTAssertEqual(c.request("DELETE", "/items/1", headers: ["Origin: https://editor.example"])?.status, 204)
        XCTAssertEqual(c.request("DELETE", "/items/1", headers: ["Origin: https://reader.example"])?.status, 403)
        let listedRead = try XCTUnwrap(c.request("GET", "/hello", headers: ["Origin: https://editor.example"]))
        XCTAssertEqual(listedRead.header("Access-Control-Allow-Origin"), "https://editor.example")
    }

    func testOriginsAreComparedNormalised() throws {
        let c = try server(["HTTPS://Dash.Example:443", "http://LOCALHOST:80", "http://127.0.0.1:8080"])
        for origin in ["https://dash.example", "HTTPS://DASH.EXAMPLE", "https://dash.example:443", "http://localhost", "http://127.0.0.1:8080"] {
            let response = try XCTUnwrap(c.request("GET", "/hello", headers: ["Origin: \(origin)"]))
            XCTAssertEqual(response.header("Access-Control-Allow-Origin"), origin, "\(origin) is a configured origin")
        }
        for origin in ["https://dash.example:8443", "http://dash.example", "https://dash.example.evil", "http://127.0.0.1", "null"] {
            let response = try XCTUnwrap(c.request("GET", "/hello", headers: ["Origin: \(origin)"]))
            XCTAssertNil(response.header("Access-Control-Allow-Origin"), "\(origin) is not a configured origin")
            XCTAssertEqual(response.status, 200)
        }
    }

    func testNormalisedOriginForms() {
        let cases: [(String, String?)] = [
            ("https://dash.example", "https://dash.example"),
            ("HTTPS://Dash.Example", "https://dash.example"),
            ("https://dash.example:443", "https://dash.example"),
            ("http://dash.example:80", "http://dash.example"),
            ("http://dash.example:443", "http://dash.example:443"),
            ("https://dash.example:0443", "https://dash.example"),
            ("http://[::1]:8080", "http://[::1]:8080"),
            ("http://[::1]:80", "http://[::1]"),
            ("chrome-extension://abcdef", "chrome-extension://abcdef"),
            (" https://dash.example ", "https://dash.example"),
            ("null", nil), ("dash.example", nil), ("https://", nil), ("https://a.example/", nil), ("https://a.example/x", nil),
            ("https://a.example:", nil), ("https://a.example:http", nil), ("https://a.example:65536", nil),
            ("https://user@a.example", nil), ("://a.example", nil), ("1http://a.example", nil), ("https://a b", nil),
            ("https://[::1", nil), ("https://[::1]x", nil),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(CORSMiddleware.normalizedOrigin(text), expected, text)
        }
    }

    func testEveryResponseVariesOnOriginOnceConfigured() throws {
        var router = TestRoutes.router()
        router.add(.get, "/negotiated") { _, r in
            r.respond(HTTPResponse(status: .ok, headers: HTTPHeaders([("Vary", "Accept")]), body: .bytes(Array("n".utf8))))
        }
        let c = try server(["https://dash.example"], router: router)
        XCTAssertTrue(varies(c.request("GET", "/hello")), "no Origin in the request")
        XCTAssertTrue(varies(c.request("GET", "/missing")), "router-made 404")
        XCTAssertTrue(varies(c.request("POST", "/hello", body: "")), "router-made 405")
        XCTAssertTrue(varies(c.request("GET", "/hello", headers: ["Origin: https://other.example"])), "an origin not allowed")
        let negotiated = try XCTUnwrap(c.request("GET", "/negotiated", headers: ["Origin: https://dash.example"]))
        XCTAssertEqual(negotiated.headers.filter { $0.0.lowercased() == "vary" }.map(\.1), ["Accept, Origin"], "one Vary field")
    }

    func testOriginsNotAllowedGetNoCORSAndCannotWrite() throws {
        let c = try server(["https://dash.example"])
        let read = try XCTUnwrap(c.request("GET", "/hello", headers: ["Origin: https://evil.example"]))
        XCTAssertEqual(read.status, 200)
        XCTAssertNil(read.header("Access-Control-Allow-Origin"))
        let preflight = try XCTUnwrap(c.request("OPTIONS", "/hello", headers: ["Origin: https://evil.example", "Access-Control-Request-Method: GET"]))
        XCTAssertNil(preflight.header("Access-Control-Allow-Origin"))
        let write = try XCTUnwrap(c.request("POST", "/echo", headers: ["Origin: https://evil.example"], body: "x"))
        XCTAssertEqual(write.status, 403)
        XCTAssertNil(write.header("Access-Control-Allow-Origin"), "the refusal is not readable by a page that may not read")
        XCTAssertNil(c.request("GET", "/hello")?.header("Access-Control-Allow-Origin"), "no Origin, no CORS headers")
    }

    func testTheServersOwnPagesAreNotCrossOrigin() throws {
        // RawClient sends `Host: test`.
        let c = try server(["*"])
        let write = try XCTUnwrap(c.request("POST", "/echo", headers: ["Origin: http://test"], body: "own page"))
        XCTAssertEqual(write.status, 200)
        XCTAssertEqual(write.bodyText, "own page")
        XCTAssertNil(write.header("Access-Control-Allow-Origin"))
        XCTAssertTrue(varies(write))
        XCTAssertEqual(c.request("POST", "/echo", headers: ["Origin: http://test:8080"], body: "x")?.status, 403, "another port is another origin")
        XCTAssertTrue(CORSMiddleware.isSameOrigin("https://a.example", host: "A.example:443"))
        XCTAssertTrue(CORSMiddleware.isSameOrigin("http://[::1]:8080", host: "[::1]:8080"))
        XCTAssertFalse(CORSMiddleware.isSameOrigin("https://a.example", host: "a.example:80"))
        XCTAssertFalse(CORSMiddleware.isSameOrigin("https://a.example", host: nil))
    }
}
