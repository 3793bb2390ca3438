import Foundation
import HTTPTestClient
import TestFixtures
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// All-or-nothing across a crash: an import or a cascading delete that the process was killed
/// in the middle of is, after a restart, either wholly there or wholly absent.
///
/// Each kill is placed, not hoped for: the test watches the data directory's journal and kills
/// the moment it grows past the last acknowledged record, that is while the commit is being
/// written or flushed and before its answer is sent. After the kill it reads what the client
/// got, so every kill is classified (journal grown? answer received?) and the suite asserts
/// that kills landed mid-commit, not only that outcomes looked right. Other kills fall at a
/// moment drawn from a seeded generator (seed 20261129, or CAREWATCH_TEST_SEED; it is printed).
final class AtomicityTests: EndToEndTestCase {
    private static let header = "council,year,employed_fte,agency_fte,agency_rate,vacancy_fte,vacancy_rate,leavers_fte,turnover_rate,caseload,absence_rate,asye_share,source\n"
    private static let councils = ["E06000001", "E06000002", "E06000003", "E06000004", "E06000005", "E06000006", "E06000007", "E06000008",
                                   "E08000001", "E08000002", "E08000003", "E08000004", "E09000002", "E09000003", "E10000003", "E10000006"]

    /// When to kill, relative to a write that is in flight.
    private enum Moment: CustomStringConvertible {
        /// As soon as the journal is longer than before the request: mid-commit.
        case journalGrows
        /// This many microseconds after the request was sent.
        case after(useconds_t)
        /// After the client has the answer.
        case answered

        var description: String {
            switch self {
            case .journalGrows: return "when the journal grows"
            case .after(let micros): return "\(micros) µs after sending"
            case .answered: return "after the answer"
            }
        }
    }

    /// Where a kill landed.
    private struct Kill: CustomStringConvertible {
        var moment: Moment
        /// The journal holds more than every acknowledged record: the write had reached it.
        var journalGrew: Bool
        /// The client got the write's answer before the process died.
        var answered: Bool
        var midCommit: Bool { journalGrew && !answered }

        var description: String { "killed \(moment): journal \(journalGrew ? "grown" : "unchanged"), \(answered ? "answered" : "unanswered")" }
    }

    private func seededGenerator() -> SplitMix64 {
        let seed = ProcessInfo.processInfo.environment["CAREWATCH_TEST_SEED"].flatMap { UInt64($0) } ?? 20_261_129
        print("\(name): CAREWATCH_TEST_SEED=\(seed)")
        return SplitMix64(seed: seed)
    }

