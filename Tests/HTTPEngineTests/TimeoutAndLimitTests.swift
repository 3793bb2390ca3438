import XCTest
import Glibc
import Foundation
@testable import HTTPEngine

/// Timeouts use tiny configured values so these finish in well under a second each; each test
/// waits for an event (an answer or a close), never for a fixed sleep.
final class TimeoutAndLimitTests: XCTestCase {
    func testSlowlorisHeadersGet408() throws {
        let server = try startServer { $0.headerTimeout = 0.3 }
        let c = try RawClient(port: server.boundPort)
        let start = Date()
        c.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        // keep dribbling bytes: progress must not extend the header deadline
        DispatchQueue.global().async { for _ in 0..<5 { usleep(60_000); c.send("a") } }
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 408)
        XCTAssertTrue(r.closes)
        XCTAssertLessThan(Date().timeIntervalSince(start), 3)
        XCTAssertTrue(c.isClosedByServer())
        assertServerHealthy(server)
    }

    func testStalledBodyGets408() throws {
        let server = try startServer { $0.bodyTimeout = 0.3 }
        let c = try RawClient(port: server.boundPort)
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 408)
        XCTAssertTrue(c.isClosedByServer())
        assertServerHealthy(server)
    }

    func testIdleKeepAliveConnectionClosed() throws {
        let server = try startServer { $0.idleTimeout = 0.3 }
        let c = try RawClient(port: server.boundPort)
        XCTAssertEqual(c.request("GET", "/hello")?.status, 200)
        let start = Date()
        XCTAssertTrue(c.isClosedByServer())
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
    }

    func testSilentNewConnectionClosedAfterHeaderTimeout() throws {
        let server = try startServer { $0.headerTimeout = 0.3 }
        let c = try RawClient(port: server.boundPort)
        XCTAssertTrue(c.isClosedByServer())
    }

    func testClientThatStopsReadingIsClosedAfterWriteTimeout() throws {
        let server = try startServer { $0.writeTimeout = 0.3 }
        let c = try RawClient(port: server.boundPort)
        var small: Int32 = 4096
        setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        // an endless stream: the server must only pull chunks as the socket drains, then give up
        c.send("GET /stream?chunks=100000000&size=65536 HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertTrue(waitUntil { server.openConnections == 1 })
        let start = Date()
        XCTAssertTrue(waitUntil { server.openConnections == 0 })
        XCTAssertGreaterThan(Date().timeIntervalSince(start), 0.1, "closed by the write timeout, not at once")
        // (not reading the rest: with a 4 KiB window that would take minutes of kernel time)
        assertServerHealthy(server)
    }

    func testPipeliningClientThatNeverReadsIsBounded() throws {
        let server = try startServer { $0.writeTimeout = 0.3 }
        let c = try RawClient(port: server.boundPort, timeout: 0.2)
        var small: Int32 = 4096
        setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        // many requests for large answers; the server must stop reading rather than buffer them all
        let req = Array("GET /big?size=200000 HTTP/1.1\r\nHost: t\r\n\r\n".utf8)
        for _ in 0..<200 { c.send(req) }
        XCTAssertTrue(waitUntil { server.openConnections == 1 })
        XCTAssertTrue(waitUntil { server.openConnections == 0 })
        assertServerHealthy(server)
    }

    func testOverConnectionLimitGets503() throws {
        let server = try startServer { $0.maxConnections = 3 }
        var held: [RawClient] = []
        for _ in 0..<3 {
            let c = try RawClient(port: server.boundPort)
            XCTAssertEqual(c.request("GET", "/hello")?.status, 200)
            held.append(c)
        }
        let extra = try RawClient(port: server.boundPort)
        let r = try XCTUnwrap(extra.readResponse())
        XCTAssertEqual(r.status, 503)
        XCTAssertTrue(r.closes)
        held.removeAll()
        XCTAssertTrue(waitUntil { server.openConnections == 0 })
        assertServerHealthy(server)
    }

    func testThousandConcurrentConnections() throws {
        let server = try startServer()
        let count = 1200
        var clients: [RawClient] = []
        clients.reserveCapacity(count)
        for _ in 0..<count { clients.append(try RawClient(port: server.boundPort)) }
        let request = Array("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n".utf8)
        for c in clients { c.send(request) }
        var ok = 0
        for c in clients where c.readResponse()?.status == 200 { ok += 1 }
        XCTAssertEqual(ok, count)
        XCTAssertEqual(server.openConnections, count)
        // and every connection is still usable (keep-alive)
        for c in clients.prefix(50) { XCTAssertEqual(c.request("GET", "/hello")?.status, 200) }
    }

    func testConcurrentClientsOnManyThreads() throws {
        let server = try startServer()
        let port = server.boundPort
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            guard let c = try? RawClient(port: port) else { _ = failures.next(); return }
            for j in 0..<50 {
                let r = (i + j) % 3 == 0 ? c.request("POST", "/echo", body: "x\(j)") : c.request("GET", "/hello")
                if r?.status != 200 { _ = failures.next() }
            }
        }
        XCTAssertEqual(failures.next(), 0)
    }
}
