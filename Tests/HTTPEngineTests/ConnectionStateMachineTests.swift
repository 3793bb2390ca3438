import XCTest
@testable import HTTPEngine

/// The connection's lifecycle without sockets: requests, pipelining, answers, draining and
/// lingering, driven input by input.
final class ConnectionStateMachineTests: XCTestCase {
    let get = "GET /a HTTP/1.1\r\nHost: t\r\n\r\n"

    func testRequestIsDispatchedAndAnsweredWithKeepAlive() {
        var h = MachineHarness()
        h.feed("GET /a/b?x=1 HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(h.dispatched.count, 1)
        XCTAssertEqual(h.dispatched[0].request.path, "/a/b")
        XCTAssertEqual(h.dispatched[0].request.query["x"], "1")
        XCTAssertTrue(h.text.hasPrefix("HTTP/1.1 200 OK\r\n"), h.text)
        XCTAssertTrue(h.text.hasSuffix("Content-Length: 2\r\n\r\nok"), h.text)
        XCTAssertFalse(h.text.contains("Connection: close"))
        XCTAssertEqual(h.machine.phase, .reading)
        XCTAssertTrue(h.machine.wantsRead)
        XCTAssertFalse(h.closed)
    }

    func testPipelinedRequestsAreAnsweredInOrderInOneSend() {
        var h = MachineHarness()
        h.handler = { HTTPResponse(status: .ok, body: .bytes(Array($0.path.utf8))) }
        h.feed("GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\nGET /3 HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(h.dispatched.map(\.request.path), ["/1", "/2", "/3"])
        XCTAssertEqual(h.flushes, 1, "answers to pipelined requests leave together")
        let text = h.text
        let order = ["/1", "/2", "/3"].map { text.range(of: "\r\n\r\n" + $0)!.lowerBound }
        XCTAssertEqual(order, order.sorted())
    }

    func testPipelinedRequestWaitsForTheAnswerBeforeIt() {
        var h = MachineHarness()
        h.handler = { _ in nil }   // answers come later
        h.feed("GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(h.dispatched.count, 1, "one request at a time")
        XCTAssertFalse(h.machine.wantsRead, "reading pauses while a request is with the handler")
        h.respond(HTTPResponse(status: HTTPStatus(201)), sequence: h.dispatched[0].sequence)
        XCTAssertEqual(h.dispatched.count, 2)
        XCTAssertEqual(h.dispatched[1].request.path, "/2")
        h.respond(HTTPResponse(status: HTTPStatus(202)), sequence: h.dispatched[1].sequence)
        let text = h.text
        XCTAssertLessThan(text.range(of: "201 Created")!.lowerBound, text.range(of: "202 Accepted")!.lowerBound)
        XCTAssertTrue(h.machine.wantsRead)
    }

    func testOnlyTheFirstAnswerCounts() {
        var h = MachineHarness()
        h.handler = { _ in nil }
        h.feed(get)
        let sequence = h.dispatched[0].sequence
        XCTAssertTrue(h.respond(HTTPResponse(status: .ok), sequence: sequence))
        XCTAssertFalse(h.respond(HTTPResponse(status: .notFound), sequence: sequence))
        XCTAssertEqual(h.text.count(of: "HTTP/1.1 "), 1)
    }

    func testAClientThatDoesNotReadStopsThePipeline() {
        var h = MachineHarness { $0.maxPipelineBytes = 1000 }
        h.socketTakes = 0
        h.handler = { _ in HTTPResponse(status: .ok, body: .bytes([UInt8](repeating: 0x61, count: 600))) }
        h.feed(String(repeating: get, count: 10))
        XCTAssertEqual(h.dispatched.count, 2, "work stops once a thousand bytes of answers wait")
        XCTAssertTrue(h.machine.wantsWrite)
        XCTAssertFalse(h.machine.wantsRead)
        h.socketTakes = nil
        h.writable()
        XCTAssertEqual(h.dispatched.count, 10, "and resumes as the socket drains")
        XCTAssertEqual(h.text.count(of: "HTTP/1.1 200"), 10)
    }

    func testRequestSplitAcrossReads() {
        var h = MachineHarness()
        for byte in "POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" { h.feed(String(byte)) }
        XCTAssertEqual(h.dispatched.count, 1)
        XCTAssertEqual(h.dispatched[0].request.body, Array("hello".utf8))
    }

    func testHeadAnswerHasNoBody() {
        var h = MachineHarness()
        h.handler = { _ in HTTPResponse(status: .ok, body: .bytes(Array("body".utf8))) }
        h.feed("HEAD /a HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertTrue(h.text.hasSuffix("Content-Length: 4\r\n\r\n"), h.text)
    }

    func testExpectContinueIsAnsweredBeforeTheBody() {
        var h = MachineHarness()
        h.feed("POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        XCTAssertEqual(h.takeSent(), "HTTP/1.1 100 Continue\r\n\r\n")
        h.feed("hi")
        XCTAssertEqual(h.dispatched.count, 1)
        XCTAssertTrue(h.text.hasPrefix("HTTP/1.1 200"))
    }

    func testBodyLimitIsLookedUpOnThePathTheRouterMatches() {
        var h = MachineHarness()
        h.feed("POST /small%2Fname HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n")
        XCTAssertEqual(h.bodyLimitPaths.all, ["/small%2Fname"], "the raw path, as the router matches it")
        XCTAssertTrue(h.text.hasPrefix("HTTP/1.1 413"), h.text)
    }

    // MARK: refusals

    func testABrokenRequestIsAnsweredThroughTheHandlerAndClosed() {
        var h = MachineHarness()
        h.feed("GET /a HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
        XCTAssertEqual(h.dispatched.count, 1, "the engine's answer runs through the middleware chain")
        let refused = h.dispatched[0].request
        XCTAssertEqual(refused.engineResponse?.status, .badRequest)
        XCTAssertEqual(refused.method.rawValue, "-", "the head never made sense, so nothing of it is passed on")
        XCTAssertTrue(h.text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), h.text)
        XCTAssertTrue(h.text.contains("Connection: close"))
        XCTAssertTrue(h.text.contains(#""status":400"#))
        XCTAssertTrue(h.shutWrite, "then it half-closes and lingers")
        XCTAssertEqual(h.machine.phase, .lingering)
    }

    func testARefusalAfterTheHeadCarriesTheHeadToTheMiddleware() {
        var h = MachineHarness { $0.maxBodyBytes = 4 }
        h.feed("PUT /x HTTP/1.1\r\nHost: t\r\nOrigin: https://dash.example\r\nContent-Length: 5\r\n\r\n")
        let refused = h.dispatched[0].request
        XCTAssertEqual(refused.engineResponse?.status, .contentTooLarge)
        XCTAssertEqual(refused.method, .put)
        XCTAssertEqual(refused.headers["Origin"], "https://dash.example")
        XCTAssertTrue(h.text.hasPrefix("HTTP/1.1 413"))
    }

    func testWithABareHandlerTheEngineAnswersByItself() {
        var h = MachineHarness(routesEngineErrors: false)
        h.feed("GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\n")
        XCTAssertTrue(h.dispatched.isEmpty)
        XCTAssertTrue(h.text.hasPrefix("HTTP/1.1 414 URI Too Long\r\n"), h.text)
    }

    func testInputAfterARefusalIsDropped() {
        var h = MachineHarness()
        h.feed("BAD\r\n\r\n" + get)
        XCTAssertEqual(h.dispatched.count, 1)
        XCTAssertEqual(h.text.count(of: "HTTP/1.1 "), 1)
        h.feed(get)
        XCTAssertEqual(h.dispatched.count, 1, "lingering reads and drops")
    }

    // MARK: closing

    func testLingerEndsWhenTheClientCloses() {
        var h = MachineHarness()
        h.feed("GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(h.text.contains("Connection: close"))
        XCTAssertTrue(h.shutWrite)
        XCTAssertFalse(h.closed)
        h.machine.readClosed()
        h.run()
        XCTAssertTrue(h.closed)
    }

    func testHalfClosedClientStillGetsItsAnswerThenTheConnectionCloses() {
        var h = MachineHarness()
        h.handler = { _ in nil }
        h.feed(get)
        h.machine.readClosed()
        h.run()
        XCTAssertFalse(h.closed)
        h.respond(HTTPResponse(status: .ok), sequence: h.dispatched[0].sequence)
        XCTAssertTrue(h.text.contains("Connection: close"))
        XCTAssertTrue(h.closed)
        XCTAssertFalse(h.shutWrite, "no linger: the client has stopped sending already")
    }

    func testEndOfFileMidRequestCloses() {
        var h = MachineHarness()
        h.feed("POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        h.machine.readClosed()
        h.run()
        XCTAssertTrue(h.closed)
        XCTAssertEqual(h.text, "", "half a request can never complete: nothing to answer")
    }

    func testEndOfFileWhenIdleCloses() {
        var h = MachineHarness()
        h.feed(get)
        h.machine.readClosed()
        h.run()
        XCTAssertTrue(h.closed)
    }

    func testAFailedWriteCloses() {
        var h = MachineHarness()
        h.machine.socketFailed()
        h.run()
        XCTAssertTrue(h.closed)
    }

    // MARK: draining

    func testDrainClosesAnIdleConnectionAtOnce() {
        var h = MachineHarness()
        h.feed(get)
        h.machine.drain()
        h.run()
        XCTAssertTrue(h.closed)
    }

    func testDrainLetsTheRequestInFlightFinishWithConnectionClose() {
        var h = MachineHarness()
        h.handler = { _ in nil }
        h.feed(get)
        h.machine.drain()
        h.run()
        XCTAssertFalse(h.closed)
        h.respond(HTTPResponse(status: .ok), sequence: h.dispatched[0].sequence)
        XCTAssertTrue(h.text.contains("Connection: close"))
        XCTAssertTrue(h.shutWrite)
    }

    func testDrainAnswersTheRequestInFlightAndLeavesPipelinedOnesToBeRetried() {
        var h = MachineHarness()
        h.handler = { _ in nil }
        h.feed(get + get)
        h.machine.drain()
        h.respond(HTTPResponse(status: .ok), sequence: h.dispatched[0].sequence)
        XCTAssertEqual(h.dispatched.count, 1, "Connection: close tells the client to send the rest elsewhere")
        XCTAssertTrue(h.text.hasSuffix("Connection: close\r\n\r\n"), h.text)
        XCTAssertTrue(h.shutWrite)
    }

    func testDrainAnswersARequestAlreadyReceivedWhileIdle() {
        var h = MachineHarness()
        h.feed(get)
        _ = h.takeSent()
        h.feed(get)   // the shell reads what reached the socket before draining
        h.machine.drain()
        h.run()
        XCTAssertEqual(h.dispatched.count, 2)
        XCTAssertTrue(h.closed || h.shutWrite)
    }

    func testDrainDuringHalfAHeadWaitsForTheRest() {
        var h = MachineHarness()
        h.feed("GET /a HTTP/1.1\r\n")
        h.machine.drain()
        h.run()
        XCTAssertFalse(h.closed)
        h.feed("Host: t\r\n\r\n")
        XCTAssertTrue(h.text.contains("Connection: close"))
    }

    func testDrainEndsLingering() {
        var h = MachineHarness()
        h.feed("BAD\r\n\r\n")
        XCTAssertEqual(h.machine.phase, .lingering)
        h.machine.drain()
        h.run()
        XCTAssertTrue(h.closed)
    }

    func testAConnectionAcceptedDuringDrainClosesAtOnce() {
        let h = MachineHarness()
        h.context.draining.store(true, ordering: .relaxed)
        var late = ConnectionStateMachine(context: h.context, resources: LoopResources(), clock: h.clock)
        late.start()
        guard case .close = late.nextAction() else { return XCTFail("expected close") }
    }

    // MARK: bodies

    func testPulledBodyIsChunkedAndEnds() {
        var h = MachineHarness()
        let counter = Counter()
        h.handler = { _ in
            HTTPResponse(body: .stream(ChunkSource { let i = counter.next(); return i < 3 ? Array("c\(i)".utf8) : nil }))
        }
        h.feed(get)
        XCTAssertTrue(h.text.hasSuffix("Transfer-Encoding: chunked\r\n\r\n2\r\nc0\r\n2\r\nc1\r\n2\r\nc2\r\n0\r\n\r\n"), h.text)
        XCTAssertEqual(h.machine.phase, .reading)
    }

    func testPulledBodyToHTTP10IsRawAndCloses() {
        var h = MachineHarness()
        let counter = Counter()
        h.handler = { _ in HTTPResponse(body: .stream(ChunkSource { counter.next() < 2 ? Array("ab".utf8) : nil })) }
        h.feed("GET /a HTTP/1.0\r\n\r\n")
        XCTAssertTrue(h.text.hasSuffix("Connection: close\r\n\r\nabab"), h.text)
        XCTAssertTrue(h.shutWrite)
    }
}