    /// Bytes in the data directory's journal segments.
    private func journalBytes(_ directory: URL) -> Int {
        files(in: directory, prefix: "journal-").reduce(0) { total, url in
            total + ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0)
        }
    }

    /// Sends `request`, kills the server at `moment`, and says where the kill landed.
    private func kill(_ server: CarewatchProcess, directory: URL, during request: [UInt8], method: String, at moment: Moment) throws -> Kill {
        let acknowledged = journalBytes(directory)
        let connection = try RawHTTPConnection(port: server.port, timeout: 30)
        connection.send(request)
        var answered = false
        switch moment {
        case .journalGrows:
            let deadline = Date().addingTimeInterval(60)
            while journalBytes(directory) <= acknowledged && Date() < deadline && server.isRunning { sched_yield() }
        case .after(let micros):
            usleep(micros)
        case .answered:
            let response = try connection.readResponse(method: method)
            XCTAssertTrue((200..<300).contains(response.status), "\(response)")
            answered = true
        }
        server.killHard()
        // Nothing writes after the kill: the journal now is the journal at the moment of death,
        // and an answer sent before it is waiting in this socket.
        let grew = journalBytes(directory) > acknowledged
        if !answered, let response = try? connection.readResponse(method: method) { answered = (200..<300).contains(response.status) }
        return Kill(moment: moment, journalGrew: grew, answered: answered)
    }

    /// A project workforce CSV of 15 councils × `years` rows, all tagged with `source`.
    private func importFile(source: String, years: ClosedRange<Int>) -> [UInt8] {
        var csv = Self.header
        for council in Self.councils.filter({ $0 != "E10000006" }) {
            for year in years { csv += "\(council),\(year),\(Double(year) / 10),,,,,,,12.5,,,\(source)\n" }
        }
        return Array(csv.utf8)
    }

    private func rows(from source: String, on server: CarewatchProcess) throws -> Int {
        var count = 0
        for year in [2030, 2060, 2099] {
            let response = try server.client.request("GET", "/v1/workforce?year=\(year)&limit=500")
            count += response.items.filter { $0["source"] as? String == source }.count
        }
        return count
    }

    /// Runs one round per moment. A round meant to land mid-commit is run again (five times at
    /// most) until it does; at least two kills must have landed there.
    private func killRounds(_ moments: [Moment], _ round: (_ index: Int, _ moment: Moment) throws -> Kill) rethrows {
        var kills: [Kill] = []
        for (index, moment) in moments.enumerated() {
            for _ in 1...5 {
                let kill = try round(index, moment)
                kills.append(kill)
                if case .journalGrows = moment, !kill.midCommit { continue }
                break
            }
        }
        print("\(name): \(kills)")
        XCTAssertGreaterThanOrEqual(kills.filter(\.midCommit).count, 2, "kills landed mid-commit: \(kills)")
    }

    func testImportKilledMidwayIsAllOrNothing() throws {
        var generator = seededGenerator()
        let directory = try temporaryDirectory(self, "atomic-import")
        // Mid-commit kills first, then the rest in a seeded order.
        var moments: [Moment] = [.journalGrows, .journalGrows, .answered,
                                 .after(useconds_t(Int.random(in: 0...250_000, using: &generator)))]
        moments[2...].shuffle(using: &generator)
        var attempt = 0
        try killRounds(moments) { round, moment in
            attempt += 1
            let server = try start(directory)
            let source = "import-\(attempt)"
            let request = RawHTTPConnection.requestBytes("POST", "/v1/import", headers: authorized([("Content-Type", "text/csv")]),
                                                         body: importFile(source: source, years: 2030...2099))
            let kill = try kill(server, directory: directory, during: request, method: "POST", at: moment)
            let restarted = try start(directory)
            defer { restarted.killHard() }
            let found = try rows(from: source, on: restarted)
            // 15 councils × 3 sampled years.
            XCTAssertTrue(found == 0 || found == 45, "round \(round), \(kill): partial import after a crash (\(found) of 45 sampled rows)")
            if kill.answered { XCTAssertEqual(found, 45, "round \(round), \(kill): an acknowledged import is durable") }
            if !kill.journalGrew { XCTAssertEqual(found, 0, "round \(round), \(kill): nothing reached the journal, so nothing is there") }
            return kill
        }
    }

    func testCascadingDeleteKilledMidwayIsAllOrNothing() throws {
        var generator = seededGenerator()
        let directory = try temporaryDirectory(self, "atomic-delete")
        // Each delete that lands takes its council away, so there are councils for every attempt.
        var councils = ["E08000028", "E08000025", "E09000033", "E06000043", "E08000026", "E08000027",
                        "E08000029", "E08000030", "E08000031", "E09000001", "E09000002", "E09000003"][...]
        var moments: [Moment] = [.journalGrows, .journalGrows, .after(useconds_t(Int.random(in: 0...3_000, using: &generator))), .answered]
        moments.shuffle(using: &generator)
        try killRounds(moments) { round, moment in
            let council = try XCTUnwrap(councils.first, "councils left to delete")
            let server = try start(directory)
            let inspections = try server.client.request("GET", "/v1/inspections?council=\(council)&limit=1").object["total"] as? Int ?? -1
            let workforce = try server.client.request("GET", "/v1/workforce?council=\(council)&limit=1").object["total"] as? Int ?? -1
            XCTAssertGreaterThan(inspections, 0)
            XCTAssertGreaterThan(workforce, 0)
            let request = RawHTTPConnection.requestBytes("DELETE", "/v1/councils/\(council)", headers: authorized())
            let kill = try kill(server, directory: directory, during: request, method: "DELETE", at: moment)
            let restarted = try start(directory)
            defer { restarted.killHard() }
            let stillThere = try restarted.client.request("GET", "/v1/councils/\(council)").status == 200
            let inspectionsAfter = try restarted.client.request("GET", "/v1/inspections?council=\(council)&limit=1").object["total"] as? Int ?? -1
            let workforceAfter = try restarted.client.request("GET", "/v1/workforce?council=\(council)&limit=1").object["total"] as? Int ?? -1
            if stillThere {
                XCTAssertFalse(kill.answered, "round \(round), \(kill): an acknowledged delete is durable")
                XCTAssertEqual(inspectionsAfter, inspections, "round \(round), \(kill): council kept, so all its inspections")
                XCTAssertEqual(workforceAfter, workforce, "round \(round), \(kill)")
            } else {
                XCTAssertTrue(kill.journalGrew, "round \(round), \(kill): gone only if the delete reached the journal")
                XCTAssertEqual(inspectionsAfter, 0, "round \(round), \(kill): council gone, so its inspections too")
                XCTAssertEqual(workforceAfter, 0, "round \(round), \(kill)")
                councils = councils.dropFirst()
            }
            return kill
        }
    }

    func testSIGINTDrainsLikeSIGTERM() throws {
        let directory = try temporaryDirectory(self, "sigint")
        let server = try start(directory)
        let response = try server.client.request("PUT", "/v1/councils/sandwell/workforce/2077", headers: authorized(), body: Array(#"{"caseload": 9.5}"#.utf8))
        XCTAssertEqual(response.status, 201)
        server.signal(SIGINT)
        XCTAssertEqual(server.waitForExit(timeout: 30), 0, server.stderr)
        let restarted = try start(directory)
        XCTAssertEqual(try restarted.client.request("GET", "/v1/councils/sandwell/workforce/2077").object["caseload"] as? Double, 9.5)
    }

    func testStartFailuresAreClear() throws {
        // The port is taken.
        let directory = try temporaryDirectory(self, "port")
        let first = try start(directory)
        let other = try temporaryDirectory(self, "port-other")
        let second = try launch(other, port: first.port)
        XCTAssertNotNil(second.waitForExit(timeout: 30), "exits instead of hanging")
        XCTAssertNotEqual(second.process.terminationStatus, 0)
        XCTAssertTrue(second.stderr.lowercased().contains("in use") || second.stderr.contains(String(first.port)), second.stderr)
        // The data directory is a file.
        let file = try temporaryDirectory(self, "file").appendingPathComponent("not-a-directory")
        try Data("x".utf8).write(to: file)
        let third = try launch(file)
        XCTAssertNotNil(third.waitForExit(timeout: 30))
        XCTAssertNotEqual(third.process.terminationStatus, 0)
        XCTAssertTrue(third.stderr.contains("not-a-directory"), third.stderr)
    }
}
