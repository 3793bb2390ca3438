import Foundation
import HTTPTestClient
import XCTest
@testable import CarewatchAPI

/// Fewer round trips for dashboards: `include=` on councils, `year=latest` on workforce
/// lists, CSV on the statistics endpoints, and the published rows behind the comparison.
final class DashboardReadTests: APITestCase {
    func testIncludeOnOneCouncilIsOneResponseWithOneETag() throws {
        let plain = try server.get("/v1/councils/sandwell")
        let response = try server.get("/v1/councils/sandwell?include=latest_inspection,latest_workforce,neighbours")
        assertStatus(response, 200)
        let council = response.object
        XCTAssertEqual(council["code"] as? String, "E08000028")
        // latest_inspection in full, judgements included.
        let inspection = try XCTUnwrap(council["latest_inspection"] as? [String: Any])
        XCTAssertEqual(inspection["id"] as? String, "insp-2dbb0879")
        XCTAssertEqual((inspection["judgements"] as? [String: Any])?["leadership"] as? String, "requires_improvement")
        XCTAssertEqual(inspection["report_url"] as? String, "https://reports.ofsted.gov.uk/provider/44/333")
        // Its own latest workforce year, with DfE's symbols map.
        let workforce = try XCTUnwrap(council["latest_workforce"] as? [String: Any])
        XCTAssertEqual(workforce["year"] as? Int, 2025)
        XCTAssertEqual(workforce["agency_rate"] as? Double, 9.9)
        XCTAssertEqual(workforce["suppressed"] as? [String: String], [:])
        XCTAssertTrue(workforce["joint_return"] is NSNull)
        let neighbours = try XCTUnwrap(council["neighbours"] as? [String: Any])
        XCTAssertEqual(neighbours["model"] as? String, "2025")
        XCTAssertEqual((neighbours["members"] as? [[String: Any]])?.first?["name"] as? String, "Wolverhampton")

        let etag = try XCTUnwrap(response.header("ETag"))
        XCTAssertNotEqual(etag, plain.header("ETag"))
        assertStatus(try server.get("/v1/councils/sandwell?include=latest_inspection,latest_workforce,neighbours", headers: [("If-None-Match", etag)]), 304)
        // Without include the representation and its version tag are as before.
        XCTAssertEqual(plain.object["latest_inspection"] as? NSDictionary,
                       ["id": "insp-2dbb0879", "framework": "ilacs", "published": "2022-07-05", "overall": "requires_improvement"] as NSDictionary)
        XCTAssertNil(plain.object["latest_workforce"])

        // A write to the council's workforce changes the included answer and its tag.
        assertStatus(try server.put("/v1/councils/sandwell/workforce/2026", ["employed_fte": 270.0, "caseload": 15.0]), 201)
        let after = try server.get("/v1/councils/sandwell?include=latest_workforce")
        XCTAssertEqual((after.object["latest_workforce"] as? [String: Any])?["year"] as? Int, 2026)
        XCTAssertNotEqual(after.header("ETag"), etag)

        // A council that makes a joint return: its latest figures are the joint ones, flagged.
        let richmond = try server.get("/v1/councils/richmond-upon-thames?include=latest_workforce")
        let joint = try XCTUnwrap(richmond.object["latest_workforce"] as? [String: Any])
        XCTAssertEqual(joint["council"] as? String, "E09000027")
        XCTAssertEqual(joint["year"] as? Int, 2025)
        XCTAssertEqual((joint["joint_return"] as? [String: Any])?["area"] as? String, "E09000021 / E09000027")
        // The 2021 model for a council it predates: its predecessor's list, said so.
        let cumberland = try server.get("/v1/councils/cumberland?include=neighbours&model=2021")
        XCTAssertEqual(((cumberland.object["neighbours"] as? [String: Any])?["list_of"] as? [String: Any])?["la_code"] as? Int, 909)
    }

