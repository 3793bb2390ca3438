import XCTest

/// Workforce rows: a council's series oldest first, one year's row (PUT creates 201 or
/// replaces 200, DELETE removes), and the all-rows list filtered by year and region.
final class WorkforceEndpointTests: APITestCase {
    func testSeriesIsOldestFirstWithRealFigures() throws {
        let response = try server.get("/v1/councils/sandwell/workforce")
        assertStatus(response, 200)
        XCTAssertEqual(response.object["total"] as? Int, 9)
        let years = response.items.compactMap { $0["year"] as? Int }
        XCTAssertEqual(years, Array(2017...2025))
        let row2018 = response.items[1]
        XCTAssertEqual(row2018["council"] as? String, "E08000028")
        XCTAssertEqual(row2018["employed_fte"] as? Double, 213.6)
        XCTAssertEqual(row2018["agency_fte"] as? Double, 96)
        XCTAssertEqual(row2018["agency_rate"] as? Double, 31)
        XCTAssertEqual(row2018["caseload"] as? Double, 18)
        XCTAssertTrue(isNullOrAbsent(row2018["asye_share"]))
        XCTAssertEqual(row2018["source"] as? String, "csww_indicators_2017_to_2025.csv")
    }

    func testOneYearByAnyCouncilName() throws {
        for key in ["E08000028", "333", "sandwell"] {
            let response = try server.get("/v1/councils/\(key)/workforce/2025")
            assertStatus(response, 200, key)
            XCTAssertEqual(response.object["year"] as? Int, 2025)
            XCTAssertEqual(response.object["employed_fte"] as? Double, 269.9)
            XCTAssertEqual(response.object["vacancy_rate"] as? Double, 8.7)
        }
        // Barnsley's rows are found by its old code too.
        assertStatus(try server.get("/v1/councils/E08000016/workforce/2020"), 200)
        assertProblem(try server.get("/v1/councils/sandwell/workforce/2016"), 404)
        assertProblem(try server.get("/v1/councils/sandwell/workforce/twenty"), 400)
    }

    func testPutCreatesThenReplaces() throws {
        let body: [String: Any] = ["employed_fte": 280.0, "agency_fte": 20.0, "vacancy_fte": 30.0, "leavers_fte": 28.0, "caseload": 15.5]
        let created = try server.put("/v1/councils/sandwell/workforce/2026", body)
        assertStatus(created, 201)
        XCTAssertEqual(created.header("Location"), "/v1/councils/E08000028/workforce/2026")
        XCTAssertEqual(created.object["council"] as? String, "E08000028")
        XCTAssertEqual(created.object["year"] as? Int, 2026)
        // Rates are derived from the FTEs when not given.
        XCTAssertEqual(try XCTUnwrap(created.object["agency_rate"] as? Double), 20.0 / 300.0 * 100, accuracy: 0.051)
        XCTAssertEqual(try XCTUnwrap(created.object["vacancy_rate"] as? Double), 30.0 / 310.0 * 100, accuracy: 0.051)
        XCTAssertEqual(try XCTUnwrap(created.object["turnover_rate"] as? Double), 10.0, accuracy: 0.051)
        XCTAssertEqual(try server.total("/v1/workforce"), 1326)

        let replaced = try server.put("/v1/councils/333/workforce/2026", ["employed_fte": 300.0, "caseload": 14.0])
        assertStatus(replaced, 200)
        XCTAssertNil(replaced.header("Location"))
        let read = try server.get("/v1/councils/E08000028/workforce/2026")
        XCTAssertEqual(read.object["employed_fte"] as? Double, 300)
        XCTAssertEqual(read.object["caseload"] as? Double, 14)
        XCTAssertTrue(isNullOrAbsent(read.object["agency_fte"]), "PUT replaces the whole row")
        XCTAssertEqual(try server.total("/v1/workforce"), 1326)
        XCTAssertEqual(try server.get("/v1/councils/sandwell/workforce").items.last?["year"] as? Int, 2026)
    }

    func testPutRules() throws {
        assertInvalid(try server.put("/v1/councils/sandwell/workforce/2026", ["agency_rate": 101.0]), field: "agency_rate")
        assertInvalid(try server.put("/v1/councils/sandwell/workforce/2026", ["year": 2025, "caseload": 10.0]), field: "year")
        assertInvalid(try server.put("/v1/councils/sandwell/workforce/2026", ["council": "E08000038"]), field: "council")
        assertInvalid(try server.put("/v1/councils/sandwell/workforce/2026", ["employed_fte": -1.0]), field: "employed_fte")
        assertInvalid(try server.put("/v1/councils/sandwell/workforce/2026", ["headcount": 5]), field: "headcount")
        assertProblem(try server.put("/v1/councils/nowhere/workforce/2026", ["caseload": 1.0]), 404)
        XCTAssertEqual(try server.total("/v1/workforce"), 1325)
    }

    func testDeleteOneYear() throws {
        assertStatus(try server.delete("/v1/councils/sandwell/workforce/2017"), 204)
        assertProblem(try server.get("/v1/councils/sandwell/workforce/2017"), 404)
        assertProblem(try server.delete("/v1/councils/sandwell/workforce/2017"), 404)
        XCTAssertEqual(try server.get("/v1/councils/sandwell/workforce").items.first?["year"] as? Int, 2018)
        XCTAssertEqual(try server.total("/v1/workforce"), 1324)
    }

    func testListAllWithYearAndRegionFilters() throws {
        XCTAssertEqual(try server.total("/v1/workforce"), 1325)
        let rows2025 = try server.all("/v1/workforce?year=2025")
        XCTAssertEqual(rows2025.count, 149)
        XCTAssertTrue(rows2025.allSatisfy { $0["year"] as? Int == 2025 })
        XCTAssertEqual(try server.total("/v1/workforce?year=2017"), 145)
        let westMidlands = try server.all("/v1/workforce?region=West%20Midlands&year=2025")
        XCTAssertEqual(westMidlands.count, 14)
        XCTAssertEqual(try server.total("/v1/workforce?region=West%20Midlands"), 126)
        // A year no row has is a 400 naming year (YearFilterTests), not an empty list.
        assertProblem(try server.get("/v1/workforce?year=2010"), 400)
        assertProblem(try server.get("/v1/workforce?year=recent"), 400)
        assertProblem(try server.get("/v1/workforce?region=Wales"), 400)
    }

    /// A row that is not there is named as a row, in a sentence that reads: the row itself,
    /// its history, and its deletion.
    func testAMissingRowIsNamedInItsNotFound() throws {
        let expected = "the workforce row of E08000028 for 2016 was not found"
        for response in [try server.get("/v1/councils/sandwell/workforce/2016"), try server.get("/v1/councils/sandwell/workforce/2016/history"),
                         try server.delete("/v1/councils/sandwell/workforce/2016")] {
            XCTAssertEqual(assertProblem(response, 404)["detail"] as? String, expected)
        }
    }
}
