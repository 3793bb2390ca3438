import XCTest
@testable import HTTPEngine

/// Every deadline of a connection on a clock moved by hand: each fires exactly when it should,
/// not a moment before, and does what it should.
final class ConnectionDeadlineTests: XCTestCase {
    let get = "GET /a HTTP/1.1\r\nHost: t\r\n\r\n"
    let justBefore = Duration.milliseconds(1)

    func testASilentNewConnectionIsClosedAfterTheHeaderTimeout() {
        var h = MachineHarness { $0.headerTimeout = .seconds(10); $0.idleTimeout = .seconds(60) }
        XCTAssertEqual(h.machine.deadline?.expiry, .idle)
        h.advance(.seconds(10) - justBefore)
        XCTAssertFalse(h.closed)
        h.advance(justBefore)
        XCTAssertTrue(h.closed)
        XCTAssertEqual(h.text, "", "nothing was asked, nothing is answered")
    }

    func testAKeepAliveConnectionIsClosedAfterTheIdleTimeout() {
        var h = MachineHarness { $0.headerTimeout = .seconds(10); $0.idleTimeout = .seconds(60) }
        h.advance(.seconds(9))
        h.feed(get)
        h.advance(.seconds(59))
        XCTAssertFalse(h.closed, "idle time counts from the end of the last answer")
        h.advance(.seconds(1))
        XCTAssertTrue(h.closed)
    }

