import Foundation
import HTTPTestClient
import XCTest

/// `GET /v1/councils/{council}/compare` and `GET /v1/measures` over real sockets.
final class CompareEndpointTests: APITestCase {
    static let fourMeasures = "/v1/councils/sandwell/compare?measures=agency_rate,vacancy_rate,turnover_rate,caseload"

    func years(_ response: RawHTTPResponse, measure index: Int = 0) -> [[String: Any]] {
        ((response.object["measures"] as? [[String: Any]])?[index]["years"] as? [[String: Any]]) ?? []
    }

    /// The issue's worked example, as the server answers it.
    func testSandwellWorkedExample() throws {
        let response = try server.get("/v1/councils/sandwell/compare?measures=agency_rate&with=neighbours,region,england&from=2025&to=2025&model=2025")
        assertStatus(response, 200)
        XCTAssertEqual(response.mediaType, "application/json")
        let council = response.object["council"] as? [String: Any]
        XCTAssertEqual(council?["code"] as? String, "E08000028")
        let group = try XCTUnwrap(response.object["neighbours"] as? [String: Any])
        XCTAssertEqual(group["model"] as? String, "2025")
        XCTAssertEqual((group["members"] as? [[String: Any]])?.count, 10)
        let year = try XCTUnwrap(years(response).first)
        XCTAssertEqual(year["year"] as? Int, 2025)
        XCTAssertEqual(year["value"] as? Double, 9.9)
        let neighbours = try XCTUnwrap(year["neighbours"] as? [String: Any])
        XCTAssertEqual(neighbours["median"] as? Double, 15.45)
        XCTAssertEqual(neighbours["mean"] as? Double, 15.75)
        XCTAssertEqual(neighbours["min"] as? Double, 6.1)
        XCTAssertEqual(neighbours["max"] as? Double, 28.9)
        XCTAssertEqual(neighbours["with_value"] as? Int, 10)
        XCTAssertEqual(neighbours["of"] as? Int, 10)
        let england = try XCTUnwrap(year["england"] as? [String: Any])
        XCTAssertEqual(england["value"] as? Double, 13.0)
        XCTAssertEqual(england["basis"] as? String, "published")
        XCTAssertEqual((year["region"] as? [String: Any])?["name"] as? String, "West Midlands")
        XCTAssertEqual(year["quartile"] as? String, "B")
        XCTAssertEqual(year["trend"] as? String, "better")

        // Four measures over nine years, the benchmark's call.
        let four = try server.get(Self.fourMeasures)
        assertStatus(four, 200)
        XCTAssertEqual((four.object["measures"] as? [[String: Any]])?.compactMap { $0["measure"] as? String },
                       ["agency_rate", "vacancy_rate", "turnover_rate", "caseload"])
        for index in 0..<4 { XCTAssertEqual(years(four, measure: index).compactMap { $0["year"] as? Int }, Array(2017...2025)) }
    }

    func testCSVHasOneRowPerMeasureAndYear() throws {
        let response = try server.get(Self.fourMeasures + "&format=csv")
        assertStatus(response, 200)
        XCTAssertEqual(response.mediaType, "text/csv")
        let lines = response.text.split(separator: "\r\n")
        XCTAssertEqual(lines.count, 1 + 4 * 9)
        XCTAssertTrue(lines[0].hasPrefix("council,measure,year,value,status,joint_return,change,trend,rank,ranked,quartile"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("E08000028,agency_rate,2025,9.9,,,-5.3,better,") && $0.contains(",2025,15.45,15.75,6.1,28.9,10,10,0,,,West Midlands,10.4,,published,13,,published,percent") },
                      response.text)
        let accepted = try server.get(Self.fourMeasures, headers: [("Accept", "text/csv")])
        XCTAssertEqual(accepted.body, response.body)
    }