    func testIncludeOnCouncilListsAndItsErrors() throws {
        let list = try server.get("/v1/councils?region=West%20Midlands&include=latest_workforce,latest_inspection&limit=3")
        assertStatus(list, 200)
        XCTAssertEqual(list.items.count, 3)
        for council in list.items {
            XCTAssertNotNil(council["latest_workforce"] as? [String: Any], "\(council["code"]!)")
            XCTAssertNotNil((council["latest_inspection"] as? [String: Any])?["judgements"], "\(council["code"]!)")
            XCTAssertNil(council["neighbours"])
        }
        let etag = try XCTUnwrap(list.header("ETag"))
        assertStatus(try server.get("/v1/councils?region=West%20Midlands&include=latest_workforce,latest_inspection&limit=3", headers: [("If-None-Match", etag)]), 304)
        let withNeighbours = try server.get("/v1/councils?q=sand&include=neighbours&model=2021")
        XCTAssertEqual((withNeighbours.items.first?["neighbours"] as? [String: Any])?["model"] as? String, "2021")

        for (query, field) in [("include=everything", "include"), ("include=neighbours,neighbours", "include"), ("include=", "include"),
                               ("model=2025", "model"), ("include=neighbours&model=1999", "model")] {
            for path in ["/v1/councils/sandwell?", "/v1/councils?"] {
                let problem = assertProblem(try server.get(path + query), 400)
                XCTAssertEqual((problem["errors"] as? [[String: Any]])?.first?["field"] as? String, field, path + query)
            }
        }
        // CSV has fixed columns: an expansion there would be silently dropped, so it is refused.
        let csv = assertProblem(try server.get("/v1/councils?include=latest_workforce&format=csv"), 400)
        XCTAssertEqual((csv["errors"] as? [[String: Any]])?.first?["field"] as? String, "include")
    }

    func testYearLatestOnWorkforceLists() throws {
        let latest = try server.all("/v1/workforce?year=latest")
        // Every council with rows of its own: all but the four that make joint returns.
        XCTAssertEqual(latest.count, 149)
        XCTAssertEqual(Set(latest.compactMap { $0["council"] as? String }).count, 149)
        XCTAssertTrue(latest.allSatisfy { $0["year"] as? Int == 2025 })
        let westminster = try XCTUnwrap(latest.first { $0["council"] as? String == "E09000033" })
        XCTAssertEqual((westminster["suppressed"] as? [String: String])?["agency_rate"], "x")

        assertStatus(try server.put("/v1/councils/sandwell/workforce/2026", ["employed_fte": 270.0]), 201)
        XCTAssertEqual(try server.get("/v1/workforce?year=latest&region=West%20Midlands&limit=500").items
            .first { $0["council"] as? String == "E08000028" }?["year"] as? Int, 2026)
        let own = try server.get("/v1/councils/sandwell/workforce?year=latest")
        XCTAssertEqual(own.items.map { $0["year"] as? Int }, [2026])
        XCTAssertEqual(try server.get("/v1/councils/sandwell/workforce?year=2018").items.first?["employed_fte"] as? Double, 213.6)
        let csv = try server.get("/v1/workforce?year=latest&format=csv&limit=500")
        XCTAssertEqual(csv.text.split(separator: "\r\n").count, 150)
        XCTAssertTrue(csv.text.contains("E09000033,2025,x,x,x,x,x,x,x,x,x,,csww_indicators_2017_to_2025.csv"))
        for query in ["year=newest", "year=20x5", "year=1999", "year="] {
            let problem = assertProblem(try server.get("/v1/workforce?\(query)"), 400)
            XCTAssertEqual((problem["errors"] as? [[String: Any]])?.first?["field"] as? String, "year", query)
        }
    }

    func testStatisticsAsCSV() throws {
        let ratings = try server.get("/v1/stats/ratings?as_of=2025-03-31&basis=ofsted&format=csv")
        assertStatus(ratings, 200)
        XCTAssertEqual(ratings.mediaType, "text/csv")
        let lines = ratings.text.split(separator: "\r\n")
        XCTAssertEqual(lines.first, "as_of,basis,published_by,scope,councils,graded,category,count,share")
        XCTAssertEqual(lines.count, 1 + 10 * 6)
        XCTAssertTrue(lines.contains("2025-03-31,ofsted,2025-06-30,England,153,153,outstanding,36,23.5"), ratings.text)
        XCTAssertTrue(lines.contains("2025-03-31,ofsted,2025-06-30,North East,12,12,not_yet_inspected,0,"), ratings.text)
        XCTAssertNotNil(ratings.header("ETag"))
        XCTAssertNotEqual(ratings.header("ETag"), try server.get("/v1/stats/ratings?as_of=2025-03-31&basis=ofsted").header("ETag"))

        let workforce = try server.get("/v1/stats/workforce?year=2025", headers: [("Accept", "text/csv")])
        assertStatus(workforce, 200)
        XCTAssertEqual(workforce.mediaType, "text/csv")
        let rows = workforce.text.split(separator: "\r\n")
        XCTAssertEqual(rows.count, 1 + 10 * 10)
        let agency = try XCTUnwrap(rows.first { $0.hasPrefix("2025,national,England,149,agency_rate,") })
        // Pooled from the councils' FTEs, as the JSON gives it.
        let json = try server.get("/v1/stats/workforce?year=2025").object
        let pooled = ((((json["years"] as? [[String: Any]])?.first?["national"] as? [String: Any])?["pooled"] as? [String: Any])?["agency_rate"] as? [String: Any])?["value"] as? Double
        XCTAssertTrue(agency.contains(",\(try XCTUnwrap(pooled)),"), String(agency))
        XCTAssertTrue(try server.get("/v1/stats/workforce?year=2025&by=rating&format=csv").text.contains("\r\n2025,rating,outstanding,"))
    }

