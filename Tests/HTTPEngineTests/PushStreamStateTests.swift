import XCTest
@testable import HTTPEngine

/// A pushed body (an event stream) in the connection's state machine: chunks go out as they
/// come, a client that falls behind is cut off with one last chunk, a drain ends the stream
/// cleanly, and a client that leaves ends it too.
final class PushStreamStateTests: XCTestCase {
    let get = "GET /events HTTP/1.1\r\nHost: t\r\n\r\n"

    /// A producer that records why its stream ended and answers with a last event.
    final class Producer: @unchecked Sendable {
        var reasons: [ResponseStream.EndReason] = []
        lazy var stream = ResponseStream(bufferLimit: 100) { [unowned self] reason in
            self.reasons.append(reason)
            return Array("last:\(reason)".utf8)
        }
    }

    func start(_ h: inout MachineHarness, _ producer: Producer, request: String? = nil) {
        let stream = producer.stream
        h.handler = { _ in HTTPResponse(headers: HTTPHeaders([("Content-Type", "text/event-stream")]), body: .push(stream)) }
        h.feed(request ?? get)
    }

    func testChunksGoOutAsTheyAreWritten() {
        var h = MachineHarness()
        let producer = Producer()
        start(&h, producer)
        XCTAssertTrue(h.takeSent().hasSuffix("Transfer-Encoding: chunked\r\n\r\n"))
        XCTAssertEqual(h.attached.count, 1)
        XCTAssertTrue(producer.stream.write(Array("one".utf8)))
        XCTAssertTrue(producer.stream.write(Array("two".utf8)))
        h.streamWoke()
        XCTAssertEqual(h.takeSent(), "6\r\nonetwo\r\n", "what waited is taken in one chunk")
        producer.stream.write(Array("three".utf8))
        h.streamWoke()
        XCTAssertEqual(h.takeSent(), "5\r\nthree\r\n")
        XCTAssertTrue(h.machine.wantsRead, "the connection watches for the client leaving")
    }

    func testFinishEndsTheBodyAndKeepsTheConnection() {
        var h = MachineHarness()
        let producer = Producer()
        start(&h, producer)
        producer.stream.write(Array("x".utf8))
        producer.stream.finish()
        XCTAssertFalse(producer.stream.write(Array("y".utf8)))
        h.streamWoke()
        XCTAssertTrue(h.text.hasSuffix("1\r\nx\r\n0\r\n\r\n"), h.text)
        XCTAssertEqual(h.machine.phase, .reading)
        XCTAssertTrue(producer.reasons.isEmpty, "a stream the producer ends is not told")
        h.feed(get)
        XCTAssertEqual(h.dispatched.count, 2)
    }

    func testASlowClientIsCutOffWithOneLastChunk() {
        var h = MachineHarness()
        let producer = Producer()
        start(&h, producer)
        h.socketTakes = 0   // the client reads nothing more
        _ = h.takeSent()
        XCTAssertTrue(producer.stream.write([UInt8](repeating: 0x61, count: 60)))
        h.streamWoke()
        XCTAssertTrue(producer.stream.write([UInt8](repeating: 0x62, count: 30)))
        XCTAssertFalse(producer.stream.write([UInt8](repeating: UInt8(ascii: "Z"), count: 30)), "past the 100-byte bound")
        XCTAssertFalse(producer.stream.isOpen)
        h.streamWoke()
        XCTAssertEqual(producer.reasons, [.clientTooSlow])
        XCTAssertEqual(h.context.counters.streamsCutOff.load(ordering: .relaxed), 1)
        h.socketTakes = nil
        h.writable()
        let text = h.text
        XCTAssertFalse(text.contains("Z"), "the refused chunk is not sent")
        XCTAssertTrue(text.hasSuffix("\r\nlast:clientTooSlow\r\n0\r\n\r\n"), text)
        XCTAssertTrue(h.shutWrite, "then the connection closes")
    }

