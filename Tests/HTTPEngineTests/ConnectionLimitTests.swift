import XCTest
import Glibc
import Foundation
@testable import HTTPEngine

/// Many connections, too many connections, and no descriptors left.
final class ConnectionLimitTests: XCTestCase {
    func testOverTheConnectionLimitGets503() throws {
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
        XCTAssertEqual(r.header("Content-Type"), "application/problem+json")
        XCTAssertEqual(r.header("Retry-After"), "1")
        XCTAssertNotNil(r.header("Date"))
        XCTAssertTrue(r.bodyText.contains(#""detail":"Too many open connections""#), r.bodyText)
        XCTAssertTrue(r.closes)
        held.removeAll()
        XCTAssertTrue(waitUntil { server.openConnections == 0 })
        assertServerHealthy(server)
    }

    func testAThousandConcurrentConnections() throws {
        let server = try startServer { $0.raisesDescriptorLimit = true }
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

    /// Out of descriptors, accept fails while the listening socket stays readable: the listener
    /// must back off (not spin), open connections must still be served, and accepting resumes
    /// once descriptors are free.
    func testRunningOutOfDescriptorsBacksOffAndRecovers() throws {
        let server = try startServer()
        let existing = try RawClient(port: server.boundPort)
        XCTAssertEqual(existing.request("GET", "/hello")?.status, 200)

        var original = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &original)
        var limited = original
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        limited.rlim_cur = rlim_t(open + 8)
        XCTAssertEqual(setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limited), 0)
        var restored = false
        defer { if !restored { var o = original; setrlimit(Int32(RLIMIT_NOFILE.rawValue), &o) } }

        // Fill the table with client sockets: their connections complete in the kernel's backlog
        // but the server cannot accept them.
        var pending: [RawClient] = []
        while let c = try? RawClient(port: server.boundPort, timeout: 1) { pending.append(c); if pending.count > 50 { break } }
        XCTAssertGreaterThan(pending.count, 0)
        XCTAssertTrue(waitUntil { server.statistics.acceptBackoffs > 0 }, "accept failed and the listener paused")

        // The already-open connection is still served.
        XCTAssertEqual(existing.request("GET", "/hello")?.status, 200)

        var o = original
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &o)
        restored = true
        for c in pending { XCTAssertEqual(c.request("GET", "/hello")?.status, 200) }
        assertServerHealthy(server)
    }
}