    /// Cached by store version: the same answer and ETag until a write, then a new one.
    func testCachedUntilTheDataChanges() throws {
        let first = try server.get(Self.fourMeasures)
        let etag = try XCTUnwrap(first.header("ETag"))
        let second = try server.get(Self.fourMeasures)
        XCTAssertEqual(second.header("ETag"), etag)
        XCTAssertEqual(second.body, first.body)
        assertStatus(try server.get(Self.fourMeasures, headers: [("If-None-Match", etag)]), 304)

        // A neighbour's row changes: Wolverhampton's 2025 agency rate 9.9 → 30 moves the median.
        let current = try server.get("/v1/councils/wolverhampton/workforce/2025")
        var body = current.object
        body.removeValue(forKey: "version")
        body["agency_fte"] = 97.0
        body["agency_rate"] = nil
        assertStatus(try server.put("/v1/councils/wolverhampton/workforce/2025", body), 200)
        let after = try server.get(Self.fourMeasures)
        XCTAssertNotEqual(after.header("ETag"), etag)
        assertStatus(try server.get(Self.fourMeasures, headers: [("If-None-Match", etag)]), 200)
        let year2025 = try XCTUnwrap(years(after).last)
        let neighbours = try XCTUnwrap(year2025["neighbours"] as? [String: Any])
        XCTAssertEqual(neighbours["median"] as? Double, 15.8, "Wolverhampton now 30.0: the middle pair is 15.7 and 15.9")
    }

    /// The neighbours' band is the lowest and highest of their own rows, read one by one; a
    /// withheld neighbour is left out of it as it is of the median.
    func testNeighboursBandIsTheirLowestAndHighest() throws {
        for (council, year) in [("sandwell", 2025), ("kensington-and-chelsea", 2025), ("city-of-london", 2023)] {
            let response = try server.get("/v1/councils/\(council)/compare?measures=agency_rate&from=\(year)&to=\(year)&with=neighbours")
            assertStatus(response, 200)
            let members = try XCTUnwrap((response.object["neighbours"] as? [String: Any])?["members"] as? [[String: Any]])
            var values: [Double] = []
            for member in members {
                let row = try server.get("/v1/councils/\(member["code"]!)/workforce/\(year)")
                if let value = row.object["agency_rate"] as? Double { values.append(value) }
            }
            let summary = try XCTUnwrap(years(response).first?["neighbours"] as? [String: Any])
            XCTAssertEqual(summary["with_value"] as? Int, values.count, council)
            XCTAssertEqual(summary["min"] as? Double, values.min(), council)
            XCTAssertEqual(summary["max"] as? Double, values.max(), council)
        }
    }

    func testSuppressedValuesAreAStatusAndCounted() throws {
        let response = try server.get("/v1/councils/westminster/compare?measures=agency_rate&from=2024&to=2025")
        assertStatus(response, 200)
        let rows = years(response)
        XCTAssertEqual(rows.map { $0["year"] as? Int }, [2024, 2025])
        let latest = rows[1]
        XCTAssertTrue(latest["value"] is NSNull)
        XCTAssertEqual(latest["status"] as? String, "x")
        XCTAssertTrue(latest["rank"] is NSNull)
        XCTAssertTrue(latest["change"] is NSNull)
        let measure = try XCTUnwrap((response.object["measures"] as? [[String: Any]])?.first)
        XCTAssertGreaterThanOrEqual(measure["suppressed_values"] as? Int ?? 0, 2, "Westminster's 2024 and 2025 agency rates are withheld")
        XCTAssertEqual(latest["suppressed_councils"] as? Int, 3)
        // Its neighbours' summary says which neighbour is withheld and why.
        let response2 = try server.get("/v1/councils/kensington-and-chelsea/compare?measures=agency_rate&from=2025&to=2025")
        let missing = (years(response2).first?["neighbours"] as? [String: Any])?["missing"] as? [[String: Any]] ?? []
        XCTAssertTrue(missing.contains { $0["code"] as? String == "E09000033" && $0["status"] as? String == "x" }, "\(missing)")
    }

