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
/// written or flushed and before its answer is sent (the data directory is put on a disk, not
/// tmpfs, where there is one, so that the flush takes long enough to aim at). After the kill
/// it reads what the client got, so every kill is classified (journal grown? answer received?)
/// and the suite asserts that kills landed mid-commit, not only that outcomes looked right.
/// Other kills fall at a moment drawn from a seeded generator (seed 20261129, or
/// CAREWATCH_TEST_SEED; it is printed).
final class AtomicityTests: EndToEndTestCase {
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

    /// The size of a data directory's journal, cheap enough to poll in a tight loop: one fstat
    /// per open segment, and a new listing only when the directory itself changes (a new
    /// segment). The window between a commit's journal write and its answer is short where
    /// fsync costs nothing (tmpfs), so the watch must see the growth within microseconds.
    private final class JournalWatch {
        private let path: String
        private let directory: Int32
        private var segments: [Int32] = []
        private var stamp = timespec()

        init(_ url: URL) {
            path = url.path
            directory = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            rescan()
        }

        deinit {
            for descriptor in segments { close(descriptor) }
            close(directory)
        }

        private func rescan() {
            for descriptor in segments { close(descriptor) }
            var info = stat()
            fstat(directory, &info)
            stamp = info.st_mtim
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            segments = names.filter { $0.hasPrefix("journal-") }.map { open(path + "/" + $0, O_RDONLY | O_CLOEXEC) }.filter { $0 >= 0 }
        }

        var bytes: Int {
            var info = stat()
            fstat(directory, &info)
            if info.st_mtim.tv_sec != stamp.tv_sec || info.st_mtim.tv_nsec != stamp.tv_nsec { rescan() }
            return segments.reduce(0) { total, descriptor in
                var info = stat()
                return total + (fstat(descriptor, &info) == 0 ? Int(info.st_size) : 0)
            }
        }
    }

    /// Sends `request`, kills the server at `moment`, and says where the kill landed.
    private func kill(_ server: CarewatchProcess, directory: URL, during request: [UInt8], method: String, at moment: Moment) throws -> Kill {
        let journal = JournalWatch(directory)
        let acknowledged = journal.bytes
        let connection = try RawHTTPConnection(port: server.port, timeout: 30)
        connection.send(request)
        var answered = false
        switch moment {
        case .journalGrows:
            let deadline = Date().addingTimeInterval(60)
            var polls = 0
            while journal.bytes <= acknowledged {
                polls += 1
                if polls % 10_000 == 0, Date() > deadline || !server.isRunning { break }
            }
        case .after(let micros):
            usleep(micros)
        case .answered:
            let response = try connection.readResponse(method: method)
            XCTAssertTrue((200..<300).contains(response.status), "\(response)")
            answered = true
        }
        Glibc.kill(server.pid, SIGKILL)
        server.killHard()
        // Nothing writes after the kill: the journal now is the journal at the moment of death,
        // and an answer sent before it is waiting in this socket.
        let grew = journal.bytes > acknowledged
        if !answered, let response = try? connection.readResponse(method: method) { answered = (200..<300).contains(response.status) }
        return Kill(moment: moment, journalGrew: grew, answered: answered)
    }

    /// A project workforce CSV of `councils` × the published years, each row's `employed_fte`
    /// the round's `marker` (a distinct value, so the rows of one attempt can be counted).
    private func importFile(councils: [String], marker: Double) -> [UInt8] {
        var csv = "council,year,employed_fte,caseload\n"
        for council in councils {
            for year in Self.years { csv += "\(council),\(year),\(marker),12.5\n" }
        }
        return Array(csv.utf8)
    }

    private static let years = 2017...2025

