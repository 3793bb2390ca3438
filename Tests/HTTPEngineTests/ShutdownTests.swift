import XCTest
import Glibc
import Foundation
@testable import HTTPEngine

final class ShutdownTests: XCTestCase {
    func testGracefulShutdownFinishesInFlightAndClosesIdle() throws {
        let entered = DispatchSemaphore(value: 0)
        var router = TestRoutes.router()
        router.add(.get, "/in-flight") { _, r in
            entered.signal()
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(300)) {
                r.respond(HTTPResponse(status: .ok, body: .bytes(Array("slow".utf8))))
            }
        }
        let server = try startServer(router: router)
        let idle = try RawClient(port: server.boundPort)
        XCTAssertEqual(idle.request("GET", "/hello")?.status, 200)
        let busy = try RawClient(port: server.boundPort)
        busy.send("GET /in-flight HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(entered.wait(timeout: .now() + 5), .success)
        let done = DispatchSemaphore(value: 0)
        let started = Date()
        DispatchQueue.global().async { server.shutdown(timeout: 3); done.signal() }
        XCTAssertTrue(idle.isClosedByServer(), "idle keep-alive connection should be closed at once")
        let r = try XCTUnwrap(busy.readResponse())
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.bodyText, "slow")
        XCTAssertTrue(r.closes, "in-flight answer during drain carries Connection: close")
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success)
        XCTAssertLessThan(Date().timeIntervalSince(started), 2.5)
        XCTAssertEqual(server.openConnections, 0)
        XCTAssertTrue(server.isDraining)
        // no longer accepting
        XCTAssertThrowsError(try RawClient(port: server.boundPort).request("GET", "/hello").map { _ in () } ?? { throw HTTPServerError("closed") }())
    }

    func testRequestAlreadySentWhenDrainStartsIsAnswered() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        XCTAssertEqual(c.request("GET", "/hello")?.status, 200)
        c.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        server.shutdown(timeout: 2)
        XCTAssertEqual(c.readResponse()?.status, 200)
        XCTAssertTrue(c.isClosedByServer())
    }

    func testShutdownGivesUpAtTheDrainTimeout() throws {
        let entered = DispatchSemaphore(value: 0)
        var router = Router()
        router.add(.get, "/never") { _, _ in entered.signal() }   // never responds
        let server = try startServer(router: router)
        let c = try RawClient(port: server.boundPort)
        c.send("GET /never HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(entered.wait(timeout: .now() + 5), .success)
        let started = Date()
        server.shutdown(timeout: 0.3)
        let took = Date().timeIntervalSince(started)
        XCTAssertGreaterThanOrEqual(took, 0.25)
        XCTAssertLessThan(took, 2)
        XCTAssertEqual(server.openConnections, 0)
        XCTAssertTrue(c.isClosedByServer())
    }

    func testRunUntilTerminatedDrainsOnSignal() throws {
        var config = ServerConfiguration()
        config.host = "127.0.0.1"
        config.port = 0
        config.eventLoopCount = 1
        let server = HTTPServer(configuration: config, router: TestRoutes.router())
        try server.start()
        signal(SIGTERM, SIG_IGN)   // so an early kill() can never take the default action on the test runner
        let events = EventLog()
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            server.runUntilTerminated(beforeDrain: { events.add("before") }, afterDrain: { events.add("after") })
            finished.signal()
        }
        XCTAssertEqual(try RawClient(port: server.boundPort).request("GET", "/hello")?.status, 200)
        // deliver SIGTERM to this process; the signal source (not the default action) must take it
        var delivered = false
        for _ in 0..<50 where !delivered {
            usleep(20_000)
            kill(getpid(), SIGTERM)
            delivered = finished.wait(timeout: .now() + 0.1) == .success
        }
        XCTAssertTrue(delivered)
        XCTAssertEqual(events.all, ["before", "after"])
        // Every kill above was sent while SIGTERM was ignored; only now give the default back,
        // because children spawned by later tests inherit ignored dispositions.
        usleep(50_000)
        signal(SIGTERM, SIG_DFL)
        XCTAssertTrue(server.isDraining)
    }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
