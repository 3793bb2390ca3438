import CarewatchCore
import Foundation
import HTTPTestClient
import XCTest

/// Input the server must refuse with a problem+json that names what was wrong, rather than
/// store or silently ignore. The test servers' clock reads 2026-11-23 (`TestServer.now`), so
/// the current workforce reporting year is 2026.
final class RefusedInputTests: APITestCase {
    private func assertNamed(_ response: RawHTTPResponse, _ status: Int, field: String, mentioning text: String? = nil,
                             file: StaticString = #filePath, line: UInt = #line) {
        let problem = assertProblem(response, status, file: file, line: line)
        let fields = (problem["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
        XCTAssertTrue(fields.contains(field), "errors name \(field): \(response)", file: file, line: line)
        if let text {
            XCTAssertTrue((problem["detail"] as? String ?? "").contains(text), "detail mentions \(text): \(response)", file: file, line: line)
        }
    }

    // MARK: dates in the future

    func testWorkforceYearAfterTheCurrentReportingYear() throws {
        assertNamed(try server.put("/v1/councils/sandwell/workforce/2027", ["caseload": 15.0]), 422, field: "year", mentioning: "2026")
        assertProblem(try server.get("/v1/councils/sandwell/workforce/2027"), 404)
        assertStatus(try server.put("/v1/councils/sandwell/workforce/2026", ["caseload": 15.0]), 201)
        // An import of a future year is refused whole, naming the record.
        let csv = "council,year,caseload\nE08000028,2016,12\nE08000028,2030,14\n"
        let imported = try server.write("POST", "/v1/import", raw: Array(csv.utf8), contentType: "text/csv")
        assertNamed(imported, 422, field: "year", mentioning: "E08000028 2030")
        let json = try server.write("POST", "/v1/import", json: ["workforce": [["council": "sandwell", "year": 2031, "caseload": 14]]])
        assertNamed(json, 422, field: "workforce[0].year")
        assertProblem(try server.get("/v1/councils/sandwell/workforce/2016"), 404)

        // Before 1 October the year's figures cannot exist yet: on 30 September 2026 the
        // current reporting year is 2025.
        let september = try extraServer { $0.clock = .fixed(Timestamp(rfc3339: "2026-09-30T23:59:59Z")!) }
        assertNamed(try september.put("/v1/councils/sandwell/workforce/2026", ["caseload": 15.0]), 422, field: "year", mentioning: "2025")
        assertStatus(try september.put("/v1/councils/sandwell/workforce/2016", ["caseload": 15.0]), 201)
    }

    func testInspectionDatesAfterToday() throws {
        let latest = try server.get("/v1/councils/sandwell").object["latest_inspection"] as? [String: Any]
        var graded: [String: Any] = ["framework": "ilacs", "overall": "good", "started": "2026-11-02", "published": "2026-11-24"]
        assertNamed(try server.post("/v1/councils/sandwell/inspections", graded), 422, field: "published", mentioning: "2026-11-23")
        graded["started"] = "2031-01-12"
        graded["published"] = NSNull()
        assertNamed(try server.post("/v1/councils/sandwell/inspections", graded), 422, field: "started")
        XCTAssertEqual(try server.total("/v1/councils/sandwell/inspections"), 6)
        XCTAssertEqual((try server.get("/v1/councils/sandwell").object["latest_inspection"] as? [String: Any])?["id"] as? String,
                       latest?["id"] as? String, "a refused inspection never becomes the latest")
        assertNamed(try server.patch("/v1/inspections/insp-2dbb0879", ["published": "2027-01-01"]), 422, field: "published")
        // Today itself is not in the future.
        graded["started"] = "2026-11-02"
        graded["published"] = "2026-11-23"
        assertStatus(try server.post("/v1/councils/sandwell/inspections", graded), 201)
    }

    func testStatisticsAsOfAfterToday() throws {
        assertNamed(try server.get("/v1/stats/ratings?as_of=2026-11-24"), 400, field: "as_of")
        assertNamed(try server.get("/v1/stats/ratings/series?as_of=2025-03-31,2026-11-24"), 400, field: "as_of")
        assertStatus(try server.get("/v1/stats/ratings/series?as_of=2025-03-31,2026-11-23"), 200)
        assertStatus(try server.get("/v1/stats/ratings?as_of=2026-11-23"), 200)
        XCTAssertEqual(try server.get("/v1/stats/ratings").object["as_of"] as? String, "2026-11-23", "the default as_of is the clock's today")
    }

    // MARK: the path year

    func testAPathYearThatIsNotAYear() throws {
        for year in ["abc", "1990", "+2018", "20180", "2018.0", "0x7e2", "99999999999999999999"] {
            for method in ["GET", "PUT", "DELETE"] {
                let response = try server.write(method, "/v1/councils/sandwell/workforce/\(year)", json: method == "PUT" ? ["caseload": 1.0] : nil)
                assertNamed(response, 400, field: "year")
                XCTAssertTrue((response.object["detail"] as? String ?? "").contains("year"), "\(method) \(year): \(response)")
            }
        }
        // A year that is a year but has no row is simply not found, saying why when it is to come.
        assertProblem(try server.get("/v1/councils/sandwell/workforce/2016"), 404)
        let future = try server.get("/v1/councils/sandwell/workforce/2031")
        assertProblem(future, 404)
        XCTAssertTrue((future.object["detail"] as? String ?? "").contains("reporting year is 2026"), "\(future)")
    }

    // MARK: preconditions

    func testIfNoneMatchStarOnAPutToAnExistingRow() throws {
        let row = try server.get("/v1/councils/sandwell/workforce/2018")
        let createOnly = [("If-None-Match", "*")]
        assertProblem(try server.put("/v1/councils/sandwell/workforce/2018", ["caseload": 1.0], headers: createOnly), 412)
        XCTAssertEqual(try server.get("/v1/councils/sandwell/workforce/2018").body, row.body, "not overwritten")
        assertStatus(try server.put("/v1/councils/sandwell/workforce/2016", ["caseload": 1.0], headers: createOnly), 201)
        assertProblem(try server.put("/v1/councils/sandwell/workforce/2016", ["caseload": 2.0], headers: createOnly), 412)
        let council = try server.get("/v1/councils/sandwell")
        assertProblem(try server.write("PUT", "/v1/councils/sandwell", raw: council.body, headers: createOnly), 412)
        // A named version: the write is made only if the resource is not at it.
        let etag = try XCTUnwrap(council.header("ETag"))
        assertProblem(try server.patch("/v1/councils/sandwell", ["name": "Sandwell MBC"], headers: [("If-None-Match", etag)]), 412)
        assertProblem(try server.delete("/v1/councils/sandwell/workforce/2018", headers: [("If-None-Match", "W/\(row.header("ETag")!)")]), 412)
        assertStatus(try server.patch("/v1/councils/sandwell", ["name": "Sandwell MBC"], headers: [("If-None-Match", "\"v0.0\"")]), 200)
    }

    // MARK: bodies

    func testDerivedFieldsInAPatch() throws {
        let before = try server.get("/v1/councils/sandwell")
        let latest = before.object["latest_inspection"] ?? NSNull()
        for (field, value) in [("latest_inspection", latest), ("latest_inspection", NSNull()), ("updated_at", "2030-01-01T00:00:00Z"),
                               ("code", "E08000099")] as [(String, Any)] {
            assertNamed(try server.patch("/v1/councils/sandwell", [field: value]), 422, field: field)
        }
        XCTAssertEqual(try server.get("/v1/councils/sandwell").header("ETag"), before.header("ETag"), "nothing was written")
        assertNamed(try server.patch("/v1/inspections/insp-2dbb0879", ["id": "insp-other"]), 422, field: "id")
        assertNamed(try server.patch("/v1/inspections/insp-2dbb0879", ["version": 9]), 422, field: "version")
    }

    func testTextWithSurroundingWhiteSpaceOrControlCharactersIsRefused() throws {
        let before = try server.get("/v1/councils/sandwell")
        for name in ["  Sandwell", "Sandwell\n", "Sandwell\u{A0}", "", "   ", "New\u{0}Unitary", "New\tUnitary", "New\u{7F}Unitary",
                     "New\u{85}Unitary", "\u{1B}[31mRed", String(repeating: "n", count: 201)] {
            assertNamed(try server.patch("/v1/councils/sandwell", ["name": name]), 422, field: "name")
        }
        // Lengths count code points, as JSON Schema does: 150 accented letters written with
        // combining accents are 300 code points.
        assertNamed(try server.patch("/v1/councils/sandwell", ["name": String(repeating: "e\u{301}", count: 150)]), 422, field: "name")
        assertStatus(try server.patch("/v1/councils/sandwell", ["name": String(repeating: "é", count: 200)]), 200)
        var council = CouncilEndpointTests.newCouncil
        council["name"] = " New Unitary"
        assertNamed(try server.post("/v1/councils", council), 422, field: "name")
        XCTAssertEqual(try server.total("/v1/councils"), 153)
        XCTAssertNotEqual(try server.get("/v1/councils/sandwell").header("ETag"), before.header("ETag"))

        // Notes are prose: line breaks and tabs are kept inside, other controls refused.
        let noted = try server.patch("/v1/inspections/insp-2dbb0879", ["summary": "Leadership:\n\tstronger."])
        assertStatus(noted, 200)
        XCTAssertEqual(noted.object["summary"] as? String, "Leadership:\n\tstronger.")
        for summary in ["bell\u{7}", "trailing\n", ""] {
            assertNamed(try server.patch("/v1/inspections/insp-2dbb0879", ["summary": summary]), 422, field: "summary")
        }
        for (field, value) in [("type", " ILACS"), ("visit_theme", "Front\u{0}door"), ("source", "")] {
            assertNamed(try server.patch("/v1/inspections/insp-2dbb0879", [field: value]), 422, field: field)
        }
        for url in ["https://", "https:// reports.ofsted.gov.uk", "https://reports.ofsted.gov.uk/a b", "ftp://reports.ofsted.gov.uk"] {
            assertNamed(try server.patch("/v1/inspections/insp-2dbb0879", ["report_url": url]), 422, field: "report_url")
        }
        assertNamed(try server.put("/v1/councils/sandwell/workforce/2018", ["caseload": 1.0, "source": "DfE\u{0}"]), 422, field: "source")
    }

    func testAWorkforcePutWithNoFigure() throws {
        let row = try server.get("/v1/councils/sandwell/workforce/2018")
        assertNamed(try server.put("/v1/councils/sandwell/workforce/2018", [:]), 422, field: "body")
        assertNamed(try server.put("/v1/councils/sandwell/workforce/2016", ["council": "sandwell", "year": 2016, "caseload": NSNull()]), 422, field: "body")
        XCTAssertEqual(try server.get("/v1/councils/sandwell/workforce/2018").body, row.body)
        assertProblem(try server.get("/v1/councils/sandwell/workforce/2016"), 404)
        // A source without figures records that the publisher has none for the year.
        let sourced = try server.put("/v1/councils/sandwell/workforce/2016", ["source": "csww_indicators_2017_to_2025.csv"])
        assertStatus(sourced, 201)
        XCTAssertEqual(sourced.object["source"] as? String, "csww_indicators_2017_to_2025.csv")
    }

    // MARK: query parameters

    func testAFilterThatNamesNoCouncil() throws {
        for path in ["/v1/inspections?council=E99999999", "/v1/workforce?council=E99999999", "/v1/workforce?year=2025&council=nowhere"] {
            let response = try server.get(path)
            assertNamed(response, 400, field: "council")
            XCTAssertTrue((response.object["detail"] as? String ?? "").contains(path.contains("nowhere") ? "nowhere" : "E99999999"), "\(response)")
        }
        XCTAssertEqual(try server.total("/v1/inspections?council=333"), 6)
        XCTAssertEqual(try server.total("/v1/workforce?council=E08000016"), 9, "a former code names the council too")
    }

    func testExportAndWritesCheckTheirParametersLikeEveryOtherEndpoint() throws {
        assertNamed(try server.get("/v1/export?format=xml"), 400, field: "format")
        assertNamed(try server.get("/v1/export?pretty=maybe"), 400, field: "pretty")
        assertNamed(try server.get("/v1/export?limit=5"), 400, field: "limit")
        let compact = try server.get("/v1/export?format=json")
        let pretty = try server.get("/v1/export?pretty=true")
        assertStatus(pretty, 200)
        XCTAssertTrue(pretty.text.hasPrefix("{\n"), "indented")
        XCTAssertNotEqual(pretty.header("ETag"), compact.header("ETag"))
        XCTAssertEqual(pretty.json as? NSDictionary, compact.json as? NSDictionary, "the same document")

        assertNamed(try server.put("/v1/councils/sandwell/workforce/2018?pretty=maybe", ["caseload": 1.0]), 400, field: "pretty")
        assertNamed(try server.put("/v1/councils/sandwell/workforce/2018?format=csv", ["caseload": 1.0]), 400, field: "format")
        assertNamed(try server.write("POST", "/v1/import?pretty=yes", raw: Array("{}".utf8)), 400, field: "pretty")
        assertNamed(try server.delete("/v1/inspections/insp-2dbb0879?force=true"), 400, field: "force")
        let patched = try server.patch("/v1/councils/sandwell?pretty=true", ["name": "Sandwell MBC"])
        assertStatus(patched, 200)
        XCTAssertTrue(patched.text.hasPrefix("{\n"), "a write answers pretty JSON when asked")
        XCTAssertEqual(patched.header("ETag"), try server.get("/v1/councils/sandwell?pretty=true").header("ETag"))
    }

    func testMalformedJSONIsABadRequestEverywhere() throws {
        for body in ["{\"councils\": [", "{bad", "[]", "\"text\"", "{\"workforce\": [1,]}"] {
            let bytes = Array(body.utf8)
            assertProblem(try server.write("POST", "/v1/import", raw: bytes), 400)
            assertProblem(try server.write("POST", "/v1/councils", raw: bytes), 400)
            assertProblem(try server.write("POST", "/v1/councils/sandwell/inspections", raw: bytes), 400)
            assertProblem(try server.write("PUT", "/v1/councils/sandwell", raw: bytes), 400)
            assertProblem(try server.write("PATCH", "/v1/councils/sandwell", raw: bytes, contentType: "application/merge-patch+json"), 400)
            assertProblem(try server.write("PATCH", "/v1/inspections/insp-2dbb0879", raw: bytes, contentType: "application/merge-patch+json"), 400)
            assertProblem(try server.write("PUT", "/v1/councils/sandwell/workforce/2018", raw: bytes), 400)
        }
        // A CSV that does not parse is malformed too; one that parses but breaks rules is 422.
        assertProblem(try server.write("POST", "/v1/import", raw: Array("council,year,caseload\nE08000028,2016,\"12\n".utf8), contentType: "text/csv"), 400)
        assertProblem(try server.write("POST", "/v1/import", raw: Array("council,year,caseload\nE08000028,2016,-12\n".utf8), contentType: "text/csv"), 422)
        assertProblem(try server.write("POST", "/v1/import", json: ["workforce": [["council": "sandwell", "year": 2016, "caseload": -1]]]), 422)
    }
}
