import Foundation
import HTTPTestClient
import Synchronization
import XCTest
import CarewatchCore
@testable import CarewatchAPI

/// While the data loads the server is live (`/healthz` 200) but not ready (`/readyz` 503), and
/// a request for the data waits for it instead of being refused. The load is held by the test
/// (the start-up observer blocks it) and released when the requests are seen waiting: no
/// sleeps, only events.
final class StartupLoadingTests: XCTestCase {
    /// A server started on another thread whose load waits for `release`.
    private final class HeldStart: Sendable {
        let bound = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let parkedChanged = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let port = Atomic<Int>(0)
        let waiting = Atomic<Int>(0)
        let outcome = Mutex<Result<CarewatchService, any Error>?>(nil)
        let directory: URL

        init(configure: (inout CarewatchConfiguration) -> Void = { _ in }) throws {
            Log.setLevel(.warning)
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("carewatch-startup-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var configuration = TestServer.configuration(directory: directory)
            configure(&configuration)
            let observer = CarewatchService.StartObserver(
                bound: { [self] port in
                    self.port.store(port, ordering: .relaxed)
                    bound.signal()
                    release.wait()
                },
                parked: { [self] count in
                    waiting.store(count, ordering: .relaxed)
                    parkedChanged.signal()
                })
            Thread.detachNewThread { [self, configuration] in
                let result = Result { try CarewatchService.start(configuration, observer: observer) }
                outcome.withLock { $0 = result }
                finished.signal()
            }
            XCTAssertEqual(bound.wait(timeout: .now() + 120), .success, "the server bound its port")
        }

        /// Returns once `count` requests wait for the data.
        func waitUntilWaiting(_ count: Int) {
            while waiting.load(ordering: .relaxed) < count {
                XCTAssertEqual(parkedChanged.wait(timeout: .now() + 120), .success, "a request started waiting")
            }
        }

        /// Lets the load go on and returns how start-up ended.
        func finishLoading() -> Result<CarewatchService, any Error>? {
            release.signal()
            XCTAssertEqual(finished.wait(timeout: .now() + 120), .success, "start-up finished")
            return outcome.withLock { $0 }
        }

        func connection() throws -> RawHTTPConnection { try RawHTTPConnection(port: port.load(ordering: .relaxed)) }

        func tearDown() {
            release.signal()
            if case .success(let service)? = outcome.withLock({ $0 }) { service.stop(timeout: 2) }
            try? FileManager.default.removeItem(at: directory)
        }
    }

    func testRequestsForTheDataWaitForTheLoadAndAreAnswered() throws {
        let start = try HeldStart()
        defer { start.tearDown() }

        // Live, not ready: the orchestrator's view of a loading server.
        XCTAssertEqual(try start.connection().exchange("GET", "/healthz").status, 200)
        let notReady = try start.connection().exchange("GET", "/readyz")
        XCTAssertEqual(notReady.status, 503, "\(notReady)")

        // A read and an authorised write, sent while the data loads.
        let read = try start.connection()
        XCTAssertTrue(read.send("GET /v1/councils/E08000028 HTTP/1.1\r\nHost: x\r\n\r\n"))
        let write = try start.connection()
        let row = jsonBytes(["caseload": 15.5])
        XCTAssertTrue(write.send("PUT /v1/councils/E08000028/workforce/2026 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestServer.apiKey)\r\nContent-Type: application/json\r\nContent-Length: \(row.count)\r\n\r\n"))
        XCTAssertTrue(write.send(row))
        start.waitUntilWaiting(2)
        XCTAssertEqual(try start.connection().exchange("GET", "/readyz").status, 503, "still loading while they wait")

        guard case .success? = start.finishLoading() else { return XCTFail("start-up failed") }
        let council = try read.readResponse()
        XCTAssertEqual(council.status, 200, "\(council)")
        XCTAssertEqual(council.object["code"] as? String, "E08000028")
        let written = try write.readResponse(method: "PUT")
        XCTAssertEqual(written.status, 201, "\(written)")
        XCTAssertEqual(try start.connection().exchange("GET", "/readyz").status, 200)
        // The write that waited is in the loaded data.
        let row2026 = try start.connection().exchange("GET", "/v1/councils/E08000028/workforce/2026")
        XCTAssertEqual(row2026.object["caseload"] as? Double, 15.5, "\(row2026)")
    }

    func testRequestsWaitingWhenTheLoadFailsAreAnswered503() throws {
        let seed = FileManager.default.temporaryDirectory.appendingPathComponent("carewatch-bad-seed-\(UUID().uuidString).json")
        try Data("{ not a document".utf8).write(to: seed)
        let start = try HeldStart { $0.seedFile = seed.path }
        defer {
            start.tearDown()
            try? FileManager.default.removeItem(at: seed)
        }

        let read = try start.connection()
        XCTAssertTrue(read.send("GET /v1/councils?limit=50 HTTP/1.1\r\nHost: x\r\n\r\n"))
        start.waitUntilWaiting(1)

        guard case .failure? = start.finishLoading() else { return XCTFail("start-up should fail on a bad seed file") }
        let refused = try read.readResponse()
        XCTAssertEqual(refused.status, 503, "\(refused)")
        XCTAssertEqual(refused.mediaType, "application/problem+json")
        XCTAssertTrue((refused.object["detail"] as? String)?.contains("could not be loaded") ?? false, "\(refused)")
    }
}
