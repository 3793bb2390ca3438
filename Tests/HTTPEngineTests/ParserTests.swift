import XCTest
@testable import HTTPEngine

/// The parser on its own: every request is fed whole and one byte at a time, and both must agree.
final class ParserTests: XCTestCase {
    enum Outcome: Equatable {
        case request(method: String, path: String, body: [UInt8], keepAlive: Bool)
        case error(Int)
        case incomplete
    }

    /// Runs a parser over `chunks`, deciding bodies with `limit`, collecting every outcome.
    func run(_ chunks: [[UInt8]], limit: Int = 1 << 20, limits: ParserLimits = ParserLimits()) -> [Outcome] {
        var parser = RequestParser(limits: limits)
        var outcomes: [Outcome] = []
        var head: RequestHead?
        for chunk in chunks {
            var offset = 0
            var pending: RequestParser.Result? = nil
            loop: while true {
                let result = pending ?? chunk.withUnsafeBytes { parser.parse($0, &offset) }
                pending = nil
                switch result {
                case .needMore:
                    break loop
                case .head(let h):
                    head = h
                    pending = parser.startBody(head: h, limit: limit)
                case .complete(let body):
                    outcomes.append(.request(method: head!.method.rawValue, path: head!.path, body: body, keepAlive: head!.keepAlive))
                case .failure(let e):
                    outcomes.append(.error(e.status.code))
                    return outcomes
                }
            }
        }
        if case .head = parser.state { if parser.inProgress { outcomes.append(.incomplete) } } else { outcomes.append(.incomplete) }
        return outcomes
    }

    func both(_ text: String, limit: Int = 1 << 20, limits: ParserLimits = ParserLimits(), file: StaticString = #filePath, line: UInt = #line) -> [Outcome] {
        let bytes = Array(text.utf8)
        let whole = run([bytes], limit: limit, limits: limits)
        let single = run(bytes.map { [$0] }, limit: limit, limits: limits)
        XCTAssertEqual(whole, single, "whole vs byte-by-byte", file: file, line: line)
        // and an arbitrary split in three
        if bytes.count > 6 {
            let a = bytes.count / 3, b = 2 * bytes.count / 3
            XCTAssertEqual(whole, run([Array(bytes[..<a]), Array(bytes[a..<b]), Array(bytes[b...])], limit: limit, limits: limits), file: file, line: line)
        }
        return whole
    }

    func testSimpleGet() {
        XCTAssertEqual(both("GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"), [.request(method: "GET", path: "/a/b", body: [], keepAlive: true)])
    }

    func testHeadFieldsAreParsed() throws {
        var parser = RequestParser(limits: ParserLimits())
        let text = Array("POST /p%20q?a=1&b=x+y&a=2&c=%41 HTTP/1.1\r\nHost: h\r\nX-Thing:  spaced value \t\r\nContent-Length: 3\r\n\r\nabc".utf8)
        var offset = 0
        guard case .head(let h) = text.withUnsafeBytes({ parser.parse($0, &offset) }) else { return XCTFail() }
        XCTAssertEqual(h.method, .post)
        XCTAssertEqual(h.path, "/p q")
        XCTAssertEqual(h.target, "/p%20q?a=1&b=x+y&a=2&c=%41")
        XCTAssertEqual(h.query.all("a"), ["1", "2"])
        XCTAssertEqual(h.query["b"], "x y")
        XCTAssertEqual(h.query["c"], "A")
        XCTAssertEqual(h.headers["x-thing"], "spaced value")
        XCTAssertEqual(h.contentLength, 3)
        XCTAssertNil(parser.startBody(head: h, limit: 100))
        guard case .complete(let body) = text.withUnsafeBytes({ parser.parse($0, &offset) }) else { return XCTFail() }
        XCTAssertEqual(body, Array("abc".utf8))
    }

    func testPipelinedRequests() {
        let text = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nokGET /3 HTTP/1.0\r\n\r\n"
        XCTAssertEqual(both(text), [
            .request(method: "GET", path: "/1", body: [], keepAlive: true),
            .request(method: "POST", path: "/2", body: Array("ok".utf8), keepAlive: true),
            .request(method: "GET", path: "/3", body: [], keepAlive: false),
        ])
    }

    func testChunkedWithExtensionsAndTrailers() {
        let text = "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;name=val\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n"
        XCTAssertEqual(both(text), [.request(method: "POST", path: "/c", body: Array("hello world".utf8), keepAlive: true)])
    }

    func testChunkedUppercaseHex() {
        let body = String(repeating: "z", count: 26)
        XCTAssertEqual(both("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1A\r\n\(body)\r\n0\r\n\r\n"),
                       [.request(method: "POST", path: "/", body: Array(body.utf8), keepAlive: true)])
    }

