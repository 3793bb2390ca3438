import Foundation
import HTTPTestClient
import TestFixtures
import XCTest

/// Versions move only on real change. A dashboard that polls with `If-None-Match` must keep
/// getting 304 after someone re-imports the same data or saves a form without editing it:
/// such a write answers as usual, but no record gets a new version, ETag or `updated_at`,
/// and nothing is written to the journal.
final class UnchangedWriteTests: APITestCase {
    /// Reads whose answers (ETag and bytes) must survive a write that changes nothing.
    static let watched = [
        "/v1/councils/sandwell", "/v1/inspections/insp-2dbb0879", "/v1/councils/sandwell/workforce/2018",
        "/v1/councils?region=West%20Midlands", "/v1/councils/sandwell/inspections", "/v1/workforce?year=2025", "/v1/export",
    ]

    private func snapshot() throws -> [String: (etag: String?, body: [UInt8])] {
        var answers: [String: (etag: String?, body: [UInt8])] = [:]
        for path in Self.watched {
            let response = try server.get(path)
            assertStatus(response, 200, path)
            answers[path] = (response.header("ETag"), response.body)
        }
        return answers
    }

    private func assertUnchanged(since before: [String: (etag: String?, body: [UInt8])], _ what: String,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        for path in Self.watched {
            let response = try server.get(path, headers: [("If-None-Match", before[path]!.etag ?? "")])
            XCTAssertEqual(response.status, 304, "\(what): \(path) still answers 304 to its old ETag", file: file, line: line)
            XCTAssertEqual(try server.get(path).body, before[path]!.body, "\(what): \(path) is byte for byte the same", file: file, line: line)
        }
    }

    /// The store's generation and journal size, from `/metrics`: a write that journals
    /// nothing leaves both as they were.
    private func storeCounters() throws -> [String] {
        try server.get("/metrics").text.split(separator: "\n")
            .filter { $0.hasPrefix("carewatch_store_generation ") || $0.hasPrefix("carewatch_journal_bytes ") }.map(String.init)
    }

    func testImportingTheExportAgainChangesNoVersion() throws {
        let before = try snapshot()
        let counters = try storeCounters()
        XCTAssertEqual(counters.count, 2)
        let imported = try server.write("POST", "/v1/import", raw: before["/v1/export"]!.body, contentType: "application/json")
        assertStatus(imported, 200)
        XCTAssertEqual(imported.object["imported"] as? [String: Int],
                       ["councils": 153, "inspections": 778, "workforce": 1325, "figures": 11_567, "neighbours": 309])
        XCTAssertEqual(imported.object["changed"] as? [String: Int], ["councils": 0, "inspections": 0, "workforce": 0, "figures": 0, "neighbours": 0])
        try assertUnchanged(since: before, "after importing the export")
        XCTAssertEqual(try storeCounters(), counters, "nothing was journalled")
    }

    func testImportingTheOfficialFilesAgainChangesNothing() throws {
        let before = try snapshot()
        let counters = try storeCounters()
        let dfe = try server.write("POST", "/v1/import", raw: try RepositoryData.bytes(RepositoryData.dfe), contentType: "text/csv")
        assertStatus(dfe, 200)
        XCTAssertEqual((dfe.object["imported"] as? [String: Int])?["workforce"], 1325)
        XCTAssertEqual((dfe.object["imported"] as? [String: Int])?["figures"], 122)
        XCTAssertEqual(dfe.object["changed"] as? [String: Int], ["councils": 0, "inspections": 0, "workforce": 0, "figures": 0, "neighbours": 0])
        try assertUnchanged(since: before, "after importing DfE's file as published")
        XCTAssertEqual(try storeCounters(), counters)
    }

    func testAnImportChangesOnlyTheRecordsThatDiffer() throws {
        let before = try snapshot()
        let row = try server.get("/v1/councils/sandwell/workforce/2019")
        let document: [String: Any] = ["workforce": [
            try server.get("/v1/councils/sandwell/workforce/2018").object,   // as stored
            row.object.merging(["caseload": 99.5]) { $1 },                 // changed
        ]]
        let imported = try server.write("POST", "/v1/import", json: document)
        assertStatus(imported, 200)
        XCTAssertEqual(imported.object["changed"] as? [String: Int], ["councils": 0, "inspections": 0, "workforce": 1, "figures": 0, "neighbours": 0])
        let changed = try server.get("/v1/councils/sandwell/workforce/2019")
        XCTAssertNotEqual(changed.header("ETag"), row.header("ETag"))
        XCTAssertEqual(changed.object["caseload"] as? Double, 99.5)
        for path in ["/v1/councils/sandwell", "/v1/inspections/insp-2dbb0879", "/v1/councils/sandwell/workforce/2018"] {
            XCTAssertEqual(try server.get(path).header("ETag"), before[path]!.etag, "\(path) was not touched")
        }
    }

