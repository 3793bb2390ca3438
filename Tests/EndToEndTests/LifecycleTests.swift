import Foundation
import HTTPTestClient
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The process around the store: one server per data directory, and SIGTERM draining to a
/// clean exit with the data kept.
final class LifecycleTests: EndToEndTestCase {
    func testSecondServerOnTheSameDirectoryExitsWithAClearMessage() throws {
        let directory = try temporaryDirectory(self, "lock")
        let first = try start(directory)
        let second = try launch(directory)
        let status = second.waitForExit(timeout: 60)
        XCTAssertNotNil(status, "the second server gives up instead of serving")
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(second.stderr.contains("in use"), "clear message: \(second.stderr)")
        XCTAssertTrue(second.stderr.contains(directory.path) || second.stderr.contains(directory.lastPathComponent), "names the directory: \(second.stderr)")
        XCTAssertFalse(second.stderr.contains("listening"), "refused before it binds and says it listens: \(second.stderr)")
        XCTAssertEqual(second.stderr.components(separatedBy: "in use").count, 2, "said once: \(second.stderr)")
        // The first is unaffected.
        XCTAssertEqual(try first.client.request("GET", "/readyz").status, 200)
        // Offline commands are refused the same way while it runs.
        let export = try runCarewatch(["export", "--data-dir", directory.path])
        XCTAssertNotEqual(export.status, 0)
        XCTAssertTrue(export.stderr.contains("in use"), "\(export)")
        XCTAssertTrue(export.stderr.contains("GET /v1/export"), "says what to do instead: \(export)")
    }

    func testSIGTERMDrainsAndExitsZeroWithTheDataKept() throws {
        let directory = try temporaryDirectory(self, "sigterm")
        // A drain timeout far beyond the wait below: the exit must come from the last connection
        // closing, not from the timeout.
        let server = try start(directory, arguments: ["--drain-timeout", "10m"])
        for year in 2010..<2015 {
            let response = try server.client.request("PUT", "/v1/councils/E08000028/workforce/\(year)", headers: authorized(),
                                                     body: Array(#"{"employed_fte": \#(year).5, "caseload": 11.1}"#.utf8))
            XCTAssertEqual(response.status, 201, "\(response)")
        }
        // An idle keep-alive connection must not hold the drain up.
        let idle = try RawHTTPConnection(port: server.port)
        XCTAssertEqual(try idle.exchange("GET", "/healthz").status, 200)
        server.signal(SIGTERM)
        let status = server.waitForExit(timeout: 120)
        XCTAssertEqual(status, 0, "clean exit after SIGTERM, not at the drain timeout: \(server.stderr)")
        XCTAssertFalse(server.terminatedBySignal)
        XCTAssertTrue(idle.waitForClose(), "idle connections are closed")

        let restarted = try start(directory)
        for year in 2010..<2015 {
            let row = try restarted.client.request("GET", "/v1/councils/sandwell/workforce/\(year)")
            XCTAssertEqual(row.status, 200)
            XCTAssertEqual(row.object["employed_fte"] as? Double, Double(year) + 0.5)
        }
        XCTAssertEqual(try restarted.client.request("GET", "/v1/workforce?limit=1").object["total"] as? Int, 1330)
    }

    /// An orchestrator may stop a container the moment it starts (or right after its health
    /// check passes): a SIGTERM that arrives while the data still loads is held until the
    /// server can drain, never the default action that ends it without a final snapshot.
    func testSIGTERMWhileStartingDrainsAndExitsZero() throws {
        let directory = try temporaryDirectory(self, "sigterm-starting")
        let server = try launch(directory)
        // "listening" is logged once the port is bound, before the store loads and seeds.
        var listening = false
        for _ in 0..<6000 where !listening {
            listening = server.stderr.contains("listening on")
            if !listening {
                XCTAssertTrue(server.isRunning, "exited before it listened: \(server.stderr)")
                if !server.isRunning { return }
                usleep(1000)
            }
        }
        XCTAssertTrue(listening, server.stderr)
        server.signal(SIGTERM)
        XCTAssertEqual(server.waitForExit(timeout: 120), 0, server.stderr)
        XCTAssertFalse(server.terminatedBySignal, "drained, not ended by the signal: \(server.stderr)")
        XCTAssertTrue(server.stderr.contains("stopped"), server.stderr)
        // What was seeded before the drain is there on the next start.
        let restarted = try start(directory)
        XCTAssertEqual(try restarted.client.request("GET", "/v1/councils/sandwell").status, 200)
    }

    func testSIGTERMLetsAnInFlightRequestFinish() throws {
        let directory = try temporaryDirectory(self, "inflight")
        let server = try start(directory, arguments: ["--drain-timeout", "10s"])
        // Half a request on a connection the server has accepted (it answered one already):
        // the head is sent, the body is not yet. The drain reads what reached the socket.
        let connection = try RawHTTPConnection(port: server.port)
        XCTAssertEqual(try connection.exchange("GET", "/healthz").status, 200)
        let body = Array(#"{"employed_fte": 321.5}"#.utf8)
        connection.send("PUT /v1/councils/sandwell/workforce/2005 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(CarewatchProcess.apiKey)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n")
        server.signal(SIGTERM)
        // Send the body only once the drain has begun: readiness turns off, then new
        // connections are refused.
        var draining = false
        for _ in 0..<10_000 where !draining {
            draining = (try? RawHTTPConnection(port: server.port).exchange("GET", "/readyz").status) != 200
        }
        XCTAssertTrue(draining)
        connection.send(body)
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 201, "the in-flight request completes: \(response)")
        XCTAssertEqual(server.waitForExit(timeout: 30), 0)
        let restarted = try start(directory)
        XCTAssertEqual(try restarted.client.request("GET", "/v1/councils/sandwell/workforce/2005").object["employed_fte"] as? Double, 321.5)
    }

    func testHealthcheckCommand() throws {
        let directory = try temporaryDirectory(self, "healthcheck")
        let server = try start(directory)
        let healthy = try runCarewatch(["healthcheck", "--port", String(server.port), "--host", "127.0.0.1"])
        XCTAssertEqual(healthy.status, 0, "\(healthy)")
        XCTAssertEqual(server.terminate(), 0)
        let down = try runCarewatch(["healthcheck", "--port", String(server.port), "--timeout", "2s"])
        XCTAssertNotEqual(down.status, 0, "\(down)")
        XCTAssertFalse(down.stderr.isEmpty, "says why")
        let nothing = try runCarewatch(["healthcheck", "--port", String(try freePort()), "--timeout", "2s"])
        XCTAssertNotEqual(nothing.status, 0, "\(nothing)")
    }
}