    func testPublishedFiguresBehindTheComparison() throws {
        let england = try server.get("/v1/figures?area=england&dataset=workforce&year=2025")
        assertStatus(england, 200)
        let row = try XCTUnwrap(england.items.first)
        XCTAssertEqual(england.items.count, 1)
        XCTAssertEqual(row["area"] as? String, "E92000001")
        XCTAssertEqual(row["level"] as? String, "national")
        XCTAssertEqual((row["values"] as? [String: Any])?["agency_rate"] as? Double, 13)
        XCTAssertEqual(row["source"] as? String, "csww_indicators_2017_to_2025.csv")
        let regions = try server.all("/v1/figures?dataset=workforce&level=regional&year=2025")
        XCTAssertEqual(regions.count, 11, "nine regions, and DfE's Inner and Outer London")
        XCTAssertEqual(try server.total("/v1/figures?area=West%20Midlands&dataset=children_in_need"), 13)
        XCTAssertEqual(try server.total("/v1/figures?area=E12000005&dataset=children_in_need"), 13)
        // A council's rows include the joint return it made.
        let kingston = try server.all("/v1/figures?area=kingston-upon-thames&year=2025")
        XCTAssertTrue(kingston.contains { $0["area"] as? String == "E09000021 / E09000027" && $0["dataset"] as? String == "workforce" })
        XCTAssertTrue(kingston.contains { $0["area"] as? String == "E09000021" && $0["dataset"] as? String == "children_in_need" })
        XCTAssertEqual(try server.all("/v1/figures?area=sandwell&dataset=population&year=latest").first?["year"] as? Int, 2024)
        let csv = try server.get("/v1/figures?area=sandwell&dataset=children_looked_after&year=2025&format=csv")
        XCTAssertEqual(csv.text, "dataset,area,level,name,year,measure,value,status,source\r\n"
            + "children_looked_after,E08000028,local_authority,Sandwell,2025,cla_count,816,,cla_number_and_rate_per_10k_children.csv\r\n"
            + "children_looked_after,E08000028,local_authority,Sandwell,2025,cla_rate,92,,cla_number_and_rate_per_10k_children.csv\r\n")
        for (query, field) in [("dataset=nope", "dataset"), ("area=atlantis", "area"), ("level=county", "level"), ("year=soon", "year"), ("sort=value", "sort")] {
            let problem = assertProblem(try server.get("/v1/figures?\(query)"), 400)
            XCTAssertEqual((problem["errors"] as? [[String: Any]])?.first?["field"] as? String, field, query)
        }
    }
}

/// The cache of encoded answers is bounded in bytes as well as entries: comparisons are
/// large and their keys are client-chosen.
final class EncodedCacheBudgetTests: XCTestCase {
    func testTheCacheStartsAgainWhenItsByteBudgetIsReached() throws {
        let cache = EncodedCache(capacity: 100, byteBudget: 100)
        var encodings = 0
        func get(_ key: String, _ size: Int) throws -> EncodedCache.Entry {
            try cache.entry(for: key, stamp: .init(major: 1)) { () throws(APIError) in
                encodings += 1
                return [UInt8](repeating: 0x20, count: size)
            }
        }
        _ = try get("a", 60)
        _ = try get("a", 60)
        XCTAssertEqual(encodings, 1, "a hit costs no encoding")
        _ = try get("b", 30)
        XCTAssertNotNil(cache.cached("a", stamp: .init(major: 1)))
        _ = try get("c", 30)
        XCTAssertNil(cache.cached("a", stamp: .init(major: 1)), "60 + 30 + 30 bytes is over 100: it started again")
        XCTAssertNotNil(cache.cached("c", stamp: .init(major: 1)))
        XCTAssertNil(cache.cached("c", stamp: .init(major: 2)), "another generation is a miss")
    }
}
