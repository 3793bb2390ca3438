import Foundation
import HTTPTestClient
import Synchronization
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Writes wait for their fsync without holding a thread. The real binary gets 1,000 PUTs at
/// once, one on each of 1,000 connections, in ten waves (each connection sends its next PUT
/// when its previous one is answered), while a sampler counts its threads in
/// `/proc/PID/task`. A design that parks a thread per waiting write can never have more
/// writes waiting for one fdatasync than it has threads (and Dispatch adds threads while its
/// workers are blocked). Here one fdatasync carries far more writes than the process has
/// threads, and the thread count stays within what the event loops, the runtime's
/// cooperative pool and the committer need.
final class WriteConcurrencyTests: EndToEndTestCase {
    static let connections = 1_000
    static let waves = 5

    func testThousandConcurrentPutsRunOnABoundedNumberOfThreads() throws {
        let directory = try temporaryDirectory(self, "burst")
        let server = try start(directory)
        let councils = try server.client.request("GET", "/v1/councils?limit=500").items.compactMap { $0["code"] as? String }
        XCTAssertGreaterThanOrEqual(councils.count, 100)
        // 1,000 sockets need more descriptors than the common soft limit of 1,024.
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < 4096 {
            guard limit.rlim_max >= rlim_t(Self.connections + 200) else {
                throw XCTSkip("the hard limit on open files (\(limit.rlim_max)) is below \(Self.connections + 200)")
            }
            limit.rlim_cur = min(limit.rlim_max, 4096)
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        let connections = try (0..<Self.connections).map { _ in try RawHTTPConnection(port: server.port, timeout: 120) }
        let before = try metrics(server)

        let idle = Self.threads(of: server.pid)
        let peak = Atomic<Int>(idle)
        let sampling = Atomic<Bool>(true)
        let sampler = Thread { [pid = server.pid] in
            while sampling.load(ordering: .relaxed) {
                let count = Self.threads(of: pid)
                if count > peak.load(ordering: .relaxed) { peak.store(count, ordering: .relaxed) }
                usleep(500)
            }
        }
        sampler.start()
        // Every PUT is a distinct row or a new value, so each one is a real journaled write.
        func path(_ index: Int) -> String { "/v1/councils/\(councils[index % councils.count])/workforce/\(2000 + index / councils.count)" }
        func send(_ connection: RawHTTPConnection, index: Int, wave: Int) {
            let body = Array(#"{"employed_fte": \#(Double(wave * 10_000 + index) / 4), "agency_fte": 10}"#.utf8)
            XCTAssertTrue(connection.send(RawHTTPConnection.requestBytes("PUT", path(index), headers: authorized(), body: body)))
        }
        for (index, connection) in connections.enumerated() { send(connection, index: index, wave: 0) }
        var statuses: [Int: Int] = [:]
        for wave in 0..<Self.waves {
            for (index, connection) in connections.enumerated() {
                statuses[try connection.readResponse(method: "PUT").status, default: 0] += 1
                if wave + 1 < Self.waves { send(connection, index: index, wave: wave + 1) }
            }
        }
        sampling.store(false, ordering: .relaxed)
        while !sampler.isFinished { usleep(1_000) }
        for connection in connections { connection.close() }
        let after = try metrics(server)

        let writes = Self.connections * Self.waves
        XCTAssertEqual(statuses, [201: Self.connections, 200: writes - Self.connections], "every PUT was acknowledged")
        let commits = after["carewatch_store_commits_total", default: 0] - before["carewatch_store_commits_total", default: 0]
        let syncs = after["carewatch_store_syncs_total", default: 0] - before["carewatch_store_syncs_total", default: 0]
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let most = peak.load(ordering: .relaxed)
        let largestBatch = Int(after["carewatch_store_largest_commit_batch", default: 0])
        print("\(writes) PUTs on \(Self.connections) connections: \(idle) threads idle, \(most) at most; \(commits) commits in \(syncs) fdatasyncs, at most \(largestBatch) in one")
        XCTAssertGreaterThan(largestBatch, 2 * most, "more writes waited for one fdatasync than there are threads: none holds a thread while it waits")
        // The load adds at most the cooperative pool (one per core) and a few of Dispatch's
        // workers to what the idle server already runs. The idle count itself varies (7 to 13
        // on 2 cores, as Dispatch keeps or retires overcommit workers), so the bound is on the
        // growth: a thread per waiting write would add hundreds.
        XCTAssertLessThanOrEqual(most - idle, 2 * cores + 4, "the writes added more threads than the cooperative pool and Dispatch's workers: \(idle) idle, \(most) at most")
        XCTAssertEqual(commits, Double(writes))
        // Each row holds the value of its last wave.
        for index in Array(0..<50) + Array((Self.connections - 50)..<Self.connections) {
            let row = try server.client.request("GET", path(index)).object
            XCTAssertEqual(row["employed_fte"] as? Double, Double((Self.waves - 1) * 10_000 + index) / 4, path(index))
        }
    }

    private func metrics(_ server: CarewatchProcess) throws -> [String: Double] {
        var values: [String: Double] = [:]
        for line in try server.client.request("GET", "/metrics").text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { values[String(parts[0])] = value }
        }
        return values
    }

    static func threads(of pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? 0
    }
}
