import XCTest

/// Inspections: a council's history newest first, the all-inspections list with each of its
/// filters, and one inspection read, merge-patched and deleted by id.
final class InspectionEndpointTests: APITestCase {
    static var newInspection: [String: Any] { [
        "framework": "ilacs", "type": "ILACS Standard Inspection",
        "started": "2026-01-12", "published": "2026-03-02", "overall": "good",
        "judgements": ["help_and_protection": "good", "children_in_care": "good", "care_leavers": "requires_improvement", "leadership": "good"],
        "summary": "Leaders have a clear understanding of practice.",
        "report_url": "https://reports.ofsted.gov.uk/provider/44/333",
    ] }

    func testCouncilHistoryIsNewestFirst() throws {
        let response = try server.get("/v1/councils/sandwell/inspections")
        assertStatus(response, 200)
        XCTAssertEqual(response.object["total"] as? Int, 6)
        let items = response.items
        XCTAssertEqual(items.count, 6)
        XCTAssertTrue(items.allSatisfy { $0["council"] as? String == "E08000028" })
        XCTAssertEqual(items.first?["framework"] as? String, "focused_visit")
        XCTAssertEqual(items.first?["published"] as? String, "2024-11-29")
        XCTAssertEqual(items.first?["visit_theme"] as? String, "Front door")
        XCTAssertTrue(isNullOrAbsent(items.first?["overall"] as Any?), "visits carry no grade")
        XCTAssertEqual(items.last?["published"] as? String, "2010-01-13")
        let published = items.compactMap { $0["published"] as? String }
        XCTAssertEqual(published, published.sorted(by: >))
        let ilacs = items.first { $0["framework"] as? String == "ilacs" }
        XCTAssertEqual(ilacs?["started"] as? String, "2022-05-09")
        XCTAssertEqual(ilacs?["overall"] as? String, "requires_improvement")
        XCTAssertEqual((ilacs?["judgements"] as? [String: Any])?["leadership"] as? String, "requires_improvement")
    }

    func testPostAddsOneAndItBecomesTheLatest() throws {
        let created = try server.post("/v1/councils/333/inspections", Self.newInspection)
        assertStatus(created, 201)
        let id = try XCTUnwrap(created.object["id"] as? String)
        XCTAssertEqual(created.header("Location"), "/v1/inspections/\(id)")
        XCTAssertEqual(created.object["council"] as? String, "E08000028")
        let read = try server.get("/v1/inspections/\(id)")
        assertStatus(read, 200)
        XCTAssertEqual(read.object["published"] as? String, "2026-03-02")
        XCTAssertEqual((read.object["judgements"] as? [String: Any])?["care_leavers"] as? String, "requires_improvement")
        XCTAssertEqual(try server.get("/v1/councils/sandwell/inspections?limit=1").items.first?["id"] as? String, id)
        let latest = try server.get("/v1/councils/sandwell").object["latest_inspection"] as? [String: Any]
        XCTAssertEqual(latest?["id"] as? String, id)
        XCTAssertEqual(latest?["overall"] as? String, "good")
        XCTAssertEqual(try server.total("/v1/inspections"), 779)
    }

    func testPostWithAnExistingIdIs409() throws {
        var body = Self.newInspection
        body["id"] = "test-insp-1"
        assertStatus(try server.post("/v1/councils/sandwell/inspections", body), 201)
        assertProblem(try server.post("/v1/councils/sandwell/inspections", body), 409)
    }

    func testPostToUnknownCouncilIs404() throws {
        assertProblem(try server.post("/v1/councils/E99999999/inspections", Self.newInspection), 404)
    }

    func testRuleBreaksAre422NamingTheField() throws {
        var early = Self.newInspection
        early["published"] = "2025-12-01"
        assertInvalid(try server.post("/v1/councils/sandwell/inspections", early), field: "published")
        var badGrade = Self.newInspection
        badGrade["overall"] = "excellent"
        assertInvalid(try server.post("/v1/councils/sandwell/inspections", badGrade), field: "overall")
        var badJudgement = Self.newInspection
        badJudgement["judgements"] = ["leadership": "superb"]
        assertInvalid(try server.post("/v1/councils/sandwell/inspections", badJudgement), field: "leadership")
        var unknown = Self.newInspection
        unknown["inspector"] = "someone"
        assertInvalid(try server.post("/v1/councils/sandwell/inspections", unknown), field: "inspector")
        var gradedVisit = Self.newInspection
        gradedVisit["framework"] = "focused_visit"
        assertProblem(try server.post("/v1/councils/sandwell/inspections", gradedVisit), 422)
        XCTAssertEqual(try server.total("/v1/inspections"), 778, "nothing was stored")
    }