    func testJointReturnsAreFlagged() throws {
        let kingston = try server.get("/v1/councils/kingston-upon-thames/compare?measures=turnover_rate&from=2025&to=2025")
        assertStatus(kingston, 200)
        let year = try XCTUnwrap(years(kingston).first)
        XCTAssertEqual(year["value"] as? Double, 28)
        let joint = try XCTUnwrap(year["joint_return"] as? [String: Any])
        XCTAssertEqual(joint["area"] as? String, "E09000021 / E09000027")
        XCTAssertEqual(joint["councils"] as? [String], ["E09000021", "E09000027"])
        XCTAssertEqual(joint["name"] as? String, "Kingston upon Thames / Richmond upon Thames")
        // Where a neighbour's figure is a joint return, the neighbours' summary lists it.
        var flagged = 0
        for council in try server.all("/v1/councils?region=London") {
            let response = try server.get("/v1/councils/\(council["code"]!)/compare?measures=turnover_rate&from=2025&to=2025&with=neighbours")
            let joints = (years(response).first?["neighbours"] as? [String: Any])?["joint_returns"] as? [[String: Any]] ?? []
            if joints.contains(where: { $0["area"] as? String == "E09000021 / E09000027" }) { flagged += 1 }
        }
        XCTAssertGreaterThan(flagged, 0)
    }

    /// England's computed rate from DfE's own count and population, and a region pooled from
    /// councils where DfE's figure is withheld, each saying which.
    func testAreaFiguresSayHowTheyWereMade() throws {
        let cin = try server.get("/v1/councils/sandwell/compare?measures=cin_rate&from=2025&to=2025&with=england")
        let england = try XCTUnwrap(years(cin).first?["england"] as? [String: Any])
        XCTAssertEqual(england["value"] as? Double, 330.3)
        XCTAssertEqual(england["basis"] as? String, "computed")
        XCTAssertNil(years(cin).first?["neighbours"], "with=england leaves the others out")
        XCTAssertNil(years(cin).first?["region"])

        // DfE's West Midlands 2025 row, re-imported with its agency rate withheld.
        let row: [String: Any] = ["dataset": "workforce", "area": "E12000005", "level": "regional", "name": "West Midlands", "year": 2025,
                                  "values": ["employed_fte": 3863.5], "suppressed": ["agency_rate": "u"], "source": "test"]
        assertStatus(try server.write("POST", "/v1/import", json: ["figures": [row]]), 200)
        let pooled = try server.get("/v1/councils/sandwell/compare?measures=agency_rate&from=2025&to=2025&with=region")
        let region = try XCTUnwrap(years(pooled).first?["region"] as? [String: Any])
        XCTAssertEqual(region["basis"] as? String, "pooled")
        XCTAssertEqual(region["status"] as? String, "u")
        XCTAssertEqual(region["value"] as? Double, 10.5)
        XCTAssertEqual(region["returns"] as? Int, 14)
        XCTAssertEqual(region["missing"] as? Int, 0)
    }

    func testBadInputIsA400NamingIt() throws {
        let cases: [(String, String)] = [
            ("measures=agency_rate,nonsense", "measures"),
            ("measures=agency_rate,agency_rate", "measures"),
            ("measures=", "measures"),
            ("measures=agency_rate,", "measures"),
            ("with=neighbours,planet", "with"),
            ("with=region,region", "with"),
            ("with=", "with"),
            ("model=2019", "model"),
            ("with=region&model=2025", "model"),
            ("from=2025&to=2020", "from"),
            ("from=twenty", "from"),
            ("to=1900", "to"),
            ("from=2025.5", "from"),
            ("sort=year", "sort"),
            ("measure=agency_rate", "measure"),
            ("format=xml", "format"),
        ]
        for (query, field) in cases {
            let problem = assertProblem(try server.get("/v1/councils/sandwell/compare?\(query)"), 400)
            XCTAssertEqual((problem["errors"] as? [[String: Any]])?.first?["field"] as? String, field, query)
            XCTAssertTrue((problem["detail"] as? String ?? "").contains(field), "\(query): \(problem)")
        }
        let unknown = assertProblem(try server.get("/v1/councils/sandwell/compare?measures=agency_rate,nonsense"), 400)
        XCTAssertTrue((unknown["detail"] as? String ?? "").contains("nonsense"))
        // A council that does not exist is a 404 naming it, as on every /v1/councils/{council} path.
        let nowhere = assertProblem(try server.get("/v1/councils/nowhere/compare"), 404)
        XCTAssertTrue((nowhere["detail"] as? String ?? "").contains("nowhere"))
        // A year range that holds none of the measures' years is a 400 naming it, like every year filter
        // (YearFilterTests), not an empty series a dashboard would draw as "no data for Sandwell".
        let empty = assertProblem(try server.get("/v1/councils/sandwell/compare?measures=agency_rate&from=2000&to=2010"), 400)
        XCTAssertTrue((empty["detail"] as? String ?? "").contains("2017 to 2025"), "\(empty)")
    }