    func testKeepAliveRules() {
        XCTAssertEqual(both("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), [.request(method: "GET", path: "/", body: [], keepAlive: true)])
        XCTAssertEqual(both("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), [.request(method: "GET", path: "/", body: [], keepAlive: false)])
        XCTAssertEqual(both("GET / HTTP/1.0\r\n\r\n"), [.request(method: "GET", path: "/", body: [], keepAlive: false)])
    }

    func testAbsoluteFormAndAsterisk() {
        XCTAssertEqual(both("GET http://example.com/x/y?z=1 HTTP/1.1\r\nHost: example.com\r\n\r\n"), [.request(method: "GET", path: "/x/y", body: [], keepAlive: true)])
        XCTAssertEqual(both("GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n"), [.request(method: "GET", path: "/", body: [], keepAlive: true)])
        XCTAssertEqual(both("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"), [.request(method: "OPTIONS", path: "*", body: [], keepAlive: true)])
        XCTAssertEqual(both("GET * HTTP/1.1\r\nHost: h\r\n\r\n"), [.error(400)])
    }

    func testLeadingEmptyLineIgnored() {
        XCTAssertEqual(both("\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"), [.request(method: "GET", path: "/", body: [], keepAlive: true)])
    }

    func testIncompleteIsNotAnError() {
        XCTAssertEqual(both("GET / HTTP/1.1\r\nHost: h\r\n"), [.incomplete])
        XCTAssertEqual(both("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab"), [.incomplete])
    }

    func testRejections() {
        let cases: [(String, Int)] = [
            ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 2\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400),
            ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n  folded\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: h\r\nX : a\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: h\nX: a\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: h\r\nX(y): a\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: h\r\n: a\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400),
            ("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
            ("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
            ("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400),
            ("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400),
            ("GET / http/1.1\r\nHost: h\r\n\r\n", 400),
            ("GET / HTTP/1\r\nHost: h\r\n\r\n", 400),
            ("GET /%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400),
            ("GET /%4 HTTP/1.1\r\nHost: h\r\n\r\n", 400),
            ("GET /?a=%g0 HTTP/1.1\r\nHost: h\r\n\r\n", 400),
            ("GET /%00 HTTP/1.1\r\nHost: h\r\n\r\n", 400),
            ("GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n", 400),
            ("GET relative HTTP/1.1\r\nHost: h\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
            ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
            ("GET / HTTP/0.9\r\nHost: h\r\n\r\n", 505),
            ("GET / HTTP/1.1\r\nHost: h\r\nExpect: something-else\r\n\r\n", 417),
        ]
        for (text, status) in cases {
            XCTAssertEqual(both(text), [.error(status)], text.debugDescription)
        }
    }

    func testLimits() {
        let limits = ParserLimits(maxRequestLineBytes: 64, maxHeaderBytes: 128, maxHeaderCount: 3)
        XCTAssertEqual(both("GET /\(String(repeating: "a", count: 100)) HTTP/1.1\r\nHost: h\r\n\r\n", limits: limits), [.error(414)])
        XCTAssertEqual(both("GET / HTTP/1.1\r\nHost: h\r\nX: \(String(repeating: "a", count: 200))\r\n\r\n", limits: limits), [.error(431)])
        XCTAssertEqual(both("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: limits), [.error(431)])
        XCTAssertEqual(both("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", limits: limits), [.request(method: "GET", path: "/", body: [], keepAlive: true)])
    }

    func testRequestLineLimitTripsBeforeLineEnds() {
        // No CRLF ever arrives: the limit must still trip.
        let limits = ParserLimits(maxRequestLineBytes: 32, maxHeaderBytes: 128, maxHeaderCount: 3)
        XCTAssertEqual(run([Array("GET /\(String(repeating: "a", count: 40))".utf8)], limits: limits), [.error(414)])
    }

    func testBodyLimits() {
        XCTAssertEqual(both("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", limit: 10), [.error(413)])
        XCTAssertEqual(both("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", limit: 10),
                       [.request(method: "POST", path: "/", body: Array("0123456789".utf8), keepAlive: true)])
        // chunked: rejected once the running total passes the limit, before the data arrives
        XCTAssertEqual(both("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\n", limit: 10), [.error(413)])
    }

    func testBadTrailerRejected() {
        XCTAssertEqual(both("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer: x\r\n\r\n"), [.error(400)])
    }

    func testUnknownMethodIsAToken() {
        XCTAssertEqual(both("PURGE /x HTTP/1.1\r\nHost: h\r\n\r\n"), [.request(method: "PURGE", path: "/x", body: [], keepAlive: true)])
    }
}
