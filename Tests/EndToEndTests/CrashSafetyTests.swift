import Foundation
import Synchronization
import HTTPTestClient
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The durability promise: a 2xx means the write is on disk. Several writers run against the
/// real binary, which is killed with SIGKILL at a random moment; after a restart on the same
/// directory every acknowledged write must be there with exactly the values sent.
final class CrashSafetyTests: EndToEndTestCase {
    /// One acknowledged write and what a read must show for it afterwards.
    struct Acknowledged: Sendable {
        var path: String
        var expected: [String: Double]
        var expectedText: [String: String] = [:]
        /// Values of a later write to the same row that was in flight at the kill: it was
        /// never acknowledged, so it may or may not have become durable. Either is correct.
        var alternatives: [[String: Double]] = []
    }

    final class Ledger: Sendable {
        private let entries = Mutex<[Acknowledged]>([])
        private let failures = Mutex<[String]>([])
        /// Per writer, the workforce write sent and not yet answered.
        private let inFlight = Mutex<[Int: Acknowledged]>([:])
        let stop = Atomic<Bool>(false)

        var count: Int { entries.withLock { $0.count } }
        var all: [Acknowledged] { entries.withLock { $0 } }
        var unexpected: [String] { failures.withLock { $0 } }

        func record(_ entry: Acknowledged) { entries.withLock { $0.append(entry) } }
        func fail(_ message: String) { failures.withLock { $0.append(message) } }
        func sending(_ entry: Acknowledged, writer: Int) { inFlight.withLock { $0[writer] = entry } }
        func answered(writer: Int) { inFlight.withLock { $0[writer] = nil } }
        var unanswered: [Acknowledged] { inFlight.withLock { Array($0.values) } }
    }

    static let councils = ["E06000001", "E06000002", "E08000028", "E08000038", "E09000001", "E09000002", "E10000003", "E06000053",
                           "E08000001", "E08000002", "E09000033", "E10000007", "E06000010", "E08000025", "E09000020", "E10000034"]