    func testGetPatchDeleteById() throws {
        let id = try XCTUnwrap(try server.get("/v1/councils/sandwell/inspections?framework=ilacs").items.first?["id"] as? String)
        let read = try server.get("/v1/inspections/\(id)")
        assertStatus(read, 200)
        XCTAssertEqual(read.object["council"] as? String, "E08000028")

        let patched = try server.patch("/v1/inspections/\(id)", ["summary": "Updated summary.", "overall": "good"])
        assertStatus(patched, 200)
        XCTAssertEqual(patched.object["summary"] as? String, "Updated summary.")
        XCTAssertEqual(patched.object["overall"] as? String, "good")
        XCTAssertEqual(patched.object["started"] as? String, "2022-05-09", "other fields stay")
        XCTAssertEqual((try server.get("/v1/councils/sandwell").object["latest_inspection"] as? [String: Any])?["overall"] as? String, "good")

        let cleared = try server.patch("/v1/inspections/\(id)", ["summary": NSNull()])
        assertStatus(cleared, 200)
        XCTAssertTrue(cleared.object["summary"] == nil || cleared.object["summary"] is NSNull, "null removes an optional field")

        assertInvalid(try server.patch("/v1/inspections/\(id)", ["overall": "brilliant"]), field: "overall")
        assertInvalid(try server.patch("/v1/inspections/\(id)", ["published": "2022-01-01"]), field: "published")

        assertStatus(try server.delete("/v1/inspections/\(id)"), 204)
        assertProblem(try server.get("/v1/inspections/\(id)"), 404)
        assertProblem(try server.delete("/v1/inspections/\(id)"), 404)
        assertProblem(try server.patch("/v1/inspections/\(id)", ["summary": "x"]), 404)
        XCTAssertEqual(try server.total("/v1/councils/sandwell/inspections"), 5)
        // With its only ILACS gone, Sandwell's latest graded inspection is the 2018 SIF re-inspection.
        let latest = try server.get("/v1/councils/sandwell").object["latest_inspection"] as? [String: Any]
        XCTAssertEqual(latest?["published"] as? String, "2018-01-29")
        XCTAssertEqual(latest?["overall"] as? String, "inadequate")
    }

    func testListAllAndEveryFilter() throws {
        XCTAssertEqual(try server.total("/v1/inspections"), 778)
        let sandwell = try server.all("/v1/inspections?council=sandwell")
        XCTAssertEqual(sandwell.count, 6)
        XCTAssertEqual(try server.total("/v1/inspections?council=333"), 6)
        XCTAssertEqual(try server.total("/v1/inspections?council=E08000016"), try server.total("/v1/inspections?council=E08000038"))

        let ilacs = try server.all("/v1/inspections?framework=ilacs")
        XCTAssertEqual(ilacs.count, 268)
        XCTAssertTrue(ilacs.allSatisfy { $0["framework"] as? String == "ilacs" })
        XCTAssertEqual(try server.total("/v1/inspections?framework=sif"), 167)
        XCTAssertEqual(try server.total("/v1/inspections?framework=focused_visit"), 109)
        XCTAssertEqual(try server.total("/v1/inspections?framework=monitoring_visit"), 76)
        XCTAssertEqual(try server.total("/v1/inspections?framework=safeguarding_and_lac"), 158)

        let inadequate = try server.all("/v1/inspections?overall=inadequate")
        XCTAssertEqual(inadequate.count, 73)
        XCTAssertTrue(inadequate.allSatisfy { $0["overall"] as? String == "inadequate" })
        XCTAssertEqual(try server.total("/v1/inspections?overall=outstanding"), 58)
        XCTAssertEqual(try server.total("/v1/inspections?framework=ilacs&overall=inadequate"), 34)

        let in2023 = try server.all("/v1/inspections?published_from=2023-01-01&published_to=2023-12-31")
        XCTAssertEqual(in2023.count, 43, "both bounds inclusive")
        XCTAssertTrue(in2023.allSatisfy { ($0["published"] as? String).map { $0 >= "2023-01-01" && $0 <= "2023-12-31" } ?? false })
        let from = try server.all("/v1/inspections?published_from=2024-06-01")
        XCTAssertFalse(from.isEmpty)
        XCTAssertTrue(from.allSatisfy { ($0["published"] as? String).map { $0 >= "2024-06-01" } ?? false })
        let to = try server.all("/v1/inspections?published_to=2010-12-31")
        XCTAssertFalse(to.isEmpty)
        XCTAssertTrue(to.allSatisfy { ($0["published"] as? String).map { $0 <= "2010-12-31" } ?? false })

        assertProblem(try server.get("/v1/inspections?framework=ofsted"), 400)
        assertProblem(try server.get("/v1/inspections?overall=fine"), 400)
        assertProblem(try server.get("/v1/inspections?published_from=2023-02-30"), 400)
        assertProblem(try server.get("/v1/inspections?published_from=2024-01-01&published_to=2023-01-01"), 400)
    }
}
