import XCTest
import Glibc
import Foundation
@testable import HTTPEngine

/// Each deadline once over real sockets, end to end. Deadlines are tiny and each test waits for
/// the event (the answer or the close), never for a time and never asserting how long it took:
/// the exact instants are the state machine's tests' business (ConnectionDeadlineTests).
final class DeadlineSocketTests: XCTestCase {
    func testASilentConnectionIsClosed() throws {
        let server = try startServer { $0.headerTimeout = .milliseconds(100) }
        let c = try RawClient(port: server.boundPort)
        XCTAssertTrue(c.isClosedByServer())
        XCTAssertTrue(waitUntil { server.openConnections == 0 })
    }

    func testAnIdleKeepAliveConnectionIsClosed() throws {
        let server = try startServer { $0.idleTimeout = .milliseconds(100) }
        let c = try RawClient(port: server.boundPort)
        XCTAssertEqual(c.request("GET", "/hello")?.status, 200)
        XCTAssertTrue(c.isClosedByServer())
    }

    func testAHeadThatDoesNotArriveGets408() throws {
        let server = try startServer { $0.headerTimeout = .milliseconds(100) }
        let c = try RawClient(port: server.boundPort)
        c.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 408)
        XCTAssertEqual(r.header("Content-Type"), "application/problem+json")
        XCTAssertTrue(r.closes)
        XCTAssertTrue(c.isClosedByServer())
        XCTAssertEqual(server.statistics.requestTimeouts, 1)
        assertServerHealthy(server)
    }

    func testABodyBelowTheMinimumDataRateGets408() throws {
        let server = try startServer { $0.minimumDataRate = MinimumDataRate(bytesPerSecond: 1_000_000, grace: .milliseconds(100)) }
        let c = try RawClient(port: server.boundPort)
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\nabc")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 408)
        XCTAssertTrue(r.bodyText.contains("arrived too slowly"), r.bodyText)
        XCTAssertTrue(c.isClosedByServer())
        assertServerHealthy(server)
    }

    func testABodyThatNeverCompletesGets408AtTheBodyTimeout() throws {
        let server = try startServer { $0.bodyTimeout = .milliseconds(100); $0.minimumDataRate = nil }
        let c = try RawClient(port: server.boundPort)
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 408)
        XCTAssertTrue(r.bodyText.contains("did not arrive within"), r.bodyText)
        assertServerHealthy(server)
    }

    func testAHandlerThatNeverAnswersGets503AndItsLateAnswerIsDropped() throws {
        let entered = DispatchSemaphore(value: 0)
        let parked = ResponderBox()
        var router = TestRoutes.router()
        router.add(.get, "/never") { _, responder in
            parked.set(responder)
            entered.signal()
        }
        let server = try startServer({ $0.responseTimeout = .milliseconds(100) }, router: router)
        let c = try RawClient(port: server.boundPort)
        c.send("GET /never HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(entered.wait(timeout: .now() + 30), .success)
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 503)
        XCTAssertEqual(r.header("Content-Type"), "application/problem+json")
        XCTAssertEqual(r.header("Retry-After"), "1")
        XCTAssertTrue(r.closes)
        XCTAssertEqual(server.statistics.responseTimeouts, 1)
        parked.get()?.respond(HTTPResponse(status: .ok, body: .bytes(Array("late".utf8))))
        XCTAssertTrue(c.isClosedByServer(), "the late answer is dropped, not sent")
        assertServerHealthy(server)
    }

    func testAClientThatStopsReadingIsDisconnected() throws {
        let server = try startServer { $0.writeTimeout = .milliseconds(100) }
        let c = try RawClient(port: server.boundPort)
        var small: Int32 = 4096
        setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        // An endless body: the server pulls chunks only as the socket drains, then gives up.
        c.send("GET /stream?chunks=100000000&size=65536 HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertTrue(waitUntil { server.statistics.slowReadersDisconnected == 1 })
        XCTAssertTrue(waitUntil { server.openConnections == 0 })
        assertServerHealthy(server)
    }

    func testAPipeliningClientThatNeverReadsIsBounded() throws {
        let server = try startServer { $0.writeTimeout = .milliseconds(100) }
        let c = try RawClient(port: server.boundPort, timeout: 0.2)
        var small: Int32 = 4096
        setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        // Many requests for large answers: the server must stop reading rather than buffer them all.
        let request = Array("GET /big?size=200000 HTTP/1.1\r\nHost: t\r\n\r\n".utf8)
        for _ in 0..<200 { c.send(request) }
        XCTAssertTrue(waitUntil { server.statistics.slowReadersDisconnected == 1 })
        XCTAssertTrue(waitUntil { server.openConnections == 0 })
        assertServerHealthy(server)
    }
}

final class ResponderBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Responder?
    func set(_ r: Responder) { lock.lock(); value = r; lock.unlock() }
    func get() -> Responder? { lock.lock(); defer { lock.unlock() }; return value }
}