    /// A producer with a backlog writes what `room` allows and is called back once the client
    /// has taken it, so it never passes the bound (and is never cut off) however much waits.
    func testAProducerPacesABacklogWithRoomAndDrainCalls() {
        var h = MachineHarness()
        let producer = Producer()
        start(&h, producer)
        _ = h.takeSent()
        let calls = Counter()
        XCTAssertEqual(producer.stream.room, 100)
        producer.stream.whenDrained { calls.add() }
        XCTAssertEqual(calls.value, 1, "nothing waits: called at once")

        h.socketTakes = 0
        XCTAssertTrue(producer.stream.write([UInt8](repeating: 0x61, count: 70)))
        XCTAssertEqual(producer.stream.room, 30)
        producer.stream.whenDrained { calls.add() }
        h.streamWoke()
        XCTAssertEqual(calls.value, 1, "taken by the connection but not by the client")
        XCTAssertLessThanOrEqual(producer.stream.room, 30)
        h.socketTakes = 40
        h.writable()
        XCTAssertEqual(calls.value, 1, "part of it still unsent")
        h.socketTakes = nil
        h.writable()
        XCTAssertEqual(calls.value, 2, "the client took everything")
        XCTAssertEqual(producer.stream.room, 100)
        XCTAssertTrue(producer.reasons.isEmpty)

        h.socketTakes = 0
        producer.stream.write(Array("b".utf8))
        producer.stream.whenDrained { calls.add() }
        h.machine.drain()
        h.run()
        h.socketTakes = nil
        h.writable()
        XCTAssertEqual(producer.reasons, [.serverShutdown])
        XCTAssertEqual(calls.value, 2, "an ended stream calls no drain callback")
        XCTAssertEqual(producer.stream.room, 0)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }

    func testTheBoundCountsWhatTheSocketHasNotTaken() {
        var h = MachineHarness()
        let producer = Producer()
        start(&h, producer)
        _ = h.takeSent()
        h.socketTakes = 0
        XCTAssertTrue(producer.stream.write([UInt8](repeating: 0x61, count: 80)))
        h.streamWoke()
        h.socketTakes = nil
        h.writable()
        XCTAssertTrue(producer.stream.write([UInt8](repeating: 0x61, count: 80)), "once sent, the room is back")
    }

    func testDrainEndsTheStreamWithALastChunkAndCloses() {
        var h = MachineHarness()
        let producer = Producer()
        start(&h, producer)
        producer.stream.write(Array("e1".utf8))
        h.streamWoke()
        h.machine.drain()
        h.run()
        XCTAssertEqual(producer.reasons, [.serverShutdown])
        XCTAssertTrue(h.text.hasSuffix("2\r\ne1\r\n13\r\nlast:serverShutdown\r\n0\r\n\r\n"), h.text)
        XCTAssertTrue(h.shutWrite)
        XCTAssertFalse(producer.stream.write(Array("late".utf8)))
    }

    func testAClientThatLeavesEndsTheStream() {
        var h = MachineHarness()
        let producer = Producer()
        start(&h, producer)
        h.machine.readClosed()
        h.run()
        XCTAssertEqual(producer.reasons, [.connectionClosed])
        XCTAssertTrue(h.closed)
        XCTAssertFalse(h.text.contains("last:"), "nothing more is sent to a client that left")
    }

    func testAWriteFailureEndsTheStream() {
        var h = MachineHarness()
        let producer = Producer()
        start(&h, producer)
        h.machine.socketFailed()
        h.run()
        XCTAssertEqual(producer.reasons, [.connectionClosed])
        XCTAssertTrue(h.closed)
    }

    func testAHeadRequestEndsTheStreamAtOnceAndKeepsTheConnection() {
        var h = MachineHarness()
        let producer = Producer()
        start(&h, producer, request: "HEAD /events HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(producer.reasons, [.connectionClosed])
        XCTAssertTrue(h.text.hasSuffix("Transfer-Encoding: chunked\r\n\r\n"))
        XCTAssertEqual(h.machine.phase, .reading)
    }

    func testHTTP10GetsTheRawBytesAndAClose() {
        var h = MachineHarness()
        let producer = Producer()
        start(&h, producer, request: "GET /events HTTP/1.0\r\n\r\n")
        producer.stream.write(Array("data".utf8))
        h.streamWoke()
        producer.stream.finish()
        h.streamWoke()
        XCTAssertTrue(h.text.hasSuffix("Connection: close\r\n\r\ndata"), h.text)
        XCTAssertTrue(h.shutWrite)
    }

    func testAStalledStreamIsUnderTheWriteDeadline() {
        var h = MachineHarness { $0.writeTimeout = .seconds(30); $0.minimumDataRate = nil }
        let producer = Producer()
        start(&h, producer)
        h.socketTakes = 0
        producer.stream.write(Array("x".utf8))
        h.streamWoke()
        XCTAssertEqual(h.machine.deadline?.expiry, .slowReader)
        h.advance(.seconds(30))
        XCTAssertTrue(h.closed)
        XCTAssertEqual(producer.reasons, [.connectionClosed])
    }
}
