import XCTest
import Glibc
import Foundation
@testable import HTTPEngine

final class MiddlewareTests: XCTestCase {
    func routerWith(_ middleware: [HTTPMiddleware]) -> Router {
        var router = TestRoutes.router()
        for m in middleware { router.use(m) }
        return router
    }

    func testRequestIDEchoedWhenSaneGeneratedOtherwise() throws {
        let server = try startServer(router: routerWith([RequestIDMiddleware()]))
        let c = try RawClient(port: server.boundPort)
        let echoed = try XCTUnwrap(c.request("GET", "/request-info", headers: ["X-Request-Id: abc-123"]))
        XCTAssertEqual(echoed.header("X-Request-Id"), "abc-123")
        XCTAssertTrue(echoed.bodyText.contains("id=abc-123"))
        let generated = try XCTUnwrap(c.request("GET", "/request-info"))
        let id = try XCTUnwrap(generated.header("X-Request-Id"))
        XCTAssertFalse(id.isEmpty)
        XCTAssertTrue(generated.bodyText.contains("id=\(id)"))
        let other = try XCTUnwrap(c.request("GET", "/hello"))
        XCTAssertNotEqual(other.header("X-Request-Id"), id)
        let insane = try XCTUnwrap(c.request("GET", "/hello", headers: ["X-Request-Id: \(String(repeating: "x", count: 200))"]))
        XCTAssertNotEqual(insane.header("X-Request-Id")?.count, 200)
        let spaced = try XCTUnwrap(c.request("GET", "/hello", headers: ["X-Request-Id: a b"]))
        XCTAssertNotEqual(spaced.header("X-Request-Id"), "a b")
        // errors from the router carry the id too
        XCTAssertNotNil(try XCTUnwrap(c.request("GET", "/missing")).header("X-Request-Id"))
    }

    func testMetricsCountByRoutePatternAndStatus() throws {
        let metrics = RequestMetrics(namespace: "carewatch")
        let server = try startServer(router: routerWith([metrics]))
        let c = try RawClient(port: server.boundPort)
        for i in 0..<3 { XCTAssertEqual(c.request("GET", "/items/\(i)")?.status, 200) }
        XCTAssertEqual(c.request("GET", "/nope")?.status, 404)
        XCTAssertEqual(c.request("POST", "/items/1", body: "")?.status, 405)
        let text = metrics.prometheusText()
        XCTAssertTrue(text.contains(#"carewatch_http_requests_total{method="GET",route="/items/{id}",status="200"} 3"#), text)
        XCTAssertTrue(text.contains(#"carewatch_http_requests_total{method="GET",route="unmatched",status="404"} 1"#), text)
        XCTAssertTrue(text.contains(#"route="/items/{id}",status="405"} 1"#), text)
        XCTAssertTrue(text.contains(#"carewatch_http_request_duration_seconds_bucket{method="GET",route="/items/{id}",le="+Inf"} 3"#), text)
        XCTAssertTrue(text.contains("# TYPE carewatch_http_request_duration_seconds histogram"))
        XCTAssertEqual(metrics.totalRequests, 5)
    }

    func testAccessLogWritesOneJSONLinePerRequest() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]) }
        let sink = LogSink(fd: fds[1])
        let server = try startServer(router: routerWith([RequestIDMiddleware(), AccessLogMiddleware(sink: sink)]))
        let c = try RawClient(port: server.boundPort)
        XCTAssertEqual(c.request("GET", "/hello?token=secret", headers: ["Authorization: Bearer topsecret", "X-Request-Id: log-1"])?.status, 200)
        XCTAssertEqual(c.request("GET", "/nope")?.status, 404)
        sink.flush()
        close(fds[1])
        var data = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            data += buf[0..<n]
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(first["method"] as? String, "GET")
        XCTAssertEqual(first["path"] as? String, "/hello")
        XCTAssertEqual(first["status"] as? Int, 200)
        XCTAssertEqual(first["bytes"] as? Int, 5)
        XCTAssertEqual(first["request_id"] as? String, "log-1")
        XCTAssertNotNil(first["duration_ms"] as? Double)
        XCTAssertTrue((first["peer"] as? String)?.hasPrefix("127.0.0.1:") ?? false)
        XCTAssertNotNil(first["time"] as? String)
        XCTAssertFalse(String(lines[0]).contains("secret"))
        let second = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        XCTAssertEqual(second["status"] as? Int, 404)
    }

    func testLogSinkFlushesPromptlyOnItsOwn() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]); close(fds[1]) }
        let sink = LogSink(fd: fds[1])
        sink.write(line: "one")
        var pfd = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
        XCTAssertEqual(poll(&pfd, 1, 2000), 1, "line did not appear within 2 s without an explicit flush")
    }
}

