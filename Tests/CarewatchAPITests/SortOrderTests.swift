import CarewatchCore
import Foundation
import TestFixtures
import XCTest

/// Lists sort the way their users read them: grades best first (outstanding, good, requires
/// improvement, adequate, inadequate), never alphabetically; and every `sort` value
/// openapi.yaml offers is one the server takes, and the other way round.
final class SortOrderTests: APITestCase {
    static let gradeOrder = ["outstanding", "good", "requires_improvement", "adequate", "inadequate"]

    private func ranks(_ grades: [Any?]) -> [Int] {
        grades.map { ($0 as? String).flatMap { Self.gradeOrder.firstIndex(of: $0) } ?? Int.max }
    }

    func testCouncilsSortByRatingInGradeOrder() throws {
        // Paged 40 at a time, so cursors cross the boundaries between grades.
        let ascending = try server.all("/v1/councils?sort=rating", limit: 40)
        XCTAssertEqual(ascending.count, 153)
        let grades = ascending.map { ($0["latest_inspection"] as? [String: Any])?["overall"] }
        XCTAssertEqual(ranks(grades), ranks(grades).sorted(), "best first")
        XCTAssertEqual(grades.first as? String, "outstanding")
        XCTAssertEqual(grades.last as? String, "inadequate")
        let descending = try server.all("/v1/councils?sort=-rating", limit: 40)
        XCTAssertEqual(descending.map { ($0["latest_inspection"] as? [String: Any])?["overall"] as? String }.first, "inadequate")
        XCTAssertEqual(ranks(descending.map { ($0["latest_inspection"] as? [String: Any])?["overall"] }), ranks(grades).sorted(by: >))
        // Within a grade, by code.
        let outstanding = ascending.prefix { ($0["latest_inspection"] as? [String: Any])?["overall"] as? String == "outstanding" }
        XCTAssertEqual(outstanding.compactMap { $0["code"] as? String }, outstanding.compactMap { $0["code"] as? String }.sorted())
        XCTAssertEqual(outstanding.count, try server.total("/v1/councils?rating=outstanding"))
    }

    func testNotYetGradedCouncilsSortLastEitherWay() throws {
        var council = CouncilEndpointTests.newCouncil
        council["name"] = "Ungraded"
        assertStatus(try server.post("/v1/councils", council), 201)
        XCTAssertEqual(try server.all("/v1/councils?sort=rating").last?["code"] as? String, "E06000099")
        XCTAssertEqual(try server.all("/v1/councils?sort=-rating").last?["code"] as? String, "E06000099")
    }

    func testInspectionsSortByOverallInGradeOrder() throws {
        let inspections = try server.all("/v1/inspections?sort=overall", limit: 100)
        XCTAssertEqual(inspections.count, 778)
        let overall = inspections.map { $0["overall"] as Any? }
        XCTAssertEqual(ranks(overall), ranks(overall).sorted())
        XCTAssertEqual(Set(overall.compactMap { $0 as? String }), ["outstanding", "good", "requires_improvement", "inadequate"])
        let worstFirst = try server.all("/v1/inspections?sort=-overall&framework=ilacs")
        XCTAssertEqual(worstFirst.first?["overall"] as? String, "inadequate")
    }

    func testCouncilsSortByWhenTheyLastChanged() throws {
        // The same data directory an hour later: the change made then sorts first.
        server.stop()
        let later = try extraServer(directory: server.directory) { $0.clock = .fixed(Timestamp(secondsSince1970: TestServer.now.secondsSince1970 + 3600)) }
        assertStatus(try later.patch("/v1/councils/sandwell", ["name": "Sandwell MBC"]), 200)
        let newest = try later.get("/v1/councils?sort=-updated_at&limit=2").items
        XCTAssertEqual(newest.first?["code"] as? String, "E08000028")
        XCTAssertEqual(newest.first?["updated_at"] as? String, "2026-11-23T12:02:18Z")
        XCTAssertEqual(try later.all("/v1/councils?sort=updated_at", limit: 50).last?["code"] as? String, "E08000028")
    }

    /// The `sort` enums of openapi.yaml's sort parameters, by parameter name.
    static func documentedSorts() throws -> [String: [String]] {
        let text = try String(contentsOfFile: RepositoryData.packageRoot + "/openapi.yaml", encoding: .utf8)
        var result: [String: [String]] = [:]
        for name in ["CouncilSort", "InspectionSort", "WorkforceSort"] {
            guard let start = text.range(of: "\n    \(name):\n"),
                  let open = text.range(of: "enum: [", range: start.upperBound..<text.endIndex),
                  let close = text.range(of: "]", range: open.upperBound..<text.endIndex) else {
                XCTFail("openapi.yaml has no enum for components/parameters/\(name)")
                continue
            }
            result[name] = text[open.upperBound..<close.lowerBound].split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        return result
    }

    func testEverySortOpenAPIOffersIsOneTheServerTakes() throws {
        let documented = try Self.documentedSorts()
        let lists = [("CouncilSort", CouncilQuery.sortFields, ["/v1/councils"]),
                     ("InspectionSort", InspectionQuery.sortFields, ["/v1/inspections", "/v1/councils/sandwell/inspections"]),
                     ("WorkforceSort", WorkforceQuery.sortFields, ["/v1/workforce", "/v1/councils/sandwell/workforce"])]
        for (name, fields, paths) in lists {
            let values = documented[name] ?? []
            XCTAssertEqual(Set(values), Set(fields.flatMap { [$0, "-" + $0] }), "\(name) in openapi.yaml lists exactly what the server sorts by")
            for path in paths {
                for value in values {
                    assertStatus(try server.get("\(path)?sort=\(value)&limit=2"), 200, "\(path)?sort=\(value)")
                }
                assertProblem(try server.get("\(path)?sort=nonsense"), 400)
            }
        }
    }
}
