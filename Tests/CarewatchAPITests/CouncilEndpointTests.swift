import Foundation
import XCTest

/// `/v1/councils` and `/v1/councils/{council}` against the embedded data: a council is found
/// by each of its four names, and writes keep codes, slugs and la_codes unique.
final class CouncilEndpointTests: APITestCase {
    static var newCouncil: [String: Any] { [
        "code": "E06000099", "la_code": 999, "slug": "testshire", "name": "Testshire",
        "region": "South West", "kind": "unitary", "former_codes": [String](),
    ] }

    func testListHoldsAll153CouncilsSortedByCode() throws {
        let first = try server.get("/v1/councils")
        assertStatus(first, 200)
        XCTAssertEqual(first.mediaType, "application/json")
        XCTAssertEqual(first.object["total"] as? Int, 153)
        XCTAssertEqual(first.items.count, 50, "default limit is 50")
        XCTAssertNotNil(first.object["next_cursor"] as? String)
        let all = try server.all("/v1/councils")
        XCTAssertEqual(all.count, 153)
        let codes = all.compactMap { $0["code"] as? String }
        XCTAssertEqual(Set(codes).count, 153)
        XCTAssertEqual(codes, codes.sorted(), "default order is by code")
    }

    func testSandwellByCodeLaCodeAndSlugIsTheSameCouncil() throws {
        for key in ["E08000028", "333", "sandwell"] {
            let response = try server.get("/v1/councils/\(key)")
            assertStatus(response, 200, key)
            let council = response.object
            XCTAssertEqual(council["code"] as? String, "E08000028", key)
            XCTAssertEqual(council["name"] as? String, "Sandwell")
            XCTAssertEqual(council["la_code"] as? Int, 333)
            XCTAssertEqual(council["slug"] as? String, "sandwell")
            XCTAssertEqual(council["region"] as? String, "West Midlands")
            XCTAssertEqual(council["kind"] as? String, "metropolitan_district")
            XCTAssertEqual((council["former_codes"] as? [Any])?.count, 0)
            let updated = try XCTUnwrap(council["updated_at"] as? String)
            XCTAssertNotNil(updated.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"#, options: .regularExpression), "RFC 3339 UTC: \(updated)")
            // Latest graded inspection: the 2022 ILACS (the 2024 focused visit carries no grade).
            let latest = council["latest_inspection"] as? [String: Any]
            XCTAssertEqual(latest?["framework"] as? String, "ilacs")
            XCTAssertEqual(latest?["published"] as? String, "2022-07-05")
            XCTAssertEqual(latest?["overall"] as? String, "requires_improvement")
        }
    }

    func testBarnsleyByItsFormerCode() throws {
        let response = try server.get("/v1/councils/E08000016")
        assertStatus(response, 200)
        XCTAssertEqual(response.object["code"] as? String, "E08000038")
        XCTAssertEqual(response.object["name"] as? String, "Barnsley")
        XCTAssertEqual(response.object["former_codes"] as? [String], ["E08000016"])
        XCTAssertEqual(try server.total("/v1/councils/E08000016/inspections"), try server.total("/v1/councils/E08000038/inspections"))
    }

    func testUnknownCouncilIs404Problem() throws {
        assertProblem(try server.get("/v1/councils/E99999999"), 404)
        assertProblem(try server.get("/v1/councils/nowhere/inspections"), 404)
    }

    func testListFilters() throws {
        let westMidlands = try server.all("/v1/councils?region=West%20Midlands")
        XCTAssertEqual(westMidlands.count, 14)
        XCTAssertTrue(westMidlands.allSatisfy { $0["region"] as? String == "West Midlands" })
        XCTAssertEqual(try server.total("/v1/councils?region=London"), 33)
        XCTAssertEqual(try server.total("/v1/councils?kind=metropolitan_district"), 36)
        XCTAssertEqual(try server.total("/v1/councils?kind=county"), 21)
        let named = try server.all("/v1/councils?q=sandwell")
        XCTAssertEqual(named.compactMap { $0["code"] as? String }, ["E08000028"], "q matches names case-insensitively")
        var graded = 0
        for rating in ["outstanding", "good", "requires_improvement", "inadequate"] {
            let councils = try server.all("/v1/councils?rating=\(rating)")
            graded += councils.count
            for council in councils {
                XCTAssertEqual((council["latest_inspection"] as? [String: Any])?["overall"] as? String, rating, "\(council["code"] ?? "")")
            }
        }
        XCTAssertGreaterThan(graded, 140)
        XCTAssertLessThanOrEqual(graded, 153)
        assertProblem(try server.get("/v1/councils?region=Mars"), 400)
        assertProblem(try server.get("/v1/councils?rating=great"), 400)
    }

    func testCreateAnswers201WithLocationAndIsReadable() throws {
        let created = try server.post("/v1/councils", Self.newCouncil)
        assertStatus(created, 201)
        XCTAssertEqual(created.header("Location"), "/v1/councils/E06000099")
        XCTAssertNotNil(created.header("ETag"))
        XCTAssertEqual(created.object["name"] as? String, "Testshire")
        XCTAssertTrue(created.object["latest_inspection"] is NSNull || created.object["latest_inspection"] == nil)
        let read = try server.get("/v1/councils/testshire")
        assertStatus(read, 200)
        XCTAssertEqual(read.object["code"] as? String, "E06000099")
        XCTAssertEqual(try server.get("/v1/councils/999").object["code"] as? String, "E06000099")
        XCTAssertEqual(try server.total("/v1/councils"), 154)
    }

    func testCreateOfExistingCodeOrSlugIs409() throws {
        var sameCode = Self.newCouncil
        sameCode["code"] = "E08000028"
        sameCode["kind"] = "metropolitan_district"
        assertProblem(try server.post("/v1/councils", sameCode), 409)
        var sameSlug = Self.newCouncil
        sameSlug["slug"] = "sandwell"
        assertProblem(try server.post("/v1/councils", sameSlug), 409)
        var sameLaCode = Self.newCouncil
        sameLaCode["la_code"] = 333
        assertProblem(try server.post("/v1/councils", sameLaCode), 409)
        XCTAssertEqual(try server.total("/v1/councils"), 153, "nothing was created")
    }

    func testPutReplacesTheCouncil() throws {
        let current = try server.get("/v1/councils/sandwell").object
        var replacement = current
        replacement["name"] = "Sandwell Metropolitan Borough"
        replacement.removeValue(forKey: "latest_inspection")
        replacement.removeValue(forKey: "updated_at")
        let response = try server.put("/v1/councils/E08000028", replacement)
        assertStatus(response, 200)
        XCTAssertEqual(response.object["name"] as? String, "Sandwell Metropolitan Borough")
        let read = try server.get("/v1/councils/E08000028")
        XCTAssertEqual(read.object["name"] as? String, "Sandwell Metropolitan Borough")
        XCTAssertEqual(read.object["region"] as? String, "West Midlands")
        XCTAssertEqual((read.object["latest_inspection"] as? [String: Any])?["published"] as? String, "2022-07-05",
                       "latest_inspection stays derived")
    }

    func testPutCannotChangeTheCode() throws {
        var replacement = try server.get("/v1/councils/sandwell").object
        replacement.removeValue(forKey: "latest_inspection")
        replacement.removeValue(forKey: "updated_at")
        replacement["code"] = "E08000099"
        assertInvalid(try server.put("/v1/councils/sandwell", replacement), field: "code")
    }

    func testMergePatchChangesOnlyNamedFieldsAndNullRemovesOptionalOnes() throws {
        // Barnsley has a former code: null removes the optional field (RFC 7396).
        let renamed = try server.patch("/v1/councils/barnsley", ["name": "Barnsley MBC"])
        assertStatus(renamed, 200)
        XCTAssertEqual(renamed.object["name"] as? String, "Barnsley MBC")
        XCTAssertEqual(renamed.object["region"] as? String, "Yorkshire and The Humber", "untouched fields stay")
        XCTAssertEqual(renamed.object["former_codes"] as? [String], ["E08000016"])

        let cleared = try server.patch("/v1/councils/E08000038", ["former_codes": NSNull()])
        assertStatus(cleared, 200)
        let formerCodes = cleared.object["former_codes"] as? [String] ?? []
        XCTAssertEqual(formerCodes, [], "null removed the former codes")
        assertProblem(try server.get("/v1/councils/E08000016"), 404)
        XCTAssertEqual(try server.get("/v1/councils/E08000038").object["name"] as? String, "Barnsley MBC")
    }

    func testMergePatchRejectsNullOnARequiredFieldAndUnknownFields() throws {
        let response = try server.patch("/v1/councils/sandwell", ["name": NSNull()])
        assertInvalid(response, field: "name")
        assertInvalid(try server.patch("/v1/councils/sandwell", ["colour": "blue"]), field: "colour")
        XCTAssertEqual(try server.get("/v1/councils/sandwell").object["name"] as? String, "Sandwell")
    }

    func testDeleteCascadesToInspectionsAndWorkforce() throws {
        XCTAssertEqual(try server.total("/v1/inspections?council=E08000028"), 6)
        XCTAssertEqual(try server.total("/v1/workforce?council=E08000028"), 9)
        let deleted = try server.delete("/v1/councils/sandwell")
        assertStatus(deleted, 204)
        XCTAssertTrue(deleted.body.isEmpty)
        assertProblem(try server.get("/v1/councils/E08000028"), 404)
        assertProblem(try server.get("/v1/councils/333/workforce/2018"), 404)
        XCTAssertEqual(try server.total("/v1/councils"), 152)
        XCTAssertEqual(try server.total("/v1/inspections"), 778 - 6)
        XCTAssertEqual(try server.total("/v1/workforce"), 1325 - 9)
        // No inspection or row of E08000028 is left: there is no council to filter by.
        XCTAssertFalse(try server.all("/v1/inspections").contains { $0["council"] as? String == "E08000028" })
        assertProblem(try server.get("/v1/inspections?council=E08000028"), 400)
        assertProblem(try server.delete("/v1/councils/sandwell"), 404)
    }
}
