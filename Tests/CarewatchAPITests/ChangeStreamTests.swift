import CarewatchCore
import Foundation
import HTTPTestClient
import TestFixtures
import XCTest
@testable import CarewatchAPI

/// `GET /v1/changes/stream`: the change feed as Server-Sent Events, over real sockets.
final class ChangeStreamTests: APITestCase {
    override func configure(_ configuration: inout CarewatchConfiguration) {
        configuration.streamHeartbeat = 0.05
    }

    func stream(_ headers: [(String, String)] = [], query: String = "") throws -> EventStreamClient {
        let client = try EventStreamClient(port: server.port, target: "/v1/changes/stream\(query)", headers: headers)
        XCTAssertEqual(client.head.status, 200)
        XCTAssertEqual(client.head.header("Content-Type"), "text/event-stream")
        XCTAssertEqual(client.head.header("Cache-Control"), "no-store")
        XCTAssertEqual(client.head.header("X-Accel-Buffering"), "no")
        return client
    }

    func put(_ employed: Double) throws {
        XCTAssertEqual(try server.put("/v1/councils/sunderland/workforce/2024", ["employed_fte": employed]).status, 200)
    }

    /// A client that reconnects with the last id it saw gets exactly what it missed, then
    /// what follows, live.
    func testResumesFromLastEventID() throws {
        try put(230)   // change 16538
        try put(231)   // change 16539
        let resumed = try stream([("Last-Event-ID", "16537")])
        defer { resumed.close() }
        let ready = try XCTUnwrap(resumed.next())
        XCTAssertEqual(ready.event, "ready")
        XCTAssertEqual(ready.id, "16537")
        XCTAssertEqual(ready.json["latest"] as? Int, 16539)
        let missed = try resumed.events { $0.id == "16539" }
        XCTAssertEqual(missed.map(\.id), ["16538", "16539"])
        XCTAssertEqual(missed.map(\.event), ["change", "change"])
        XCTAssertEqual(missed[1].json["seq"] as? Int, 16539)
        XCTAssertEqual(missed[1].json["version"] as? Int, 16)
        try put(232)
        let live = try resumed.events { $0.event == "change" }
        XCTAssertEqual(live.last?.id, "16540")
        XCTAssertEqual(((live.last?.json["fields"] as? [[String: Any]])?.first)?["new"] as? Double, 232)

        // since= does the same for a first connection; without either, the stream starts now.
        let fromQuery = try stream(query: "?since=16539")
        defer { fromQuery.close() }
        XCTAssertEqual(try fromQuery.events { $0.event == "change" }.last?.id, "16540")
        let fromNow = try stream()
        defer { fromNow.close() }
        XCTAssertEqual(try fromNow.next()?.id, "16540")
        try put(233)
        XCTAssertEqual(try fromNow.events { $0.event == "change" }.map(\.id), ["16541"])
    }

    /// An idle stream gets heartbeats (comment lines) that proxies see as traffic.
    func testIdleStreamsGetHeartbeats() throws {
        let client = try stream()
        defer { client.close() }
        let events = try client.events(until: { $0.comment != nil }, comments: true)
        XCTAssertEqual(events.last?.comment, "heartbeat")
    }

    /// A position the history does not hold (older than retention, or newer than any change)
    /// starts with a reset: the client must read afresh, then follows from the latest.
    func testAPositionNotHeldStartsWithAReset() throws {
        let client = try stream([("Last-Event-ID", "99999999")])
        defer { client.close() }
        let events = try client.events { $0.event == "reset" }
        XCTAssertEqual(events.map(\.event), ["ready", "reset"])
        XCTAssertEqual(events[1].id, "16537")
        XCTAssertEqual(events[1].json["asked"] as? Int, 99_999_999)
        for bad in [("Last-Event-ID", "abc"), ("Last-Event-ID", "-1")] {
            let response = try server.get("/v1/changes/stream", headers: [bad])
            XCTAssertEqual(response.status, 400)
            // The errors array says what the detail says, as every other 400 does.
            let message = "must be the id of an event this stream sent (a change sequence), not '\(bad.1)'"
            XCTAssertEqual(response.object["detail"] as? String, "Last-Event-ID " + message)
            XCTAssertEqual(response.object["errors"] as? [[String: String]], [["field": "Last-Event-ID", "message": message]])
        }
        XCTAssertEqual(try server.get("/v1/changes/stream?since=x").status, 400)
        XCTAssertEqual(try server.get("/v1/changes/stream?pretty=true").status, 400)
    }

