import Foundation
import HTTPTestClient
import XCTest

/// Where a server's layers meet and bugs like to sit: pipelined writes and reads, tags of a
/// resource that was deleted and made again, HEAD on a streamed body, text that is not ASCII,
/// CSV line ends, and the import route's own body limit.
final class EdgeCaseTests: APITestCase {
    func testPipelinedWriteThenReadAnswersInOrderAndReadsTheWrite() throws {
        let connection = try RawHTTPConnection(port: server.port)
        let body = Array(#"{"employed_fte": 301.5, "caseload": 13.5}"#.utf8)
        let requests = RawHTTPConnection.requestBytes("PUT", "/v1/councils/sandwell/workforce/2026", headers: [
            ("Authorization", "Bearer \(TestServer.apiKey)"), ("Content-Type", "application/json"),
        ], body: body) + RawHTTPConnection.requestBytes("GET", "/v1/councils/sandwell/workforce/2026")
            + RawHTTPConnection.requestBytes("DELETE", "/v1/councils/sandwell/workforce/2026", headers: [("Authorization", "Bearer \(TestServer.apiKey)")])
            + RawHTTPConnection.requestBytes("GET", "/v1/councils/sandwell/workforce/2026")
        XCTAssertTrue(connection.send(requests))
        let put = try connection.readResponse(method: "PUT")
        let get = try connection.readResponse()
        let delete = try connection.readResponse(method: "DELETE")
        let gone = try connection.readResponse()
        XCTAssertEqual(put.status, 201, "\(put)")
        XCTAssertEqual(get.status, 200, "a read pipelined after a write sees it: \(get)")
        XCTAssertEqual(get.object["employed_fte"] as? Double, 301.5)
        XCTAssertEqual(delete.status, 204, "\(delete)")
        XCTAssertEqual(gone.status, 404, "\(gone)")
    }

    func testRecreatedCouncilDoesNotReuseTheOldETag() throws {
        assertStatus(try server.post("/v1/councils", CouncilEndpointTests.newCouncil), 201)
        let old = try server.get("/v1/councils/E06000099")
        let oldTag = try XCTUnwrap(old.header("ETag"))
        assertStatus(try server.delete("/v1/councils/E06000099"), 204)
        var again = CouncilEndpointTests.newCouncil
        again["name"] = "New Testshire"
        assertStatus(try server.post("/v1/councils", again), 201)
        let current = try server.get("/v1/councils/E06000099", headers: [("If-None-Match", oldTag)])
        assertStatus(current, 200, "a strong tag names one representation; the old copy is stale")
        XCTAssertEqual(current.object["name"] as? String, "New Testshire")
        XCTAssertNotEqual(current.header("ETag"), oldTag)
        // And an editor holding the old tag may not overwrite the new council.
        assertProblem(try server.patch("/v1/councils/E06000099", ["name": "Stale edit"], headers: [("If-Match", oldTag)]), 412)
    }

    func testRecreatedWorkforceRowDoesNotReuseTheOldETag() throws {
        assertStatus(try server.put("/v1/councils/sandwell/workforce/2026", ["employed_fte": 100.0]), 201)
        let oldTag = try XCTUnwrap(try server.get("/v1/councils/sandwell/workforce/2026").header("ETag"))
        assertStatus(try server.delete("/v1/councils/sandwell/workforce/2026"), 204)
        assertStatus(try server.put("/v1/councils/sandwell/workforce/2026", ["employed_fte": 200.0]), 201)
        let current = try server.get("/v1/councils/sandwell/workforce/2026", headers: [("If-None-Match", oldTag)])
        assertStatus(current, 200)
        XCTAssertEqual(current.object["employed_fte"] as? Double, 200)
    }

    func testHEADOnTheStreamedExportKeepsTheConnectionUsable() throws {
        let connection = try RawHTTPConnection(port: server.port, timeout: 10)
        let head = try connection.exchange("HEAD", "/v1/export")
        assertStatus(head, 200)
        XCTAssertTrue(head.body.isEmpty)
        let next = try connection.exchange("GET", "/v1/councils/sandwell")
        XCTAssertEqual(next.object["code"] as? String, "E08000028", "no stray body bytes before this answer")
        let export = try connection.exchange("GET", "/v1/export")
        XCTAssertEqual((export.object["councils"] as? [Any])?.count, 153)
        let after = try connection.exchange("GET", "/healthz")
        XCTAssertEqual(after.status, 200, "the streamed export ends cleanly")
    }

    func testNonASCIITextRoundTripsThroughJSONAndCSV() throws {
        // (A tab would be refused: names take no control characters.)
        let name = "Sandwell – Ünïcödé ☃ \"quoted\", with comma; and emoji 😀"
        let patched = try server.patch("/v1/councils/sandwell", ["name": name])
        assertStatus(patched, 200)
        XCTAssertEqual(patched.object["name"] as? String, name)
        XCTAssertEqual(try server.get("/v1/councils/333").object["name"] as? String, name)
        let found = try server.all("/v1/councils?q=%C3%9Cn%C3%AFc%C3%B6d%C3%A9")
        XCTAssertEqual(found.compactMap { $0["code"] as? String }, ["E08000028"])
        let csv = try server.get("/v1/councils?q=sandwell&format=csv")
        XCTAssertTrue(csv.text.contains("\"Sandwell – Ünïcödé ☃ \"\"quoted\"\", with comma; and emoji 😀\""), "RFC 4180 quoting: \(csv.text)")
    }

    func testQueryPlusIsASpaceAndCharsetParameterIsAccepted() throws {
        XCTAssertEqual(try server.total("/v1/councils?region=West+Midlands"), 14)
        let response = try server.write("POST", "/v1/councils", json: CouncilEndpointTests.newCouncil, contentType: "application/json; charset=utf-8")
        assertStatus(response, 201)
        // Media types are case-insensitive and may be padded.
        let padded = try server.write("PUT", "/v1/councils/sandwell/workforce/2005", json: ["caseload": 12.5], contentType: " Application/JSON ;charset=utf-8")
        assertStatus(padded, 201)
        let other = try server.write("PUT", "/v1/councils/sandwell/workforce/2005", json: ["caseload": 12.5], contentType: "text/plain; charset=application/json")
        assertStatus(other, 415)
    }

    func testCRLFAndBOMProjectCSVImports() throws {
        let csv = "\u{FEFF}council,year,employed_fte,agency_fte,agency_rate,vacancy_fte,vacancy_rate,leavers_fte,turnover_rate,caseload,absence_rate,asye_share,source\r\n"
            + "E08000028,2026,250.5,,,,,,,14.5,,,crlf\r\nE08000038,2026,120,,,,,,,,,,crlf\r\n"
        let response = try server.write("POST", "/v1/import", raw: Array(csv.utf8), contentType: "text/csv")
        assertStatus(response, 200)
        XCTAssertEqual((response.object["imported"] as? [String: Any])?["workforce"] as? Int, 2)
        let row = try server.get("/v1/councils/sandwell/workforce/2026").object
        XCTAssertEqual(row["caseload"] as? Double, 14.5)
        XCTAssertEqual(row["source"] as? String, "crlf", "no stray carriage return in the last field")
    }

    func testImportHasItsOwnBodyLimit() throws {
        let limited = try extraServer {
            $0.maxBodyBytes = 1024
            $0.maxImportBodyBytes = 64 * 1024
        }
        var csv = "council,year,employed_fte,agency_fte,agency_rate,vacancy_fte,vacancy_rate,leavers_fte,turnover_rate,caseload,absence_rate,asye_share,source\n"
        // 70 council-years before the embedded series (which starts in 2017).
        for council in ["E08000028", "E08000038", "E06000001", "E06000002", "E09000001"] {
            for year in 2000...2013 { csv += "\(council),\(year),250.5,,,,,,,14.5,,,a-long-enough-source-name-to-pass-one-kibibyte\n" }
        }
        XCTAssertGreaterThan(csv.utf8.count, 1024)
        let response = try limited.write("POST", "/v1/import", raw: Array(csv.utf8), contentType: "text/csv")
        assertStatus(response, 200, "bulk loads are bigger than single writes")
        XCTAssertEqual((response.object["imported"] as? [String: Any])?["workforce"] as? Int, 70)
        let huge = String(repeating: csv, count: 12)
        XCTAssertGreaterThan(huge.utf8.count, 64 * 1024)
        assertProblem(try limited.write("POST", "/v1/import", raw: Array(huge.utf8), contentType: "text/csv"), 413)
    }

    func testUpdatesMayNotTakeAnotherCouncilsNames() throws {
        assertProblem(try server.patch("/v1/councils/sandwell", ["slug": "barnsley"]), 409)
        assertProblem(try server.patch("/v1/councils/sandwell", ["la_code": 370]), 409)
        assertProblem(try server.patch("/v1/councils/sandwell", ["former_codes": ["E08000016"]]), 409)
        assertProblem(try server.patch("/v1/councils/sandwell", ["former_codes": ["E08000038"]]), 409)
        let council = try server.get("/v1/councils/sandwell").object
        XCTAssertEqual(council["slug"] as? String, "sandwell")
        XCTAssertEqual(council["la_code"] as? Int, 333)
        XCTAssertEqual(try server.get("/v1/councils/E08000016").object["code"] as? String, "E08000038", "Barnsley keeps its old code")
        // Its own names are of course fine to keep.
        assertStatus(try server.patch("/v1/councils/sandwell", ["slug": "sandwell", "la_code": 333]), 200)
    }

    func testInspectionMovedToACouncilByItsFormerCode() throws {
        let id = try XCTUnwrap(try server.get("/v1/councils/sandwell/inspections?limit=1").items.first?["id"] as? String)
        let moved = try server.patch("/v1/inspections/\(id)", ["council": "E08000016"])
        assertStatus(moved, 200)
        XCTAssertEqual(moved.object["council"] as? String, "E08000038", "stored under the current code")
        XCTAssertEqual(try server.total("/v1/councils/sandwell/inspections"), 5)
        XCTAssertTrue(try server.all("/v1/councils/barnsley/inspections").contains { $0["id"] as? String == id })
    }

    func testBearerSchemeIsCaseInsensitiveAndRequestIDIsEchoed() throws {
        let response = try server.write("PUT", "/v1/councils/sandwell/workforce/2026", json: ["caseload": 10.0],
                                        headers: [("authorization", "bearer \(TestServer.apiKey)")], authorized: false)
        assertStatus(response, 201)
        let echoed = try server.get("/healthz", headers: [("X-Request-Id", "e2e-trace-42")])
        XCTAssertEqual(echoed.header("X-Request-Id"), "e2e-trace-42")
        XCTAssertNotNil(try server.get("/healthz").header("X-Request-Id"), "generated when absent")
    }

    func testWorkforceWrittenThroughAFormerCode() throws {
        let created = try server.put("/v1/councils/E08000016/workforce/2026", ["employed_fte": 150.0])
        assertStatus(created, 201)
        XCTAssertEqual(created.object["council"] as? String, "E08000038")
        XCTAssertEqual(created.header("Location"), "/v1/councils/E08000038/workforce/2026")
        XCTAssertEqual(try server.get("/v1/councils/barnsley/workforce/2026").object["employed_fte"] as? Double, 150)
    }

    func testStatisticsWithNothingToCountAreStillValidJSON() throws {
        let early = try server.get("/v1/stats/ratings?as_of=2005-01-01")
        assertStatus(early, 200)
        let national = try XCTUnwrap(early.object["national"] as? [String: Any], "valid JSON, no NaN: \(early.text.prefix(300))")
        XCTAssertEqual((national["counts"] as? [String: Any])?["not_yet_inspected"] as? Int, 153)
        XCTAssertEqual(national["graded"] as? Int, 0)
        // A year with no figures is a 400 (YearFilterTests); a year held by one row with one
        // figure leaves every other measure with nothing to average.
        assertStatus(try server.put("/v1/councils/barnsley/workforce/2026", ["employed_fte": 150]), 201)
        let noYear = try server.get("/v1/stats/workforce?year=2026")
        assertStatus(noYear, 200)
        XCTAssertNotNil(noYear.json, "valid JSON, no NaN: \(noYear.text.prefix(300))")
        let byRating = try server.get("/v1/stats/workforce?year=2026&by=rating")
        assertStatus(byRating, 200)
        XCTAssertNotNil(byRating.json, byRating.text)
    }

    func testCSVPagesFollowTheNextCursorHeader() throws {
        var rows = 0
        var cursor: String?
        var pages = 0
        repeat {
            var target = "/v1/workforce?format=csv&limit=400&sort=-caseload"
            if let cursor { target += "&cursor=\(percentEncoded(cursor))" }
            let page = try server.get(target)
            assertStatus(page, 200)
            XCTAssertEqual(page.header("X-Total-Count"), "1325")
            rows += page.text.split(whereSeparator: \.isNewline).count - 1
            cursor = page.header("X-Next-Cursor")
            pages += 1
        } while cursor != nil && pages < 10
        XCTAssertEqual(pages, 4)
        XCTAssertEqual(rows, 1325)
    }

    func testIfNoneMatchWithAListOfTags() throws {
        let etag = try XCTUnwrap(try server.get("/v1/councils/sandwell").header("ETag"))
        assertStatus(try server.get("/v1/councils/sandwell", headers: [("If-None-Match", "\"other\", \(etag)")]), 304)
        assertStatus(try server.get("/v1/councils/sandwell", headers: [("If-None-Match", "W/\(etag)")]), 304, "weak comparison for If-None-Match")
        assertStatus(try server.patch("/v1/councils/sandwell", ["name": "W"], headers: [("If-Match", "W/\(etag)")]), 412, "strong comparison for If-Match")
        assertStatus(try server.patch("/v1/councils/sandwell", ["name": "X"], headers: [("If-Match", "\"other\", \(etag)")]), 200)
    }

    func testExpect100ContinueWrite() throws {
        let connection = try RawHTTPConnection(port: server.port)
        let body = jsonBytes(["caseload": 11.0])
        connection.send("PUT /v1/councils/sandwell/workforce/2026 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(TestServer.apiKey)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nExpect: 100-continue\r\n\r\n")
        let interim = try connection.readResponse(method: "PUT")
        XCTAssertEqual(interim.status, 100, "\(interim)")
        connection.send(body)
        let final = try connection.readResponse(method: "PUT")
        XCTAssertEqual(final.status, 201, "\(final)")
    }
}
