import XCTest
import Glibc
import Foundation
@testable import HTTPEngine

/// Pushed bodies (Server-Sent Events) over real sockets: events arrive as written, a consumer
/// that cannot keep up is cut off with an event saying where to resume, a drain ends every
/// stream cleanly, a client that leaves is noticed, and hundreds of idle streams are cheap.
final class PushStreamSocketTests: XCTestCase {
    /// The streams a test's `/events` route has opened, and what their producers were told.
    final class Hub: @unchecked Sendable {
        private let lock = NSLock()
        private var streams: [ResponseStream] = []
        private var ends: [ResponseStream.EndReason] = []
        let ended = DispatchSemaphore(value: 0)
        var count: Int { lock.lock(); defer { lock.unlock() }; return streams.count }
        var reasons: [ResponseStream.EndReason] { lock.lock(); defer { lock.unlock() }; return ends }
        var first: ResponseStream? { lock.lock(); defer { lock.unlock() }; return streams.first }

        func add(_ s: ResponseStream) { lock.lock(); streams.append(s); lock.unlock() }
        func endedFor(_ reason: ResponseStream.EndReason) { lock.lock(); ends.append(reason); lock.unlock(); ended.signal() }
        /// Writes to every stream; returns how many took it.
        @discardableResult
        func broadcast(_ text: String) -> Int {
            lock.lock(); let all = streams; lock.unlock()
            return all.filter { $0.write(Array(text.utf8)) }.count
        }
    }

    func router(_ hub: Hub, bufferLimit: Int = 64 * 1024) -> Router {
        var router = TestRoutes.router()
        router.add(.get, "/events") { _, responder in
            let stream = ResponseStream(bufferLimit: bufferLimit) { [hub] reason in
                hub.endedFor(reason)
                return Array("event: end\ndata: \(reason)\n\n".utf8)
            }
            hub.add(stream)
            var headers = HTTPHeaders()
            headers.add("Content-Type", "text/event-stream")
            responder.respond(HTTPResponse(headers: headers, body: .push(stream)))
        }
        return router
    }

    func openStream(_ server: HTTPServer) throws -> RawClient {
        let c = try RawClient(port: server.boundPort)
        c.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = try XCTUnwrap(c.readHead())
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("Transfer-Encoding"), "chunked")
        return c
    }

    func testEventsArriveAsTheyAreWrittenFromAnyThread() throws {
        let hub = Hub()
        let server = try startServer(router: router(hub))
        let c = try openStream(server)
        XCTAssertTrue(waitUntil { hub.count == 1 })
        for i in 0..<3 {
            DispatchQueue.global().async { hub.broadcast("data: \(i)\n\n") }
            XCTAssertEqual(c.readChunk().map { String(decoding: $0, as: UTF8.self) }, "data: \(i)\n\n")
        }
        hub.first?.finish()
        XCTAssertEqual(c.readChunk(), [], "the body ends properly")
        XCTAssertEqual(c.request("GET", "/hello")?.bodyText, "hello", "and the connection goes on")
    }

    func testAConsumerThatCannotKeepUpIsCutOffWithAResumeEvent() throws {
        let hub = Hub()
        let server = try startServer({ $0.minimumDataRate = nil }, router: router(hub, bufferLimit: 16 * 1024))
        let c = try openStream(server)
        var small: Int32 = 4096
        setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        XCTAssertTrue(waitUntil { hub.count == 1 })
        // The client reads nothing: the kernel's buffers fill, then the stream's 16 KiB bound.
        let event = "data: " + String(repeating: "x", count: 1000) + "\n\n"
        var written = 0
        while hub.broadcast(event) == 1 { written += 1 }
        XCTAssertEqual(hub.ended.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(hub.reasons, [.clientTooSlow])
        // Everything accepted arrives, then the last event, then the end of the body and EOF.
        var received = 0
        var last: [UInt8] = []
        while let chunk = c.readChunk(), !chunk.isEmpty {
            received += chunk.count
            last = chunk
        }
        XCTAssertTrue(String(decoding: last, as: UTF8.self).hasSuffix("event: end\ndata: clientTooSlow\n\n"))
        XCTAssertEqual(received, written * event.utf8.count + last.count, "nothing accepted was lost")
        XCTAssertTrue(c.isClosedByServer())
        XCTAssertEqual(server.statistics.streamsCutOff, 1)
    }

    func testADrainEndsStreamsWithALastEventAndCleanly() throws {
        let hub = Hub()
        let server = try startServer(router: router(hub))
        let c = try openStream(server)
        XCTAssertTrue(waitUntil { hub.count == 1 })
        hub.broadcast("data: 1\n\n")
        XCTAssertEqual(c.readChunk().map { String(decoding: $0, as: UTF8.self) }, "data: 1\n\n")
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { server.shutdown(timeout: .seconds(60)); done.signal() }
        XCTAssertEqual(c.readChunk().map { String(decoding: $0, as: UTF8.self) }, "event: end\ndata: serverShutdown\n\n")
        XCTAssertEqual(c.readChunk(), [], "terminated, not cut")
        XCTAssertTrue(c.isClosedByServer())
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success, "shutdown does not wait for the drain timeout")
        XCTAssertEqual(hub.reasons, [.serverShutdown])
        XCTAssertFalse(hub.first?.isOpen ?? true)
    }

    func testAClientThatLeavesIsNoticedWithoutWriting() throws {
        let hub = Hub()
        let server = try startServer(router: router(hub))
        var c: RawClient? = try openStream(server)
        XCTAssertTrue(waitUntil { hub.count == 1 })
        c = nil   // closes the socket
        XCTAssertNil(c)
        XCTAssertEqual(hub.ended.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(hub.reasons, [.connectionClosed])
        XCTAssertFalse(hub.broadcast("data: nobody\n\n") == 1)
        XCTAssertTrue(waitUntil { server.openConnections == 0 })
    }

    func testHundredsOfIdleStreamsAllReceiveAndAllEnd() throws {
        let hub = Hub()
        let server = try startServer({ $0.raisesDescriptorLimit = true }, router: router(hub))
        let count = 300
        var clients: [RawClient] = []
        for _ in 0..<count { clients.append(try openStream(server)) }
        XCTAssertTrue(waitUntil { hub.count == count })
        XCTAssertEqual(hub.broadcast("data: all\n\n"), count)
        for c in clients { XCTAssertEqual(c.readChunk().map { String(decoding: $0, as: UTF8.self) }, "data: all\n\n") }
        server.shutdown(timeout: .seconds(60))
        for c in clients {
            XCTAssertEqual(c.readChunk().map { String(decoding: $0, as: UTF8.self) }, "event: end\ndata: serverShutdown\n\n")
            XCTAssertEqual(c.readChunk(), [])
        }
        XCTAssertEqual(hub.reasons.count, count)
        XCTAssertEqual(server.openConnections, 0)
    }
}
