import XCTest
import Glibc
import Foundation
@testable import HTTPEngine

/// The engine's own answers (413, 431, 408, 503…) go through the same middleware as a handler's,
/// so a browser reads them (CORS) and logs correlate them (request id, metrics).
final class EngineAnswerTests: XCTestCase {
    func router(_ metrics: RequestMetrics? = nil) -> Router {
        var router = TestRoutes.router()
        router.use(RequestIDMiddleware())
        if let metrics { router.use(metrics) }
        router.use(CORSMiddleware(allowedOrigins: ["https://dash.example"]))
        return router
    }

    func testAnEngineMade413CarriesCORSHeaders() throws {
        let metrics = RequestMetrics(namespace: "test")
        let server = try startServer(router: router(metrics))
        let c = try RawClient(port: server.boundPort)
        c.send("POST /small HTTP/1.1\r\nHost: t\r\nOrigin: https://dash.example\r\nX-Request-Id: upload-1\r\nContent-Length: 50\r\n\r\n")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 413)
        XCTAssertEqual(r.header("Access-Control-Allow-Origin"), "https://dash.example", "a browser can read why")
        XCTAssertEqual(r.header("X-Request-Id"), "upload-1")
        XCTAssertEqual(r.header("Content-Type"), "application/problem+json")
        XCTAssertTrue(r.bodyText.contains("exceeds the limit of 10 bytes"), r.bodyText)
        XCTAssertTrue(r.closes)
        XCTAssertTrue(metrics.prometheusText().contains(#"test_http_requests_total{method="POST",route="/small",status="413"} 1"#),
                      metrics.prometheusText())
    }

    func testARefusalBeforeTheHeadMadeSenseStillGetsARequestID() throws {
        let server = try startServer({ $0.maxHeaderBytes = 200 }, router: router())
        let c = try RawClient(port: server.boundPort)
        c.send("GET /hello HTTP/1.1\r\nHost: t\r\nOrigin: https://dash.example\r\nX-Big: \(String(repeating: "b", count: 300))\r\n\r\n")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 431)
        XCTAssertNotNil(r.header("X-Request-Id"))
        XCTAssertTrue(r.closes)
    }

    func testARouteBodyLimitHoldsForAnEncodedPath() throws {
        var router = TestRoutes.router()
        router.add(.post, "/limited/{name}", bodyLimit: 10) { req, r in r.respond(HTTPResponse(body: .bytes(req.body))) }
        let server = try startServer(router: router)
        // "%2F" keeps the segment whole for the router; the limit lookup must agree with it.
        let c = try RawClient(port: server.boundPort)
        let r = try XCTUnwrap(c.request("POST", "/limited/a%2Fb", body: String(repeating: "x", count: 20)))
        XCTAssertEqual(r.status, 413)
        let ok = try XCTUnwrap(RawClient(port: server.boundPort).request("POST", "/limited/a%2Fb", body: "0123456789"))
        XCTAssertEqual(ok.status, 200)
    }

    func testRegisteringARouteTwiceIsAnErrorAtStartUp() throws {
        var router = Router()
        router.add(.get, "/items/{id}") { _, r in r.respond(HTTPResponse()) }
        router.add(.post, "/items/{id}") { _, r in r.respond(HTTPResponse()) }
        router.add(.get, "/items/{key}") { _, r in r.respond(HTTPResponse()) }
        var config = ServerConfiguration()
        config.host = "127.0.0.1"
        config.port = 0
        let server = HTTPServer(configuration: config, router: router)
        XCTAssertThrowsError(try server.start()) { error in
            XCTAssertEqual(error as? HTTPServerError, .duplicateRoute(method: .get, pattern: "/items/{key}"))
        }
        XCTAssertEqual(server.boundPort, 0, "nothing was bound")
    }

    func testStartUpErrorsAreTyped() throws {
        let first = try startServer()
        var config = ServerConfiguration()
        config.host = "127.0.0.1"
        config.port = first.boundPort
        XCTAssertThrowsError(try HTTPServer(configuration: config, router: Router()).start()) { error in
            XCTAssertEqual(error as? HTTPServerError, .addressInUse(address: "127.0.0.1:\(first.boundPort)"))
            XCTAssertTrue("\(error)".contains("address already in use"), "\(error)")
        }
        config.port = 70000
        XCTAssertThrowsError(try HTTPServer(configuration: config, router: Router()).start()) { error in
            XCTAssertEqual(error as? HTTPServerError, .invalidPort(70000))
        }
        XCTAssertThrowsError(try first.start()) { error in
            XCTAssertEqual(error as? HTTPServerError, .alreadyStarted)
        }
    }
}