final class RouterTests: XCTestCase {
    func handle(_ router: Router, _ method: HTTPMethod, _ target: String) -> HTTPResponse? {
        let done = DispatchSemaphore(value: 0)
        let box = ResponseBox()
        router.makeHandler()(HTTPRequest(method: method, target: target), Responder { r in box.set(r); done.signal() })
        _ = done.wait(timeout: .now() + 2)
        return box.get()
    }

    func testLiteralBeatsParameterAndBacktracks() {
        var router = Router()
        router.add(.get, "/a/{x}/c") { req, r in r.respond(HTTPResponse(status: HTTPStatus(201), body: .bytes(Array((req.pathParameters["x"] ?? "").utf8)))) }
        router.add(.get, "/a/b") { _, r in r.respond(HTTPResponse(status: HTTPStatus(202))) }
        router.add(.get, "/a/b/d") { _, r in r.respond(HTTPResponse(status: HTTPStatus(203))) }
        XCTAssertEqual(handle(router, .get, "/a/b")?.status.code, 202)
        XCTAssertEqual(handle(router, .get, "/a/b/c")?.status.code, 201)
        XCTAssertEqual(handle(router, .get, "/a/b/d")?.status.code, 203)
        XCTAssertEqual(handle(router, .get, "/a/zz/c")?.status.code, 201)
        XCTAssertEqual(handle(router, .get, "/a//c")?.status.code, 404)
        XCTAssertEqual(handle(router, .get, "/a")?.status.code, 404)
        XCTAssertEqual(router.routes.count, 3)
        XCTAssertEqual(router.routes[0].pattern, "/a/{x}/c")
    }

    func testBodyLimitLookup() {
        var router = Router()
        router.add(.post, "/import", bodyLimit: 50 << 20) { _, r in r.respond(HTTPResponse()) }
        router.add(.put, "/x/{id}") { _, r in r.respond(HTTPResponse()) }
        XCTAssertEqual(router.bodyLimit(method: .post, path: "/import"), 50 << 20)
        XCTAssertNil(router.bodyLimit(method: .put, path: "/x/1"))
        XCTAssertNil(router.bodyLimit(method: .get, path: "/nothing"))
    }

    func testHeadFallsBackToGetAndExplicitHeadWins() {
        var router = Router()
        router.add(.get, "/g") { _, r in r.respond(HTTPResponse(status: HTTPStatus(200))) }
        router.add(.get, "/h") { _, r in r.respond(HTTPResponse(status: HTTPStatus(200))) }
        router.add(.head, "/h") { _, r in r.respond(HTTPResponse(status: HTTPStatus(299))) }
        XCTAssertEqual(handle(router, .head, "/g")?.status.code, 200)
        XCTAssertEqual(handle(router, .head, "/h")?.status.code, 299)
    }
}

final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: HTTPResponse?
    func set(_ r: HTTPResponse) { lock.lock(); value = r; lock.unlock() }
    func get() -> HTTPResponse? { lock.lock(); defer { lock.unlock() }; return value }
}