    func testAcknowledgedWritesSurviveKill9() throws {
        let directory = try temporaryDirectory(self, "crash")
        var acknowledged: [Acknowledged] = []
        var feed: [Int: String] = [:]
        for round in 0..<4 {
            // Some rounds snapshot often, so that kills also land while a snapshot is written.
            let snapshotEvery = [nil, "25", "5", nil][round]
            let server = try start(directory, arguments: snapshotEvery.map { ["--snapshot-every", $0] } ?? [])
            // Everything acknowledged in earlier rounds survived the previous kill and restart.
            try verify(acknowledged, on: server, after: "restart before round \(round)")
            feed = try verifyFeed(acknowledged, previous: feed, on: server, after: "restart before round \(round)")

            let ledger = Ledger()
            let writers = 4
            let group = DispatchGroup()
            let port = server.port
            for writer in 0..<writers {
                DispatchQueue.global().async(group: group) {
                    Self.write(round: round, writer: writer, port: port, ledger: ledger)
                }
            }
            // Kill after a random number of acknowledged writes, while writers are mid-flight.
            let target = Int.random(in: 15...150)
            let deadline = Date().addingTimeInterval(120)
            while ledger.count < target && Date() < deadline && ledger.unexpected.isEmpty { usleep(1_000) }
            kill(server.pid, SIGKILL)
            server.killHard()
            ledger.stop.store(true, ordering: .relaxed)
            XCTAssertEqual(group.wait(timeout: .now() + 60), .success, "writers stop once the server is gone")
            XCTAssertEqual(ledger.unexpected, [], "round \(round): only 2xx or connection failures expected")
            XCTAssertGreaterThanOrEqual(ledger.count, min(target, 15), "round \(round): writes were acknowledged before the kill")
            XCTAssertTrue(server.terminatedBySignal, "the server died of SIGKILL")
            var entries = ledger.all
            for pending in ledger.unanswered {
                if let last = entries.lastIndex(where: { $0.path == pending.path }) { entries[last].alternatives.append(pending.expected) }
            }
            acknowledged += entries
            print("crash round \(round): killed after \(ledger.count) acknowledged writes (target \(target))")
        }
        let last = try start(directory)
        try verify(acknowledged, on: last, after: "final restart")
        _ = try verifyFeed(acknowledged, previous: feed, on: last, after: "final restart")
        // The store still takes writes after all that, and the data directory checks out.
        let response = try last.client.request("PUT", "/v1/councils/sandwell/workforce/2016",
                                               headers: authorized(), body: Array(#"{"caseload": 12.5}"#.utf8))
        XCTAssertTrue([200, 201].contains(response.status), "\(response)")
        XCTAssertEqual(last.terminate(), 0)
        let check = try runCarewatch(["check", directory.path])
        XCTAssertEqual(check.status, 0, "\(check)")
    }

    /// A writer: distinct workforce rows per (round, writer, index), and an inspection with a
    /// known id every few writes. Stops at the first connection failure (the kill).
    static func write(round: Int, writer: Int, port: Int, ledger: Ledger) {
        let client = RawHTTPClient(port: port, timeout: 30)
        let headers = [("Authorization", "Bearer \(CarewatchProcess.apiKey)"), ("Content-Type", "application/json")]
        var index = 0
        while !ledger.stop.load(ordering: .relaxed) && index < 10_000 {
            // Each writer owns four councils, so no two writers ever touch the same row and
            // the last acknowledged value of a row is the one that must be read back.
            let council = councils[writer * 4 + index % 4]
            // Years 2000…2015 are free in the embedded data (which starts in 2017), and
            // distinct per round: four each.
            let year = 2000 + round * 4 + (index / 4) % 4
            let employed = Double(round * 100_000 + writer * 10_000 + index) / 10
            let caseload = Double((writer * 7 + index) % 300) / 10
            let isInspection = index % 5 == 4
            let path: String
            let body: String
            let method: String
            var expected: [String: Double] = [:]
            var expectedText: [String: String] = [:]
            if isInspection {
                let id = "crash-r\(round)-w\(writer)-\(index)"
                method = "POST"
                path = "/v1/councils/\(council)/inspections"
                let day = 1 + index % 28
                body = #"{"id": "\#(id)", "framework": "focused_visit", "started": "2024-02-\#(String(format: "%02d", day))", "published": "2024-03-\#(String(format: "%02d", day))", "visit_theme": "Front door", "summary": "write \#(index) of writer \#(writer)"}"#
                expectedText = ["council": council, "published": "2024-03-\(String(format: "%02d", day))", "summary": "write \(index) of writer \(writer)"]
                let readPath = "/v1/inspections/\(id)"
                do {
                    let response = try client.request(method, path, headers: headers, body: Array(body.utf8))
                    if (200..<300).contains(response.status) {
                        ledger.record(Acknowledged(path: readPath, expected: [:], expectedText: expectedText))
                    } else if !ledger.stop.load(ordering: .relaxed) {
                        ledger.fail("\(method) \(path) → \(response)")
                        return
                    }
                } catch {
                    return
                }
            } else {
                method = "PUT"
                path = "/v1/councils/\(council)/workforce/\(year)"
                body = #"{"employed_fte": \#(employed), "caseload": \#(caseload)}"#
                expected = ["employed_fte": employed, "caseload": caseload, "year": Double(year)]
                ledger.sending(Acknowledged(path: path, expected: expected), writer: writer)
                do {
                    let response = try client.request(method, path, headers: headers, body: Array(body.utf8))
                    ledger.answered(writer: writer)
                    if (200..<300).contains(response.status) {
                        ledger.record(Acknowledged(path: path, expected: expected))
                    } else if !ledger.stop.load(ordering: .relaxed) {
                        ledger.fail("\(method) \(path) → \(response)")
                        return
                    }
                } catch {
                    return
                }
            }
            index += 1
        }
    }

    /// The change feed after a kill and restart: every change numbered once, with no gap from
    /// the oldest to the latest; a number seen before the kill still names the same change
    /// (so none is reused); and every acknowledged write is in it. Returns what it read.
    private func verifyFeed(_ acknowledged: [Acknowledged], previous: [Int: String], on server: CarewatchProcess, after: String) throws -> [Int: String] {
        var feed: [Int: String] = [:]
        var since = 0
        var expected = 1
        var latest = 0
        repeat {
            let page = try server.client.request("GET", "/v1/changes?since=\(since)&limit=1000")
            XCTAssertEqual(page.status, 200, "\(after): \(page)")
            latest = page.object["latest"] as? Int ?? 0
            for event in page.items {
                let sequence = event["seq"] as? Int ?? 0
                XCTAssertEqual(sequence, expected, "\(after): no gap, no repeat")
                expected = sequence + 1
                let record = (event["record"] as? [String: Any] ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
                feed[sequence] = "v\(event["version"] as? Int ?? 0) \(event["action"] as? String ?? "") \(record)"
            }
            since = page.object["next_since"] as? Int ?? latest
            if page.items.isEmpty { break }
        } while since < latest
        XCTAssertEqual(expected - 1, latest, "\(after): the feed reaches the latest change")
        XCTAssertGreaterThanOrEqual(latest, previous.keys.max() ?? 0, "\(after): the sequence only grows")
        for (sequence, change) in previous { XCTAssertEqual(feed[sequence], change, "\(after): change \(sequence) kept its number") }
        let recorded = Set(feed.values.map { $0.split(separator: " ", maxSplits: 2).last.map(String.init) ?? "" })
        for entry in acknowledged {
            let parts = entry.path.split(separator: "/")
            // /v1/inspections/{id} or /v1/councils/{council}/workforce/{year}
            let record = parts[1] == "inspections" ? "council=\(entry.expectedText["council"] ?? "") id=\(parts[2]) kind=inspection"
                                                   : "council=\(parts[2]) kind=workforce year=\(parts[4])"
            XCTAssertTrue(recorded.contains(record), "\(after): \(entry.path) is in the feed")
        }
        return feed
    }

    /// Each acknowledged write reads back with its values. Later writes to the same row win,
    /// so only the last acknowledged value per path is checked.
    private func verify(_ acknowledged: [Acknowledged], on server: CarewatchProcess, after: String) throws {
        var latest: [String: Acknowledged] = [:]
        for entry in acknowledged { latest[entry.path] = entry }
        var missing: [String] = []
        for (path, entry) in latest.sorted(by: { $0.key < $1.key }) {
            let response = try server.client.request("GET", path)
            guard response.status == 200 else {
                missing.append("\(path) → \(response.status)")
                continue
            }
            let object = response.object
            let matches = { (values: [String: Double]) in values.allSatisfy { object[$0.key] as? Double == $0.value } }
            if !entry.alternatives.contains(where: matches) {
                for (field, value) in entry.expected {
                    XCTAssertEqual(object[field] as? Double, value, "\(after): \(path) \(field)")
                }
            }
            for (field, value) in entry.expectedText {
                XCTAssertEqual(object[field] as? String, value, "\(after): \(path) \(field)")
            }
        }
        XCTAssertEqual(missing, [], "\(after): acknowledged writes lost (\(missing.count) of \(latest.count))")
    }
}
