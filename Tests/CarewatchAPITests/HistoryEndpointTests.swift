import CarewatchCore
import Foundation
import HTTPTestClient
import XCTest
@testable import CarewatchAPI

/// Each version of a workforce row, an inspection and a council: when, what changed, and why
/// (a release, or an API write with its key's identifier, never the key).
final class HistoryEndpointTests: APITestCase {
    let keyID = String(SHA256.hex(Array(TestServer.apiKey.utf8)).prefix(12))

    func fields(_ version: [String: Any]) -> [String] {
        (version["fields"] as? [[String: Any]] ?? []).map { "\($0["field"]!)=\(TestCSV.cell($0["old"]!))→\(TestCSV.cell($0["new"]!))" }
    }

    func madeBy(_ version: [String: Any]) -> [String: Any] { version["made_by"] as? [String: Any] ?? [:] }

    func testAWorkforceRowsVersionsSayWhatChangedAndWhy() throws {
        XCTAssertEqual(try server.put("/v1/councils/sunderland/workforce/2024", ["employed_fte": 230.5, "agency_fte": 10]).status, 200)
        let versions = try server.all("/v1/councils/sunderland/workforce/2024/history")
        XCTAssertEqual(versions.map { $0["action"] as? String }, ["updated", "updated", "created"], "newest first")
        // The API write: by the test key's identifier, the request named.
        XCTAssertEqual(madeBy(versions[0])["kind"] as? String, "write")
        XCTAssertEqual(madeBy(versions[0])["key_id"] as? String, keyID)
        XCTAssertEqual(madeBy(versions[0])["request"] as? String, "PUT /v1/councils/sunderland/workforce/2024")
        XCTAssertFalse(String(describing: versions).contains(TestServer.apiKey), "the key itself is never shown")
        XCTAssertTrue(fields(versions[0]).contains("employed_fte=227.4→230.5"), "\(fields(versions[0]))")
        // DfE's 2025 release withheld two figures it had published in 2024.
        XCTAssertEqual(madeBy(versions[1])["release"] as? String, "csww-indicators-2017-to-2025")
        XCTAssertEqual(fields(versions[1]), ["leavers_fte=2→u", "turnover_rate=0.9→u", "source=csww_indicators_2017_to_2024.csv→csww_indicators_2017_to_2025.csv"])
        // The row first appeared in the 2024 release, with these figures.
        XCTAssertEqual(madeBy(versions[2])["release"] as? String, "csww-indicators-2017-to-2024")
        XCTAssertTrue(fields(versions[2]).contains("leavers_fte=null→2"), "\(fields(versions[2]))")
        XCTAssertTrue(fields(versions[2]).contains("agency_fte=null→low"), "\(fields(versions[2]))")
        XCTAssertEqual(versions.map { $0["version"] as? Int }, [15, 5, 4])

        // A deleted row keeps its history; a row never held has none.
        XCTAssertEqual(try server.delete("/v1/councils/sunderland/workforce/2024").status, 204)
        let afterDelete = try server.all("/v1/councils/sunderland/workforce/2024/history")
        XCTAssertEqual(afterDelete.first?["action"] as? String, "deleted")
        XCTAssertTrue(fields(afterDelete[0]).contains("employed_fte=230.5→null"))
        XCTAssertEqual(try server.get("/v1/councils/sunderland/workforce/2010/history").status, 404)
        XCTAssertEqual(try server.get("/v1/councils/nowhere/workforce/2024/history").status, 404)
        XCTAssertEqual(try server.get("/v1/councils/sunderland/workforce/24/history").status, 400)
        XCTAssertEqual(try server.get("/v1/councils/sunderland/workforce/2024/history?limit=0").status, 400)
    }

    func testAnInspectionsVersions() throws {
        let id = "insp-2dbb0879"
        XCTAssertEqual(try server.patch("/v1/inspections/\(id)", ["summary": "Re-inspection expected."]).status, 200)
        let versions = try server.all("/v1/inspections/\(id)/history")
        XCTAssertEqual(versions.map { $0["action"] as? String }, ["updated", "created"])
        XCTAssertEqual(fields(versions[0]), ["summary=null→Re-inspection expected."])
        XCTAssertEqual(madeBy(versions[0])["key_id"] as? String, keyID)
        XCTAssertEqual(madeBy(versions[1])["kind"] as? String, "seed")
        XCTAssertEqual((madeBy(versions[1])["file"] as? [String: Any])?["name"] as? String, "inspections.csv")
        XCTAssertTrue(fields(versions[1]).contains("framework=null→ilacs"), "\(fields(versions[1]))")
        XCTAssertEqual(try server.delete("/v1/inspections/\(id)").status, 204)
        XCTAssertEqual(try server.all("/v1/inspections/\(id)/history").first?["action"] as? String, "deleted")
        XCTAssertEqual(try server.get("/v1/inspections/insp-00000000/history").status, 404)
    }

    /// A council's history: each write that touched it or anything of its own, newest first,
    /// a page at a time.
    func testACouncilsVersions() throws {
        XCTAssertEqual(try server.put("/v1/councils/sunderland/workforce/2024", ["employed_fte": 230.5]).status, 200)
        XCTAssertEqual(try server.patch("/v1/councils/sunderland", ["name": "Sunderland City"]).status, 200)
        let first = try server.get("/v1/councils/sunderland/history?limit=2")
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.header("Cache-Control"), CacheableResponse.cacheControl)
        let page = first.items
        XCTAssertEqual(page.map { $0["version"] as? Int }, [16, 15])
        let rename = try XCTUnwrap((page[0]["changes"] as? [[String: Any]])?.first)
        XCTAssertEqual((rename["record"] as? [String: Any])?["kind"] as? String, "council")
        XCTAssertEqual(fields(rename), ["name=Sunderland→Sunderland City"])
        let all = try server.all("/v1/councils/sunderland/history", limit: 3)
        // Its two writes, the twelve releases that hold its rows (not the other councils'), councils.csv, inspections.csv.
        XCTAssertEqual(all.map { $0["version"] as? Int }, [16, 15] + Array((1...14).reversed()))
        XCTAssertEqual(try server.get("/v1/councils/nowhere/history").status, 404)
    }

    /// A history is JSON only, paged with `cursor`: `limit=all` (a CSV list's whole answer)
    /// is refused naming `limit`, as on any JSON list, not answered whole.
    func testAHistoryRefusesLimitAll() throws {
        for path in ["/v1/councils/sandwell/history", "/v1/councils/sandwell/workforce/2024/history", "/v1/inspections/insp-2dbb0879/history"] {
            let problem = assertProblem(try server.get(path + "?limit=all"), 400)
            XCTAssertEqual((problem["errors"] as? [[String: Any]])?.first?["field"] as? String, "limit", path)
            assertStatus(try server.get(path + "?limit=500"), 200)
        }
    }
}