    func testAHeadThatTricklesGets408AtTheHeaderTimeout() {
        var h = MachineHarness { $0.headerTimeout = .seconds(10) }
        h.feed("GET /a HTTP/1.1\r\n")
        for _ in 0..<9 {
            h.advance(.seconds(1))
            h.feed("X: y\r\n")   // progress does not extend the deadline
        }
        h.advance(.seconds(1) - justBefore)
        XCTAssertTrue(h.dispatched.isEmpty)
        h.advance(justBefore)
        XCTAssertEqual(h.dispatched.count, 1)
        XCTAssertEqual(h.dispatched[0].request.engineResponse?.status, .requestTimeout)
        XCTAssertTrue(h.text.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"), h.text)
        XCTAssertTrue(h.text.contains("did not arrive within 10 s"), h.text)
        XCTAssertTrue(h.text.contains("Connection: close"))
        XCTAssertEqual(h.context.counters.requestTimeouts.load(ordering: .relaxed), 1)
        XCTAssertEqual(h.machine.phase, .lingering)
    }

    func testTheHeadDeadlineStartsAtItsFirstByteNotAtTheLastAnswer() {
        var h = MachineHarness { $0.headerTimeout = .seconds(10); $0.idleTimeout = .seconds(60) }
        h.feed(get)
        h.advance(.seconds(30))
        h.feed("GET /b HTTP/1.1\r\n")
        XCTAssertEqual(h.machine.deadline?.expiry, .head)
        h.advance(.seconds(10) - justBefore)
        XCTAssertEqual(h.dispatched.count, 1)
        h.advance(justBefore)
        XCTAssertEqual(h.dispatched.count, 2)
        XCTAssertEqual(h.dispatched[1].request.engineResponse?.status, .requestTimeout)
    }

    func testABodyBelowTheMinimumRateGets408AfterTheGrace() {
        var h = MachineHarness { $0.minimumDataRate = MinimumDataRate(bytesPerSecond: 240, grace: .seconds(5)) }
        h.feed("POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n")
        h.feed(String(repeating: "x", count: 100))   // 100 bytes cover 0.42 s: the grace decides
        XCTAssertEqual(h.machine.deadline?.expiry, .body)
        h.advance(.seconds(5) - justBefore)
        XCTAssertTrue(h.dispatched.isEmpty)
        h.advance(justBefore)
        XCTAssertEqual(h.dispatched.first?.request.engineResponse?.status, .requestTimeout)
        XCTAssertTrue(h.text.contains("arrived too slowly: 100 bytes in 5 s, below the minimum of 240 bytes per second"), h.text)
    }

    func testABodyAboveTheMinimumRateIsNotCutOff() {
        var h = MachineHarness { $0.minimumDataRate = MinimumDataRate(bytesPerSecond: 240, grace: .seconds(5)) }
        h.feed("POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n")
        for _ in 0..<19 {
            h.feed(String(repeating: "x", count: 250))   // 250 bytes a second: above 240
            h.advance(.seconds(1))
        }
        XCTAssertTrue(h.dispatched.isEmpty)
        h.feed(String(repeating: "x", count: 250))
        XCTAssertEqual(h.dispatched.count, 1)
        XCTAssertNil(h.dispatched[0].request.engineResponse)
        XCTAssertEqual(h.dispatched[0].request.body.count, 5000)
    }

    func testTheRateIsAveragedSoABurstBuysTime() {
        var h = MachineHarness { $0.minimumDataRate = MinimumDataRate(bytesPerSecond: 240, grace: .seconds(5)) }
        h.feed("POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n")
        h.feed(String(repeating: "x", count: 2400))   // ten seconds' worth at the minimum
        h.advance(.seconds(10) - justBefore)
        XCTAssertTrue(h.dispatched.isEmpty)
        h.advance(justBefore)
        XCTAssertEqual(h.dispatched.first?.request.engineResponse?.status, .requestTimeout)
    }

    func testABodyFastEnoughButNeverDoneGets408AtTheBodyTimeout() {
        // One byte every 29 s kept the old, restarting body timeout at bay for ever.
        var h = MachineHarness { $0.bodyTimeout = .seconds(30); $0.minimumDataRate = nil }
        h.feed("POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n")
        h.advance(.seconds(29))
        h.feed("x")
        h.advance(.seconds(1) - justBefore)
        XCTAssertTrue(h.dispatched.isEmpty)
        h.advance(justBefore)
        XCTAssertEqual(h.dispatched.first?.request.engineResponse?.status, .requestTimeout)
        XCTAssertTrue(h.text.contains("The request body did not arrive within 30 s"), h.text)
    }

    func testAHandlerThatNeverAnswersGets503AndItsLateAnswerIsDropped() {
        var h = MachineHarness { $0.responseTimeout = .seconds(30) }
        h.handler = { _ in nil }
        h.feed("GET /slow HTTP/1.1\r\nHost: t\r\nOrigin: https://dash.example\r\n\r\n")
        let original = h.dispatched[0].sequence
        XCTAssertEqual(h.machine.deadline?.expiry, .response)
        h.advance(.seconds(30) - justBefore)
        XCTAssertEqual(h.dispatched.count, 1)
        h.advance(justBefore)
        XCTAssertEqual(h.dispatched.count, 2, "the 503 runs through the middleware chain")
        let refusal = h.dispatched[1].request
        XCTAssertEqual(refusal.engineResponse?.status, .serviceUnavailable)
        XCTAssertEqual(refusal.path, "/slow")
        XCTAssertEqual(refusal.headers["Origin"], "https://dash.example")
        XCTAssertTrue(h.text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"), h.text)
        XCTAssertTrue(h.text.contains("Retry-After: 1"))
        XCTAssertTrue(h.text.contains("Connection: close"))
        XCTAssertEqual(h.context.counters.responseTimeouts.load(ordering: .relaxed), 1)
        XCTAssertFalse(h.respond(HTTPResponse(status: .ok), sequence: original), "the late answer is dropped")
        XCTAssertEqual(h.text.count(of: "HTTP/1.1 "), 1)
    }

    func testMiddlewareThatSwallowsTheEnginesAnswerCannotHoldTheConnection() {
        var h = MachineHarness { $0.responseTimeout = .seconds(30) }
        h.answersEngineErrors = false
        h.feed("BAD\r\n\r\n")
        XCTAssertEqual(h.dispatched.count, 1)
        h.advance(.seconds(30))
        XCTAssertTrue(h.closed)
        XCTAssertEqual(h.dispatched.count, 1, "no second refusal for the refusal")
        XCTAssertEqual(h.context.counters.responseTimeouts.load(ordering: .relaxed), 0)
    }

    func testAClientThatReadsNothingIsDisconnectedAfterTheWriteTimeout() {
        var h = MachineHarness { $0.writeTimeout = .seconds(30); $0.minimumDataRate = nil }
        h.socketTakes = 0
        h.handler = { _ in HTTPResponse(body: .bytes([UInt8](repeating: 0x61, count: 100_000))) }
        h.feed(get)
        XCTAssertEqual(h.machine.deadline?.expiry, .slowReader)
        h.advance(.seconds(30) - justBefore)
        XCTAssertFalse(h.closed)
        h.advance(justBefore)
        XCTAssertTrue(h.closed)
        XCTAssertEqual(h.context.counters.slowReaders.load(ordering: .relaxed), 1)
    }

    func testProgressRestartsTheWriteTimeout() {
        var h = MachineHarness { $0.writeTimeout = .seconds(30); $0.minimumDataRate = nil }
        h.socketTakes = 0
        h.handler = { _ in HTTPResponse(body: .bytes([UInt8](repeating: 0x61, count: 100_000))) }
        h.feed(get)
        h.advance(.seconds(20))
        h.socketTakes = 10
        h.writable()
        h.socketTakes = 0
        h.advance(.seconds(29))
        XCTAssertFalse(h.closed)
        h.advance(.seconds(1))
        XCTAssertTrue(h.closed)
    }

    func testAClientReadingBelowTheMinimumRateIsDisconnected() {
        var h = MachineHarness { $0.writeTimeout = .seconds(30); $0.minimumDataRate = MinimumDataRate(bytesPerSecond: 240, grace: .seconds(5)) }
        h.socketTakes = 0
        h.handler = { _ in HTTPResponse(body: .bytes([UInt8](repeating: 0x61, count: 100_000))) }
        h.feed(get)
        h.socketTakes = 100
        for _ in 0..<4 {
            h.advance(.seconds(1))
            h.writable()   // 100 bytes a second: some progress, but below 240
        }
        XCTAssertFalse(h.closed, "within the grace")
        h.advance(.seconds(1))
        XCTAssertTrue(h.closed)
        XCTAssertEqual(h.context.counters.slowReaders.load(ordering: .relaxed), 1)
    }

    func testAClientReadingAboveTheMinimumRateIsKept() {
        var h = MachineHarness { $0.minimumDataRate = MinimumDataRate(bytesPerSecond: 240, grace: .seconds(5)) }
        h.socketTakes = 0
        h.handler = { _ in HTTPResponse(body: .bytes([UInt8](repeating: 0x61, count: 20_000))) }
        h.feed(get)
        h.socketTakes = 1000
        for _ in 0..<25 where !h.machine.output.isEmpty {
            h.advance(.seconds(1))
            h.writable()
        }
        XCTAssertFalse(h.closed)
        XCTAssertTrue(h.machine.output.isEmpty)
        XCTAssertEqual(h.machine.phase, .reading)
    }

    func testLingerGivesUpAfterTheLingerTimeout() {
        var h = MachineHarness { $0.lingerTimeout = .seconds(2) }
        h.feed("BAD\r\n\r\n")
        XCTAssertEqual(h.machine.deadline?.expiry, .linger)
        h.advance(.seconds(2) - justBefore)
        XCTAssertFalse(h.closed)
        h.advance(justBefore)
        XCTAssertTrue(h.closed)
    }

    func testAStreamWaitingForItsProducerHasNoDeadline() {
        var h = MachineHarness { $0.responseTimeout = .seconds(30) }
        let stream = ResponseStream()
        h.handler = { _ in HTTPResponse(body: .push(stream)) }
        h.feed(get)
        XCTAssertNil(h.machine.deadline, "neither the response deadline nor idle applies once the head is sent")
        h.advance(.seconds(3600))
        XCTAssertFalse(h.closed)
    }
}
