import XCTest

/// `/v1/stats/ratings` and `/v1/stats/workforce` against figures known from the published
/// files: Ofsted's own "as at 31 March 2025" table must come out of `basis=ofsted`.
final class StatisticsEndpointTests: APITestCase {
    private struct Ratings {
        var councils: Int
        var graded: Int
        var counts: [String: Int]
        var shares: [String: Double]
        var regions: [(name: String, councils: Int, counts: [String: Int])]
    }

    private func ratings(_ query: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> Ratings {
        let response = try server.get("/v1/stats/ratings\(query)")
        XCTAssertEqual(response.status, 200, "\(response)", file: file, line: line)
        let national = try XCTUnwrap(response.object["national"] as? [String: Any], response.text, file: file, line: line)
        let regions = (response.object["regions"] as? [[String: Any]] ?? []).map {
            (name: $0["region"] as? String ?? "", councils: $0["councils"] as? Int ?? -1, counts: $0["counts"] as? [String: Int] ?? [:])
        }
        return Ratings(councils: national["councils"] as? Int ?? -1, graded: national["graded"] as? Int ?? -1,
                       counts: national["counts"] as? [String: Int] ?? [:], shares: national["shares"] as? [String: Double] ?? [:],
                       regions: regions)
    }

    private func assertAddsUp(_ ratings: Ratings, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ratings.councils, 153, file: file, line: line)
        XCTAssertEqual(ratings.counts.values.reduce(0, +), 153, "every council counted once: \(ratings.counts)", file: file, line: line)
        XCTAssertEqual(ratings.graded, 153 - (ratings.counts["not_yet_inspected"] ?? 0), file: file, line: line)
        XCTAssertEqual(ratings.regions.count, 9, file: file, line: line)
        XCTAssertEqual(ratings.regions.map(\.councils).reduce(0, +), 153, "regions add up to the nation", file: file, line: line)
        for grade in ["outstanding", "good", "requires_improvement", "inadequate"] {
            XCTAssertEqual(ratings.regions.map { $0.counts[grade] ?? 0 }.reduce(0, +), ratings.counts[grade], grade, file: file, line: line)
        }
        if ratings.graded > 0 {
            XCTAssertEqual(ratings.shares.values.reduce(0, +), 100, accuracy: 0.5, "shares of graded councils: \(ratings.shares)", file: file, line: line)
        }
    }

    func testRatingsNowAddUpTo153() throws {
        let now = try ratings()
        assertAddsUp(now)
        XCTAssertEqual(now.regions.first { $0.name == "West Midlands" }?.councils, 14)
        XCTAssertEqual(now.regions.first { $0.name == "London" }?.councils, 33)
    }

    func testRatingsOfstedBasisReproducesOfstedsAsAt31March2025Table() throws {
        let ofsted = try ratings("?as_of=2025-03-31&basis=ofsted")
        assertAddsUp(ofsted)
        // LA_Inspection_Outcomes_as_at_31_March_2025, sheet Inspections_as_at_31_March.
        XCTAssertEqual(ofsted.counts["outstanding"], 36)
        XCTAssertEqual(ofsted.counts["good"], 67)
        XCTAssertEqual(ofsted.counts["requires_improvement"], 31)
        XCTAssertEqual(ofsted.counts["inadequate"], 19)
        XCTAssertEqual(ofsted.graded, 153)
    }

    func testRatingsAsOfReplaysHistory() throws {
        let early = try ratings("?as_of=2012-01-01")
        assertAddsUp(early)
        XCTAssertGreaterThan(early.counts["not_yet_inspected"] ?? 0, 0, "in 2012 some councils had no graded inspection on record")
        let byDefault = try server.get("/v1/stats/ratings?as_of=2025-03-31").text
        XCTAssertEqual(try server.get("/v1/stats/ratings?as_of=2025-03-31&basis=published").text, byDefault, "basis=published is the default")
        assertAddsUp(try ratings("?as_of=2019-09-30&basis=ofsted"))
        assertProblem(try server.get("/v1/stats/ratings?basis=rumour"), 400)
        assertProblem(try server.get("/v1/stats/ratings?as_of=2025-02-30"), 400)
    }