    /// Stopping the server ends every stream with an event naming where to resume, and a
    /// properly terminated body.
    func testGracefulShutdownEndsStreamsCleanly() throws {
        let client = try stream()
        defer { client.close() }
        XCTAssertEqual(try client.next()?.event, "ready")
        let stopped = DispatchSemaphore(value: 0)
        nonisolated(unsafe) let running = server!
        DispatchQueue.global().async { running.stop(); stopped.signal() }
        let last = try client.events { $0.event == "shutdown" }.last
        XCTAssertEqual(last?.id, "16537")
        XCTAssertEqual(last?.json["resume_from"] as? Int, 16537)
        XCTAssertNil(try client.next(), "then the body ends")
        XCTAssertTrue(client.ended)
        XCTAssertTrue(client.connection.waitForClose(), "and the server closes the connection")
        client.close()
        XCTAssertEqual(stopped.wait(timeout: .now() + 30), .success)
    }
}

/// A client that does not keep up is disconnected with a last event telling it where to
/// resume, and nothing it was sent before is lost.
final class SlowChangeStreamTests: APITestCase {
    override func configure(_ configuration: inout CarewatchConfiguration) {
        configuration.streamMaxLag = 0.2
        configuration.minimumDataRate = 0   // the engine's own slow-reader rule must not act first
    }

    func testAConsumerThatFallsBehindIsCutOffWithWhereToResume() throws {
        let client = try EventStreamClient(port: server.port, target: "/v1/changes/stream", receiveBuffer: 4096)
        defer { client.close() }
        XCTAssertEqual(try client.next()?.event, "ready")
        // The client reads nothing more; imports change every workforce row (their source),
        // far more than its buffers hold.
        let release = try Array(Data(contentsOf: URL(fileURLWithPath: RepositoryData.dfe)))
        var imports = 0
        while try !server.get("/metrics").text.contains("\ncarewatch_change_streams_cut_off_total 1\n") {
            imports += 1
            XCTAssertLessThan(imports, 40, "the stream should have been cut off by now")
            if imports >= 40 { break }
            let response = try server.write("POST", "/v1/import?source=release-\(imports).csv", raw: release, contentType: "text/csv")
            XCTAssertEqual(response.status, 200)
        }
        // Everything it was sent arrives, in order, then the last event, then the end.
        var ids: [Int] = []
        var last: ServerSentEventMessage?
        while let event = try client.next() {
            if event.event == "change", let id = event.id.flatMap(Int.init) { ids.append(id) }
            last = event
        }
        XCTAssertEqual(last?.event, "cut-off")
        XCTAssertEqual(last?.json["resume_from"] as? Int, ids.last)
        XCTAssertEqual(ids, Array(16538..<(16538 + ids.count)), "in order, none lost")
        XCTAssertTrue(client.connection.waitForClose(), "and the connection closes")
        // One counter says it, once, whichever rule ended the stream (the lag rule, or the send
        // buffer's bound its last event may have hit); no second counter of the same streams.
        let metrics = try server.get("/metrics").text
        XCTAssertTrue(metrics.contains("\ncarewatch_change_streams_cut_off_total 1\n"), metrics)
        XCTAssertFalse(metrics.contains("carewatch_streams_cut_off_total"), "one counter of cut-off streams, not two: \(metrics)")
        let latest = try server.get("/v1/changes?limit=1").object["latest"] as! Int
        XCTAssertLessThan(ids.last ?? 0, latest, "it was behind")
        // It resumes from where it was told, and is sent what it missed.
        let resumed = try EventStreamClient(port: server.port, target: "/v1/changes/stream", headers: [("Last-Event-ID", String(ids.last ?? 16537))])
        defer { resumed.close() }
        XCTAssertEqual(try resumed.events { $0.event == "change" }.last?.id, String((ids.last ?? 16537) + 1))
    }
}
