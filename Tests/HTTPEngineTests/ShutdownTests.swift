import XCTest
import Glibc
import Foundation
@testable import HTTPEngine

/// Graceful shutdown over real sockets. Each test waits for events (a request entering its
/// handler, the drain starting, a close); none sleeps or measures how long anything took.
final class ShutdownTests: XCTestCase {
    func testGracefulShutdownFinishesInFlightAndClosesIdle() throws {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        var router = TestRoutes.router()
        router.add(.get, "/in-flight") { _, r in
            entered.signal()
            DispatchQueue.global().async {
                release.wait()
                r.respond(HTTPResponse(status: .ok, body: .bytes(Array("finished".utf8))))
            }
        }
        let server = try startServer(router: router)
        let idle = try RawClient(port: server.boundPort)
        XCTAssertEqual(idle.request("GET", "/hello")?.status, 200)
        let busy = try RawClient(port: server.boundPort)
        busy.send("GET /in-flight HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(entered.wait(timeout: .now() + 30), .success)

        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { server.shutdown(timeout: .seconds(60)); done.signal() }
        XCTAssertTrue(idle.isClosedByServer(), "an idle keep-alive connection is closed at once")
        XCTAssertEqual(done.wait(timeout: .now() + 0.05), .timedOut, "shutdown waits for the request in flight")
        release.signal()
        let r = try XCTUnwrap(busy.readResponse())
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.bodyText, "finished")
        XCTAssertTrue(r.closes, "an answer during the drain carries Connection: close")
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success, "and returns when the last connection closes")
        XCTAssertEqual(server.openConnections, 0)
        XCTAssertTrue(server.isDraining)
        XCTAssertThrowsError(try RawClient(port: server.boundPort), "no longer accepting")
    }

    func testARequestAlreadySentWhenTheDrainStartsIsAnswered() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        XCTAssertEqual(c.request("GET", "/hello")?.status, 200)
        c.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        server.shutdown(timeout: .seconds(30))
        // Answered (with Connection: close if the drain began first), then closed.
        XCTAssertEqual(c.readResponse()?.status, 200)
        XCTAssertTrue(c.isClosedByServer())
    }

    func testShutdownGivesUpAtTheDrainTimeout() throws {
        let entered = DispatchSemaphore(value: 0)
        var router = Router()
        router.add(.get, "/never") { _, _ in entered.signal() }   // never answers
        let server = try startServer(router: router)
        let c = try RawClient(port: server.boundPort)
        c.send("GET /never HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(entered.wait(timeout: .now() + 30), .success)
        server.shutdown(timeout: .milliseconds(100))
        XCTAssertEqual(server.openConnections, 0, "what is left when the time is up is closed")
        XCTAssertTrue(c.isClosedByServer())
    }

    func testRunUntilTerminatedDrainsOnSignal() throws {
        var config = ServerConfiguration()
        config.host = "127.0.0.1"
        config.port = 0
        config.eventLoopCount = 1
        let server = HTTPServer(configuration: config, router: TestRoutes.router())
        // Installed before the server starts, as `carewatch serve` does: from here on a
        // SIGTERM is an event to wait for, never the default action on the test runner.
        let signals = TerminationSignals()
        try server.start()
        let events = EventLog()
        let finished = DispatchSemaphore(value: 0)
        XCTAssertEqual(try RawClient(port: server.boundPort).request("GET", "/hello")?.status, 200)
        // Sent before anyone waits for it: held, not lost and not fatal.
        kill(getpid(), SIGTERM)
        Thread.detachNewThread {
            server.runUntilTerminated(signals: signals, beforeDrain: { events.add("before") }, afterDrain: { events.add("after") })
            finished.signal()
        }
        let delivered = finished.wait(timeout: .now() + 60) == .success
        XCTAssertTrue(delivered)
        XCTAssertEqual(events.all, ["before", "after"])
        XCTAssertTrue(server.isDraining)
    }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
