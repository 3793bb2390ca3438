import Foundation
import HTTPTestClient
import XCTest

/// `/v1/stats/ratings/series`: many as-at replays in one answer, each point exactly what
/// `/v1/stats/ratings?as_of=` answers for its date.
final class RatingSeriesTests: APITestCase {
    func testEachPointIsTheReplayOfItsDate() throws {
        let dates = ["2014-03-31", "2019-03-31", "2024-03-31", "2025-03-31"]
        for basis in ["published", "ofsted"] {
            let series = try server.get("/v1/stats/ratings/series?as_of=\(dates.joined(separator: ","))&basis=\(basis)")
            assertStatus(series, 200)
            XCTAssertEqual(series.object["basis"] as? String, basis)
            let points = try XCTUnwrap(series.object["points"] as? [[String: Any]])
            XCTAssertEqual(points.map { $0["as_of"] as? String }, dates)
            for (date, point) in zip(dates, points) {
                let single = try server.get("/v1/stats/ratings?as_of=\(date)&basis=\(basis)").object
                XCTAssertEqual(NSDictionary(dictionary: point), NSDictionary(dictionary: single), "\(basis) \(date)")
            }
        }
        // Ofsted's own published figure as at 31 March 2025 (its 2025 outcomes table).
        let ofsted = try server.get("/v1/stats/ratings/series?as_of=2025-03-31&basis=ofsted").object
        let national = try XCTUnwrap(((ofsted["points"] as? [[String: Any]])?.first)?["national"] as? [String: Any])
        XCTAssertEqual(national["counts"] as? [String: Int],
                       ["outstanding": 36, "good": 67, "requires_improvement": 31, "adequate": 0, "inadequate": 19, "not_yet_inspected": 0])
    }

    func testTheSeriesIsCachedAndRevalidated() throws {
        let first = try server.get("/v1/stats/ratings/series?as_of=2020-03-31,2021-03-31")
        let etag = try XCTUnwrap(first.header("ETag"))
        assertStatus(try server.get("/v1/stats/ratings/series?as_of=2020-03-31,2021-03-31", headers: [("If-None-Match", etag)]), 304)
        let pretty = try server.get("/v1/stats/ratings/series?as_of=2020-03-31,2021-03-31&pretty=true")
        XCTAssertEqual(NSDictionary(dictionary: pretty.object), NSDictionary(dictionary: first.object))
    }

    func testBadDatesAreRefusedNamingTheParameter() throws {
        let tooMany = (0..<61).map { String(format: "2000-01-%02d", 1 + $0 % 28) }.joined(separator: ",")
        for query in ["", "?basis=ofsted", "?as_of=", "?as_of=2024-02-30", "?as_of=2024-03-31,2023-03-31", "?as_of=2024-03-31,2024-03-31",
                      "?as_of=2024-03-31,", "?as_of=\(tooMany)", "?as_of=2024-03-31&basis=other", "?as_of=2024-03-31&region=London",
                      "?as_of=2024-03-31&format=csv"] {
            let response = try server.get("/v1/stats/ratings/series\(query)")
            let problem = assertProblem(response, 400)
            let field = (problem["errors"] as? [[String: Any]])?.first?["field"] as? String
            XCTAssertNotNil(field, query)
        }
    }
}
