import Foundation
import HTTPTestClient
import TestFixtures
import XCTest

/// `POST /v1/import` in each format it takes, all or nothing, and `GET /v1/export` as the
/// document that rebuilds an identical store elsewhere.
final class ImportExportTests: APITestCase {
    static let dfeFile = URL(fileURLWithPath: RepositoryData.dfe)
    static let ofstedFile = URL(fileURLWithPath: RepositoryData.ofsted("2025_ILACS_inspection_history.csv"))

    private func importBody(_ bytes: [UInt8], contentType: String, into target: TestServer? = nil) throws -> RawHTTPResponse {
        try (target ?? server).write("POST", "/v1/import", raw: bytes, contentType: contentType)
    }

    private func imported(_ response: RawHTTPResponse) -> (councils: Int?, inspections: Int?, workforce: Int?) {
        let counts = response.object["imported"] as? [String: Any]
        return (counts?["councils"] as? Int, counts?["inspections"] as? Int, counts?["workforce"] as? Int)
    }

    private func sourceBytes(_ url: URL) throws -> [UInt8] {
        try RepositoryData.bytes(url.path)
    }

    /// A server whose store holds the 153 councils and nothing else, so that an official file's
    /// import count is the number of rows it brings, not the number that matched existing ones.
    private func councilsOnlyServer() throws -> TestServer {
        let export = try server.export()
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(export)) as? [String: Any])
        let seed = FileManager.default.temporaryDirectory.appendingPathComponent("carewatch-seed-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: ["councils": document["councils"] ?? []]).write(to: seed)
        addTeardownBlock { try? FileManager.default.removeItem(at: seed) }
        let empty = try extraServer { $0.seedFile = seed.path }
        XCTAssertEqual(try empty.total("/v1/councils"), 153)
        XCTAssertEqual(try empty.total("/v1/inspections"), 0)
        XCTAssertEqual(try empty.total("/v1/workforce"), 0)
        return empty
    }

    func testImportJSONDocument() throws {
        let document: [String: Any] = [
            "councils": [CouncilEndpointTests.newCouncil],
            "inspections": [InspectionEndpointTests.newInspection.merging(["council": "E06000099", "id": "imported-1"]) { $1 }],
            "workforce": [["council": "testshire", "year": 2025, "employed_fte": 50.0, "agency_fte": 5.0]],
        ]
        let response = try importBody(jsonBytes(document), contentType: "application/json")
        assertStatus(response, 200)
        XCTAssertEqual(response.object["format"] as? String, "json")
        let counts = imported(response)
        XCTAssertEqual(counts.councils, 1)
        XCTAssertEqual(counts.inspections, 1)
        XCTAssertEqual(counts.workforce, 1)
        XCTAssertEqual(try server.total("/v1/councils"), 154)
        XCTAssertEqual(try server.get("/v1/inspections/imported-1").object["council"] as? String, "E06000099")
        let row = try server.get("/v1/councils/E06000099/workforce/2025")
        assertStatus(row, 200)
        XCTAssertEqual(try XCTUnwrap(row.object["agency_rate"] as? Double), 5.0 / 55.0 * 100, accuracy: 0.051)
        XCTAssertEqual((try server.get("/v1/councils/testshire").object["latest_inspection"] as? [String: Any])?["id"] as? String, "imported-1")
    }

    func testImportProjectCSVs() throws {
        let councils = "code,la_code,name,region,kind,former_codes\nE06000099,999,Testshire,South West,unitary,\n"
        let councilResponse = try importBody(Array(councils.utf8), contentType: "text/csv")
        assertStatus(councilResponse, 200)
        XCTAssertEqual(imported(councilResponse).councils, 1)
        XCTAssertEqual(try server.get("/v1/councils/testshire").object["name"] as? String, "Testshire")

        let workforce = "council,year,employed_fte,agency_fte,agency_rate,vacancy_fte,vacancy_rate,leavers_fte,turnover_rate,caseload,absence_rate,asye_share,source\n"
            + "E06000099,2024,100,10,,,,,,16.5,,12.5,local\nE06000099,2025,110,,,,,,,,,,local\n"
        let workforceResponse = try importBody(Array(workforce.utf8), contentType: "text/csv; charset=utf-8")
        assertStatus(workforceResponse, 200)
        XCTAssertEqual(imported(workforceResponse).workforce, 2)
        let row = try server.get("/v1/councils/testshire/workforce/2024").object
        XCTAssertEqual(row["caseload"] as? Double, 16.5)
        XCTAssertEqual(row["asye_share"] as? Double, 12.5)

        let inspections = "council,framework,inspection_type,started,published,overall,help_and_protection,children_in_care,care_leavers,leadership,visit_theme,report_url,source,source_ref,source_la_code,source_la_name\n"
            + "E06000099,ilacs,ILACS Standard Inspection,2025-01-13,2025-03-03,good,good,good,good,good,,,local,,,\n"
        let inspectionResponse = try importBody(Array(inspections.utf8), contentType: "text/csv")
        assertStatus(inspectionResponse, 200)
        XCTAssertEqual(imported(inspectionResponse).inspections, 1)
        XCTAssertEqual(try server.total("/v1/councils/testshire/inspections"), 1)
    }

    func testImportTheWorkforceCSVExportIsIdempotent() throws {
        // Every workforce row as CSV, DfE's symbols in the cells, re-imported, replaces rows one for one.
        var csv: [UInt8] = []
        var cursor: String?
        repeat {
            let page = try server.get("/v1/workforce?format=csv&limit=500" + (cursor.map { "&cursor=\($0)" } ?? ""))
            assertStatus(page, 200)
            csv += csv.isEmpty ? page.body : Array(page.body.drop { $0 != 0x0A }.dropFirst())
            cursor = page.header("X-Next-Cursor")
        } while cursor != nil
        XCTAssertTrue(String(decoding: csv, as: UTF8.self).contains("E08000024,2025,229.5,low,low,"), "Sunderland's withheld agency figures keep DfE's symbol")
        let before = try server.get("/v1/councils/sunderland/workforce/2025").object
        let response = try importBody(csv, contentType: "text/csv")
        assertStatus(response, 200)
        XCTAssertEqual(response.object["format"] as? String, "workforce_csv")
        XCTAssertEqual(imported(response).workforce, 1325)
        XCTAssertEqual(try server.total("/v1/workforce"), 1325)
        let after = try server.get("/v1/councils/sunderland/workforce/2025").object
        XCTAssertEqual(after["suppressed"] as? [String: String], ["agency_fte": "low", "agency_rate": "low"])
        XCTAssertTrue(isNullOrAbsent(after["agency_rate"]))
        XCTAssertEqual(NSDictionary(dictionary: after.filter { $0.key != "version" }), NSDictionary(dictionary: before.filter { $0.key != "version" }))
    }

    func testImportDfEOfficialCSV() throws {
        let bytes = try sourceBytes(Self.dfeFile)
        let target = try councilsOnlyServer()
        let response = try importBody(bytes, contentType: "text/csv", into: target)
        assertStatus(response, 200)
        XCTAssertEqual(response.object["format"] as? String, "dfe_workforce_csv")
        // 1,355 local-authority rows: 14 joint returns are published figures, and 16 rows of
        // abolished authorities are skipped and reported; England's and the regions' 108 rows
        // are published figures too.
        XCTAssertEqual(imported(response).workforce, 1325)
        XCTAssertEqual((response.object["imported"] as? [String: Any])?["figures"] as? Int, 122)
        XCTAssertEqual(try target.total("/v1/workforce"), 1325)
        XCTAssertEqual(response.object["skipped_count"] as? Int, 16, "abolished authorities are reported")
        XCTAssertEqual(try target.total("/v1/figures?dataset=workforce"), 122)
        // Same figures as the embedded data, which came from this file.
        let row = try target.get("/v1/councils/sandwell/workforce/2018").object
        XCTAssertEqual(row["employed_fte"] as? Double, 213.6)
        XCTAssertEqual(row["agency_rate"] as? Double, 31)
        XCTAssertEqual(row["source"] as? String, "csww_indicators_2017_to_2025.csv")
        // Barnsley's early rows carry its old code in the file.
        XCTAssertEqual(try target.total("/v1/councils/barnsley/workforce"), 9)
        // Withheld values (x) are null, with DfE's symbol: Kensington and Chelsea in 2025.
        let kc = try target.get("/v1/councils/E09000020/workforce/2025")
        assertStatus(kc, 200)
        XCTAssertTrue(isNullOrAbsent(kc.object["employed_fte"]))
        XCTAssertEqual((kc.object["suppressed"] as? [String: String])?["employed_fte"], "x")

        // Into the full default store: every row replaces its twin, none is added.
        let again = try importBody(bytes, contentType: "text/csv")
        assertStatus(again, 200)
        XCTAssertEqual(try server.total("/v1/workforce"), 1325)
    }

    func testImportOfstedCSV() throws {
        let bytes = try sourceBytes(Self.ofstedFile)
        let target = try councilsOnlyServer()
        let response = try importBody(bytes, contentType: "text/csv", into: target)
        assertStatus(response, 200)
        XCTAssertEqual(response.object["format"] as? String, "ofsted_csv")
        // 271 rows; Bournemouth, Cumbria and Northamptonshire no longer exist.
        XCTAssertEqual(imported(response).inspections, 268)
        XCTAssertEqual(response.object["skipped_count"] as? Int, 3)
        XCTAssertEqual(try target.total("/v1/inspections"), 268)
        XCTAssertEqual(try target.total("/v1/inspections?framework=ilacs"), 268)
        let sandwell = try target.all("/v1/councils/sandwell/inspections")
        XCTAssertEqual(sandwell.count, 1)
        XCTAssertEqual(sandwell.first?["started"] as? String, "2022-05-09")
        XCTAssertEqual(sandwell.first?["published"] as? String, "2022-07-05")
        XCTAssertEqual(sandwell.first?["overall"] as? String, "requires_improvement")
        // Barnsley is E08000016 in Ofsted's file.
        XCTAssertGreaterThan(try target.total("/v1/councils/E08000038/inspections"), 0)

        // Into the default store, which already holds these inspections: matched, not duplicated.
        let again = try importBody(bytes, contentType: "text/csv")
        assertStatus(again, 200)
        XCTAssertEqual(try server.total("/v1/inspections"), 778)
    }

    func testBadRowRollsBackTheWholeImport() throws {
        let before = try server.export()
        let workforce = "council,year,employed_fte,agency_fte,agency_rate,vacancy_fte,vacancy_rate,leavers_fte,turnover_rate,caseload,absence_rate,asye_share,source\n"
            + "E08000028,2026,100,10,,,,,,16.5,,,local\n"
            + "E08000028,2027,100,,150,,,,,,,,local\n"
            + "E08000038,2026,90,,,,,,,,,,local\n"
        let response = try importBody(Array(workforce.utf8), contentType: "text/csv")
        let problem = assertProblem(response, 422)
        let errors = problem["errors"] as? [[String: Any]] ?? []
        XCTAssertTrue(errors.contains { ($0["field"] as? String)?.contains("agency_rate") == true && $0["row"] as? Int == 3 }, "\(errors)")
        assertProblem(try server.get("/v1/councils/sandwell/workforce/2026"), 404)
        XCTAssertEqual(try server.total("/v1/workforce"), 1325)
        XCTAssertEqual(try server.export(), before, "the store is unchanged")

        // A JSON document whose last record is bad leaves the earlier ones out too.
        let document: [String: Any] = [
            "councils": [CouncilEndpointTests.newCouncil],
            "workforce": [["council": "E06000099", "year": 2025, "caseload": 10.0], ["council": "E99999999", "year": 2025]],
        ]
        let jsonResponse = try importBody(jsonBytes(document), contentType: "application/json")
        let jsonProblem = assertProblem(jsonResponse, 422)
        XCTAssertFalse((jsonProblem["errors"] as? [[String: Any]] ?? []).isEmpty)
        assertProblem(try server.get("/v1/councils/E06000099"), 404)
        XCTAssertEqual(try server.export(), before)
    }

    func testImportRefusesUnknownBodies() throws {
        assertProblem(try importBody(Array("hello,world\n1,2\n".utf8), contentType: "text/csv"), 422)
        let truncated = try importBody(Array("{\"councils\": [".utf8), contentType: "application/json")
        XCTAssertTrue([400, 422].contains(truncated.status), "\(truncated)")
        XCTAssertEqual(truncated.mediaType, "application/problem+json")
        assertProblem(try importBody([], contentType: "application/json"), 400)
    }

    func testExportIsTheWholeStoreAndRebuildsAnIdenticalStore() throws {
        assertStatus(try server.patch("/v1/councils/sandwell", ["name": "Sandwell Exported"]), 200)
        assertStatus(try server.put("/v1/councils/sandwell/workforce/2026", ["employed_fte": 280.5, "caseload": 15.2]), 201)
        let response = try server.get("/v1/export")
        assertStatus(response, 200)
        XCTAssertEqual(response.mediaType, "application/json")
        let document = try XCTUnwrap(response.json as? [String: Any])
        XCTAssertEqual((document["councils"] as? [Any])?.count, 153)
        XCTAssertEqual((document["inspections"] as? [Any])?.count, 778)
        XCTAssertEqual((document["workforce"] as? [Any])?.count, 1326)
        XCTAssertEqual((document["figures"] as? [Any])?.count, 11_567)
        XCTAssertEqual((document["neighbours"] as? [Any])?.count, 309)

        // Into a store that starts empty: seed it with an empty document, then import.
        let emptySeed = FileManager.default.temporaryDirectory.appendingPathComponent("carewatch-empty-\(UUID().uuidString).json")
        try Data("{\"councils\":[],\"inspections\":[],\"workforce\":[]}".utf8).write(to: emptySeed)
        addTeardownBlock { try? FileManager.default.removeItem(at: emptySeed) }
        let fresh = try extraServer { $0.seedFile = emptySeed.path }
        XCTAssertEqual(try fresh.total("/v1/councils"), 0)
        let result = try importBody(response.body, contentType: "application/json", into: fresh)
        assertStatus(result, 200)
        XCTAssertEqual(imported(result).councils, 153)
        XCTAssertEqual(imported(result).inspections, 778)
        XCTAssertEqual(imported(result).workforce, 1326)
        XCTAssertEqual((result.object["imported"] as? [String: Any])?["figures"] as? Int, 11_567)
        XCTAssertEqual((result.object["imported"] as? [String: Any])?["neighbours"] as? Int, 309)
        let rebuilt = try XCTUnwrap(try fresh.get("/v1/export").json as? [String: Any])
        XCTAssertEqual(normalised(rebuilt), normalised(document), "the rebuilt store exports the same records")
        XCTAssertEqual(try fresh.get("/v1/councils/sandwell").object["name"] as? String, "Sandwell Exported")
        XCTAssertEqual(try fresh.get("/v1/councils/333/workforce/2026").object["employed_fte"] as? Double, 280.5)
    }

    /// Export documents compared record by record, without `updated_at` (the time of the
    /// write in the new store, which import cannot carry over).
    private func normalised(_ document: [String: Any]) -> NSDictionary {
        var copy = document
        if let councils = document["councils"] as? [[String: Any]] {
            copy["councils"] = councils.map { council -> [String: Any] in
                var council = council
                council.removeValue(forKey: "updated_at")
                return council
            }
        }
        return NSDictionary(dictionary: copy)
    }
}