    func testEveryMeasureByDefaultAndTheDictionary() throws {
        let dictionary = try server.get("/v1/measures")
        assertStatus(dictionary, 200)
        let measures = dictionary.items
        XCTAssertEqual(dictionary.object["total"] as? Int, measures.count)
        let ids = measures.compactMap { $0["id"] as? String }
        XCTAssertTrue(Set(ids).isSuperset(of: ["employed_fte", "agency_fte", "agency_rate", "vacancy_fte", "vacancy_rate", "leavers_fte",
                                               "turnover_rate", "caseload", "absence_rate", "asye_share", "cin_count", "cin_rate",
                                               "referral_rate", "rereferral_rate", "cpp_count", "cpp_rate", "cpp_subsequent_rate",
                                               "cla_count", "cla_rate", "cla_3plus_sw_rate", "population_0_17"]))
        func entry(_ id: String) -> [String: Any] { measures.first { $0["id"] as? String == id } ?? [:] }
        XCTAssertEqual(entry("agency_rate")["unit"] as? String, "percent")
        XCTAssertEqual(entry("agency_rate")["direction"] as? String, "lower_is_better")
        XCTAssertEqual(entry("agency_rate")["period"] as? String, "30 September")
        XCTAssertEqual(entry("agency_rate")["years"] as? [Int], Array(2017...2025))
        XCTAssertEqual(entry("agency_rate")["source"] as? String, "published")
        XCTAssertEqual((entry("agency_rate")["publication"] as? [String: Any])?["column"] as? String, "agency_rate_fte")
        XCTAssertEqual(entry("cin_count")["period"] as? String, "31 March")
        XCTAssertEqual(entry("cin_rate")["unit"] as? String, "per_10000_children")
        XCTAssertEqual(entry("cin_rate")["source"] as? String, "computed")
        XCTAssertEqual(entry("cin_rate")["inputs"] as? [String], ["cin_count", "population_0_17"])
        XCTAssertTrue((entry("cin_rate")["computation"] as? String ?? "").contains("mid-year Y−1"))
        XCTAssertEqual(entry("cla_rate")["source"] as? String, "published")
        XCTAssertEqual(entry("caseload")["unit"] as? String, "cases_per_fte")
        XCTAssertEqual(entry("employed_fte")["direction"] as? String, "neither")
        XCTAssertEqual(entry("asye_share")["years"] as? [Int], [])
        XCTAssertEqual((dictionary.object["symbols"] as? [[String: Any]])?.compactMap { $0["symbol"] as? String }.prefix(6),
                       ["c", "k", "u", "x", "z", "low"])

        let one = try server.get("/v1/measures/cla_3plus_sw_rate")
        assertStatus(one, 200)
        XCTAssertEqual(one.object["years"] as? [Int], [2024])
        assertProblem(try server.get("/v1/measures/nonsense"), 404)

        // Without measures=, every measure in the dictionary, in its order.
        let all = try server.get("/v1/councils/sandwell/compare?from=2024&to=2024")
        assertStatus(all, 200)
        XCTAssertEqual((all.object["measures"] as? [[String: Any]])?.compactMap { $0["measure"] as? String }, ids)
    }
}