    func testPatchThatChangesNothingMakesNoVersion() throws {
        let before = try snapshot()
        let counters = try storeCounters()
        let etag = try XCTUnwrap(before["/v1/councils/sandwell"]!.etag)
        for body: [String: Any] in [[:], ["name": "Sandwell"], ["region": "West Midlands", "former_codes": []]] {
            let patched = try server.patch("/v1/councils/sandwell", body, headers: [("If-Match", etag)])
            assertStatus(patched, 200, "\(body)")
            XCTAssertEqual(patched.header("ETag"), etag, "\(body): the unchanged ETag")
            XCTAssertEqual(patched.body, before["/v1/councils/sandwell"]!.body, "\(body): the unchanged representation")
        }
        let inspection = try server.patch("/v1/inspections/insp-2dbb0879", ["summary": NSNull(), "overall": "requires_improvement"])
        assertStatus(inspection, 200)
        XCTAssertEqual(inspection.header("ETag"), before["/v1/inspections/insp-2dbb0879"]!.etag)
        try assertUnchanged(since: before, "after patches that change nothing")
        XCTAssertEqual(try storeCounters(), counters, "nothing was journalled")

        // A real change still moves the version, once.
        let renamed = try server.patch("/v1/councils/sandwell", ["name": "Sandwell MBC"], headers: [("If-Match", etag)])
        assertStatus(renamed, 200)
        XCTAssertNotEqual(renamed.header("ETag"), etag)
        XCTAssertNotEqual(try storeCounters(), counters)
    }

    func testPutThatChangesNothingMakesNoVersion() throws {
        let before = try snapshot()
        let counters = try storeCounters()
        // A council's GET answer sent back (its derived fields are ignored by PUT).
        let council = try server.write("PUT", "/v1/councils/sandwell", raw: before["/v1/councils/sandwell"]!.body)
        assertStatus(council, 200)
        XCTAssertEqual(council.header("ETag"), before["/v1/councils/sandwell"]!.etag)
        // The same figures, with the rates left for the server to derive as before.
        let figures: [String: Any] = ["employed_fte": 213.6, "agency_fte": 96, "vacancy_fte": 75.2, "leavers_fte": 30.6,
                                      "caseload": 18, "absence_rate": 5, "source": "csww_indicators_2017_to_2025.csv"]
        let row = try server.put("/v1/councils/sandwell/workforce/2018", figures)
        assertStatus(row, 200)
        XCTAssertNil(row.header("Location"), "nothing was created")
        XCTAssertEqual(row.header("ETag"), before["/v1/councils/sandwell/workforce/2018"]!.etag)
        try assertUnchanged(since: before, "after PUTs that change nothing")
        XCTAssertEqual(try storeCounters(), counters, "nothing was journalled")

        // Leaving out the source is a change: PUT replaces the whole row.
        let withoutSource = try server.put("/v1/councils/sandwell/workforce/2018", figures.filter { $0.key != "source" })
        assertStatus(withoutSource, 200)
        XCTAssertNotEqual(withoutSource.header("ETag"), before["/v1/councils/sandwell/workforce/2018"]!.etag)
        XCTAssertTrue(isNullOrAbsent(withoutSource.object["source"]))
    }

    func testUnchangedRecordsKeepTheirVersionAcrossARestart() throws {
        let before = try server.get("/v1/councils/sandwell")
        assertStatus(try server.patch("/v1/councils/sandwell", ["name": "Sandwell"]), 200)
        server.stop()
        let restarted = try extraServer(directory: server.directory)
        let after = try restarted.get("/v1/councils/sandwell")
        XCTAssertEqual(after.header("ETag"), before.header("ETag"))
        XCTAssertEqual(after.body, before.body)
    }
}
