import Foundation
import HTTPTestClient
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// All-or-nothing across a crash: an import or a cascading delete that the process was killed
/// in the middle of is, after a restart, either wholly there or wholly absent.
final class AtomicityTests: EndToEndTestCase {
    private static let header = "council,year,employed_fte,agency_fte,agency_rate,vacancy_fte,vacancy_rate,leavers_fte,turnover_rate,caseload,absence_rate,asye_share,source\n"
    private static let councils = ["E06000001", "E06000002", "E06000003", "E06000004", "E06000005", "E06000006", "E06000007", "E06000008",
                                   "E08000001", "E08000002", "E08000003", "E08000004", "E09000002", "E09000003", "E10000003", "E10000006"]

    /// A project workforce CSV of 16 councils × `years` rows, all tagged with `source`.
    private func importFile(source: String, years: ClosedRange<Int>) -> [UInt8] {
        var csv = Self.header
        for council in Self.councils.filter({ $0 != "E10000006" }) {
            for year in years { csv += "\(council),\(year),\(Double(year) / 10),,,,,,,12.5,,,\(source)\n" }
        }
        return Array(csv.utf8)
    }

    private func rows(from source: String, on server: CarewatchProcess) throws -> Int {
        var count = 0
        for year in [2000, 2008, 2016] {
            let response = try server.client.request("GET", "/v1/workforce?year=\(year)&limit=500")
            count += response.items.filter { $0["source"] as? String == source }.count
        }
        return count
    }

    func testImportKilledMidwayIsAllOrNothing() throws {
        let directory = try temporaryDirectory(self, "atomic-import")
        var outcomes: [String] = []
        for round in 0..<4 {
            let server = try start(directory)
            let source = "import-round-\(round)"
            let body = importFile(source: source, years: 2000...2016)
            let connection = try RawHTTPConnection(port: server.port, timeout: 30)
            connection.send(RawHTTPConnection.requestBytes("POST", "/v1/import", headers: authorized([("Content-Type", "text/csv")]), body: body))
            // Odd rounds wait for the answer; even rounds kill at a random moment, before,
            // during or after the commit.
            var acknowledged = false
            if round % 2 == 1 {
                let response = try connection.readResponse(method: "POST")
                XCTAssertEqual(response.status, 200, "\(response)")
                acknowledged = response.status == 200
            } else {
                usleep(useconds_t(Int.random(in: 0...250_000)))
            }
            server.killHard()
            let restarted = try start(directory)
            let found = try rows(from: source, on: restarted)
            // 15 councils × 3 sampled years.
            XCTAssertTrue(found == 0 || found == 45, "round \(round): partial import after a crash (\(found) of 45 sampled rows)")
            if acknowledged { XCTAssertEqual(found, 45, "round \(round): an acknowledged import is durable") }
            outcomes.append(found == 0 ? "absent" : "present")
            restarted.killHard()
        }
        print("import outcomes across kills: \(outcomes)")
    }

    func testCascadingDeleteKilledMidwayIsAllOrNothing() throws {
        let directory = try temporaryDirectory(self, "atomic-delete")
        for (round, council) in ["E08000028", "E08000025", "E09000033"].enumerated() {
            let server = try start(directory)
            let inspections = try server.client.request("GET", "/v1/inspections?council=\(council)&limit=1").object["total"] as? Int ?? -1
            let workforce = try server.client.request("GET", "/v1/workforce?council=\(council)&limit=1").object["total"] as? Int ?? -1
            XCTAssertGreaterThan(inspections, 0)
            XCTAssertGreaterThan(workforce, 0)
            let allInspections = try server.client.request("GET", "/v1/inspections?limit=1").object["total"] as? Int ?? -1
            let allWorkforce = try server.client.request("GET", "/v1/workforce?limit=1").object["total"] as? Int ?? -1
            let connection = try RawHTTPConnection(port: server.port, timeout: 30)
            connection.send(RawHTTPConnection.requestBytes("DELETE", "/v1/councils/\(council)", headers: authorized()))
            usleep(useconds_t(Int.random(in: 0...3_000)))
            server.killHard()
            let restarted = try start(directory)
            let stillThere = try restarted.client.request("GET", "/v1/councils/\(council)").status == 200
            let allInspectionsAfter = try restarted.client.request("GET", "/v1/inspections?limit=1").object["total"] as? Int ?? -1
            let allWorkforceAfter = try restarted.client.request("GET", "/v1/workforce?limit=1").object["total"] as? Int ?? -1
            if stillThere {
                let inspectionsAfter = try restarted.client.request("GET", "/v1/inspections?council=\(council)&limit=1").object["total"] as? Int ?? -1
                let workforceAfter = try restarted.client.request("GET", "/v1/workforce?council=\(council)&limit=1").object["total"] as? Int ?? -1
                XCTAssertEqual(inspectionsAfter, inspections, "round \(round): council kept, so all its inspections")
                XCTAssertEqual(workforceAfter, workforce, "round \(round)")
                XCTAssertEqual(allInspectionsAfter, allInspections, "round \(round)")
                XCTAssertEqual(allWorkforceAfter, allWorkforce, "round \(round)")
            } else {
                // A filter by a council that no longer exists is refused, so count all records.
                XCTAssertEqual(allInspectionsAfter, allInspections - inspections, "round \(round): council gone, so its inspections too")
                XCTAssertEqual(allWorkforceAfter, allWorkforce - workforce, "round \(round)")
            }
            restarted.killHard()
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
