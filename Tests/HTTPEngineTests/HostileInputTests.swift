import XCTest
import Glibc
import Foundation
@testable import HTTPEngine

/// Every refusal answers a problem+json with `Connection: close`, closes, and leaves the server
/// able to serve the next client.
final class HostileInputTests: XCTestCase {
    func assertRejected(_ raw: String, _ status: Int, server: HTTPServer, file: StaticString = #filePath, line: UInt = #line) throws {
        let c = try RawClient(port: server.boundPort)
        c.send(raw)
        guard let r = c.readResponse() else { return XCTFail("no answer to \(raw.debugDescription)", file: file, line: line) }
        XCTAssertEqual(r.status, status, raw.debugDescription, file: file, line: line)
        XCTAssertEqual(r.header("Content-Type"), "application/problem+json", file: file, line: line)
        XCTAssertTrue(r.bodyText.contains("\"status\":\(status)"), r.bodyText, file: file, line: line)
        XCTAssertTrue(r.closes, "Connection: close expected", file: file, line: line)
        XCTAssertTrue(c.isClosedByServer(), "connection should be closed", file: file, line: line)
        assertServerHealthy(server, file: file, line: line)
    }

    func testFramingAttacks() throws {
        let server = try startServer()
        try assertRejected("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, server: server)
        try assertRejected("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde", 400, server: server)
        try assertRejected("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4x\r\n\r\nabcd", 400, server: server)
        try assertRejected("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: -4\r\n\r\nabcd", 400, server: server)
        try assertRejected("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 184467440737095516160\r\n\r\n", 400, server: server)
        try assertRejected("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", 400, server: server)
        try assertRejected("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", 400, server: server)
        try assertRejected("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501, server: server)
        try assertRejected("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 501, server: server)
    }

    func testHeaderSyntaxAttacks() throws {
        let server = try startServer()
        try assertRejected("GET /hello HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n continued\r\n\r\n", 400, server: server)
        try assertRejected("GET /hello HTTP/1.1\r\nHost: t\r\nX-A : 1\r\n\r\n", 400, server: server)
        try assertRejected("GET /hello HTTP/1.1\r\nHost: t\r\nX-A: 1\u{0}2\r\n\r\n", 400, server: server)
        try assertRejected("GET /hello HTTP/1.1\r\nHost: t\r\nX-A: 1\r2\r\n\r\n", 400, server: server)
        try assertRejected("GET /hello HTTP/1.1\r\nHost: t\r\nX\"A: 1\r\n\r\n", 400, server: server)
        try assertRejected("G@T /hello HTTP/1.1\r\nHost: t\r\n\r\n", 400, server: server)
        try assertRejected("GET /hello HTTP/1.1\r\n\r\n", 400, server: server)
        try assertRejected("GET /hello HTTP/3.0\r\nHost: t\r\n\r\n", 505, server: server)
        try assertRejected("GET /hello HTTP/1.1\nHost: t\r\n\r\n", 400, server: server)
    }

    func testSizeLimits() throws {
        let server = try startServer { c in
            c.maxRequestLineBytes = 200
            c.maxHeaderBytes = 400
            c.maxHeaderCount = 10
        }
        try assertRejected("GET /\(String(repeating: "a", count: 300)) HTTP/1.1\r\nHost: t\r\n\r\n", 414, server: server)
        try assertRejected("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "b", count: 500))\r\n\r\n", 431, server: server)
        let many = (0..<11).map { "X-\($0): v\r\n" }.joined()
        try assertRejected("GET /hello HTTP/1.1\r\nHost: t\r\n\(many)\r\n", 431, server: server)
    }

    func testDefaultLimitsAreTheDocumentedOnes() throws {
        let server = try startServer()
        try assertRejected("GET /\(String(repeating: "a", count: 8 * 1024 + 1)) HTTP/1.1\r\nHost: t\r\n\r\n", 414, server: server)
        try assertRejected("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "b", count: 16 * 1024))\r\n\r\n", 431, server: server)
        let many = (0..<101).map { "X-\($0): v\r\n" }.joined()
        try assertRejected("GET /hello HTTP/1.1\r\nHost: t\r\n\(many)\r\n", 431, server: server)
    }

    func testBodyLimits() throws {
        let server = try startServer { $0.maxBodyBytes = 1000 }
        // over the server default, known from Content-Length: refused before the body is sent
        try assertRejected("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n", 413, server: server)
        // over a route's own limit
        try assertRejected("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n", 413, server: server)
        // chunked: as soon as the running total passes the limit
        try assertRejected("POST /small HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\n", 413, server: server)
        // within the limit works
        let c = try RawClient(port: server.boundPort)
        XCTAssertEqual(c.request("POST", "/small", body: "0123456789")?.status, 200)
    }

    func test413WhileClientKeepsSendingStillDelivered() throws {
        let server = try startServer { $0.maxBodyBytes = 1000 }
        let c = try RawClient(port: server.boundPort)
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 500000\r\n\r\n")
        c.send([UInt8](repeating: 0x61, count: 200_000))
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 413)
        assertServerHealthy(server)
    }

    func testLengthRequired() throws {
        let server = try startServer()
        try assertRejected("POST /echo HTTP/1.1\r\nHost: t\r\n\r\n", 411, server: server)
    }

    func testGarbageAndBinary() throws {
        let server = try startServer()
        try assertRejected("\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{fc}\u{03}\u{03}\r\n\r\n", 400, server: server)
        try assertRejected("HELLO\r\n\r\n", 400, server: server)
    }

    func testPipelinedRequestAfterBadOneIsNotServed() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        c.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\nGET /x HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(c.readResponse()?.status, 200)
        XCTAssertEqual(c.readResponse()?.status, 400)
        XCTAssertTrue(c.isClosedByServer())
    }
}