    /// The type of the file system `path` is on, from the mount table (the longest mount point
    /// that contains it).
    private static func fileSystemType(of path: String) -> String? {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        var best: (point: String, type: String)?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            let point = fields[1].replacingOccurrences(of: "\\040", with: " ")
            let contains = point == "/" || resolved == point || resolved.hasPrefix(point + "/")
            if contains, point.count >= (best?.point.count ?? -1) { best = (point, String(fields[2])) }
        }
        return best?.type
    }

    /// Rows carrying `marker`, in three sampled years.
    private func rows(marked marker: Double, on server: CarewatchProcess) throws -> Int {
        var count = 0
        for year in [Self.years.lowerBound, 2021, Self.years.upperBound] {
            let response = try server.client.request("GET", "/v1/workforce?year=\(year)&limit=500")
            count += response.items.filter { $0["employed_fte"] as? Double == marker }.count
        }
        return count
    }

    /// A data directory on a disk where there is one. On tmpfs an fsync costs nothing, so the
    /// time between a commit's journal write and its answer is too short to aim a kill into
    /// reliably; the usual temporary directory is tmpfs when CI hides the clone's parent.
    private func diskDirectory(_ label: String) throws -> URL {
        let candidates = [FileManager.default.temporaryDirectory.path, "/var/tmp", RepositoryData.packageRoot + "/.build"]
        let base = candidates.first { access($0, W_OK) == 0 && Self.fileSystemType(of: $0) != "tmpfs" } ?? candidates[0]
        let url = URL(fileURLWithPath: base).appendingPathComponent("carewatch-e2e-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Runs one round per moment. A round meant to land mid-commit is run again (eight times at
    /// most) until it does: on a loaded machine the answer can win the race, since the window
    /// is the flush (a millisecond or less on a fast disk). At least one kill must land there.
    private func killRounds(_ moments: [Moment], _ round: (_ index: Int, _ moment: Moment) throws -> Kill) rethrows {
        var kills: [Kill] = []
        for (index, moment) in moments.enumerated() {
            for _ in 1...8 {
                let kill = try round(index, moment)
                kills.append(kill)
                if case .journalGrows = moment, !kill.midCommit { continue }
                break
            }
        }
        print("\(name): \(kills)")
        XCTAssertGreaterThanOrEqual(kills.filter(\.midCommit).count, 1, "a kill landed mid-commit: \(kills)")
    }

    func testImportKilledMidwayIsAllOrNothing() throws {
        var generator = seededGenerator()
        let directory = try diskDirectory("atomic-import")
        // Mid-commit kills first, then the rest in a seeded order.
        var moments: [Moment] = [.journalGrows, .journalGrows, .answered,
                                 .after(useconds_t(Int.random(in: 0...250_000, using: &generator)))]
        moments[2...].shuffle(using: &generator)
        var attempt = 0
        try killRounds(moments) { round, moment in
            attempt += 1
            let marker = 1000 + Double(attempt) / 4
            let server = try start(directory)
            let councils = try server.client.request("GET", "/v1/councils?limit=15").items.compactMap { $0["code"] as? String }
            XCTAssertEqual(councils.count, 15)
            let request = RawHTTPConnection.requestBytes("POST", "/v1/import", headers: authorized([("Content-Type", "text/csv")]),
                                                         body: importFile(councils: councils, marker: marker))
            let kill = try kill(server, directory: directory, during: request, method: "POST", at: moment)
            let restarted = try start(directory)
            defer { restarted.killHard() }
            let found = try rows(marked: marker, on: restarted)
            let all = councils.count * 3
            XCTAssertTrue(found == 0 || found == all, "round \(round), \(kill): partial import after a crash (\(found) of \(all) sampled rows)")
            if kill.answered { XCTAssertEqual(found, all, "round \(round), \(kill): an acknowledged import is durable") }
            if !kill.journalGrew { XCTAssertEqual(found, 0, "round \(round), \(kill): nothing reached the journal, so nothing is there") }
            return kill
        }
    }

    func testCascadingDeleteKilledMidwayIsAllOrNothing() throws {
        var generator = seededGenerator()
        let directory = try diskDirectory("atomic-delete")
        // Each delete that lands takes its council away, so every attempt gets a council of its
        // own: the embedded councils in a seeded order, less the four whose joint workforce
        // returns leave them without workforce rows.
        let jointReturns: Set<String> = ["E09000021", "E09000027", "E06000061", "E06000062"]
        let listed = try String(contentsOfFile: RepositoryData.root + "/councils.csv", encoding: .utf8)
            .split(separator: "\n").dropFirst().map { String($0.prefix { $0 != "," }) }.filter { !jointReturns.contains($0) }
        var councils = listed.shuffled(using: &generator)[...]
        var moments: [Moment] = [.journalGrows, .journalGrows, .after(useconds_t(Int.random(in: 0...3_000, using: &generator))), .answered]
        moments.shuffle(using: &generator)
        try killRounds(moments) { round, moment in
            let council = try XCTUnwrap(councils.first, "councils left to delete")
            let server = try start(directory)
            let inspections = try server.client.request("GET", "/v1/inspections?council=\(council)&limit=1").object["total"] as? Int ?? -1
            let workforce = try server.client.request("GET", "/v1/workforce?council=\(council)&limit=1").object["total"] as? Int ?? -1
            XCTAssertGreaterThan(inspections, 0)
            XCTAssertGreaterThan(workforce, 0)
            let allInspections = try server.client.request("GET", "/v1/inspections?limit=1").object["total"] as? Int ?? -1
            let allWorkforce = try server.client.request("GET", "/v1/workforce?limit=1").object["total"] as? Int ?? -1
            let request = RawHTTPConnection.requestBytes("DELETE", "/v1/councils/\(council)", headers: authorized())
            let kill = try kill(server, directory: directory, during: request, method: "DELETE", at: moment)
            let restarted = try start(directory)
            defer { restarted.killHard() }
            let stillThere = try restarted.client.request("GET", "/v1/councils/\(council)").status == 200
            let allInspectionsAfter = try restarted.client.request("GET", "/v1/inspections?limit=1").object["total"] as? Int ?? -1
            let allWorkforceAfter = try restarted.client.request("GET", "/v1/workforce?limit=1").object["total"] as? Int ?? -1
            if stillThere {
                let inspectionsAfter = try restarted.client.request("GET", "/v1/inspections?council=\(council)&limit=1").object["total"] as? Int ?? -1
                let workforceAfter = try restarted.client.request("GET", "/v1/workforce?council=\(council)&limit=1").object["total"] as? Int ?? -1
                XCTAssertFalse(kill.answered, "round \(round), \(kill): an acknowledged delete is durable")
                XCTAssertEqual(inspectionsAfter, inspections, "round \(round), \(kill): council kept, so all its inspections")
                XCTAssertEqual(workforceAfter, workforce, "round \(round), \(kill)")
                XCTAssertEqual(allInspectionsAfter, allInspections, "round \(round), \(kill)")
                XCTAssertEqual(allWorkforceAfter, allWorkforce, "round \(round), \(kill)")
            } else {
                // A filter by a council that no longer exists is refused, so count all records.
                XCTAssertTrue(kill.journalGrew, "round \(round), \(kill): gone only if the delete reached the journal")
                XCTAssertEqual(allInspectionsAfter, allInspections - inspections, "round \(round), \(kill): council gone, so its inspections too")
                XCTAssertEqual(allWorkforceAfter, allWorkforce - workforce, "round \(round), \(kill)")
                councils = councils.dropFirst()
            }
            return kill
        }
    }

    func testSIGINTDrainsLikeSIGTERM() throws {
        let directory = try temporaryDirectory(self, "sigint")
        let server = try start(directory)
        let response = try server.client.request("PUT", "/v1/councils/sandwell/workforce/2016", headers: authorized(), body: Array(#"{"caseload": 9.5}"#.utf8))
        XCTAssertEqual(response.status, 201)
        server.signal(SIGINT)
        XCTAssertEqual(server.waitForExit(timeout: 30), 0, server.stderr)
        let restarted = try start(directory)
        XCTAssertEqual(try restarted.client.request("GET", "/v1/councils/sandwell/workforce/2016").object["caseload"] as? Double, 9.5)
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