    func testRatingsFollowWrites() throws {
        let before = try ratings()
        var inspection = InspectionEndpointTests.newInspection
        inspection["overall"] = "outstanding"
        // Sandwell's grade in force moves from requires improvement to outstanding.
        assertStatus(try server.post("/v1/councils/sandwell/inspections", inspection), 201)
        let after = try ratings()
        XCTAssertEqual(after.counts["outstanding"], before.counts["outstanding"].map { $0 + 1 })
        XCTAssertEqual(after.counts["requires_improvement"], before.counts["requires_improvement"].map { $0 - 1 })
        assertAddsUp(after)
    }

    func testWorkforceStatisticsForOneYear() throws {
        let response = try server.get("/v1/stats/workforce?year=2025")
        assertStatus(response, 200)
        let years = response.object["years"] as? [[String: Any]] ?? []
        XCTAssertEqual(years.count, 1, response.text.prefix(300).description)
        let year = try XCTUnwrap(years.first)
        XCTAssertEqual(year["year"] as? Int, 2025)
        let national = try XCTUnwrap(year["national"] as? [String: Any])
        XCTAssertEqual(national["rows"] as? Int, 149, "149 councils reported in 2025")
        let caseload = try XCTUnwrap((national["figures"] as? [String: Any])?["caseload"] as? [String: Any])
        let count = try XCTUnwrap(caseload["count"] as? Int)
        XCTAssertTrue((140...149).contains(count), "\(count)")
        let q1 = try XCTUnwrap(caseload["q1"] as? Double), median = try XCTUnwrap(caseload["median"] as? Double)
        let q3 = try XCTUnwrap(caseload["q3"] as? Double), minimum = try XCTUnwrap(caseload["min"] as? Double)
        let maximum = try XCTUnwrap(caseload["max"] as? Double), mean = try XCTUnwrap(caseload["mean"] as? Double)
        XCTAssertTrue(minimum <= q1 && q1 <= median && median <= q3 && q3 <= maximum, "\(caseload)")
        XCTAssertTrue(minimum <= mean && mean <= maximum)
        // The pooled England agency rate is sum(agency) / sum(agency + employed).
        let pooled = try XCTUnwrap((national["pooled"] as? [String: Any])?["agency_rate"] as? [String: Any])
        let value = try XCTUnwrap(pooled["value"] as? Double)
        let numerator = try XCTUnwrap(pooled["numerator_fte"] as? Double), denominator = try XCTUnwrap(pooled["denominator_fte"] as? Double)
        XCTAssertEqual(value, numerator / denominator * 100, accuracy: 0.1)
        XCTAssertTrue((5...30).contains(value), "England's agency rate is a plausible percentage: \(value)")
        let regions = year["regions"] as? [[String: Any]] ?? []
        XCTAssertEqual(regions.count, 9)
        XCTAssertEqual(regions.compactMap { $0["rows"] as? Int }.reduce(0, +), 149)
        XCTAssertEqual(regions.first { $0["region"] as? String == "West Midlands" }?["rows"] as? Int, 14)
        XCTAssertNil(year["by_rating"])
    }

    func testWorkforceStatisticsEveryYearAndByRating() throws {
        let all = try server.get("/v1/stats/workforce")
        assertStatus(all, 200)
        let years = (all.object["years"] as? [[String: Any]] ?? []).compactMap { $0["year"] as? Int }
        XCTAssertEqual(years, Array(2017...2025))

        let census = try server.get("/v1/stats/workforce?year=2024&by=rating")
        assertStatus(census, 200)
        let groups = ((census.object["years"] as? [[String: Any]])?.first?["by_rating"] as? [[String: Any]]) ?? []
        XCTAssertFalse(groups.isEmpty, census.text.prefix(300).description)
        XCTAssertEqual(groups.compactMap { $0["rows"] as? Int }.reduce(0, +), 149, "each council in exactly one grade group")
        XCTAssertTrue(groups.contains { $0["grade"] as? String == "inadequate" })
        XCTAssertEqual(try server.get("/v1/stats/workforce?year=2024&by=rating&grade_at=census").text, census.text, "grade_at=census is the default")
        let latest = try server.get("/v1/stats/workforce?year=2024&by=rating&grade_at=latest")
        assertStatus(latest, 200)
        XCTAssertEqual(latest.object["grade_at"] as? String, "latest")
        XCTAssertNotEqual(latest.text, census.text, "some grades changed after September 2024")

        assertProblem(try server.get("/v1/stats/workforce?grade_at=latest"), 400)
        assertProblem(try server.get("/v1/stats/workforce?by=region"), 400)
        assertProblem(try server.get("/v1/stats/workforce?year=1900"), 400)
    }
}
