import XCTest

/// What every list promises: sort both ways, limit 1...500, cursor paging that neither
/// repeats nor drops an item (also when a write lands between pages), and 400 for an unknown
/// parameter or a cursor the server did not make.
final class ListingTests: APITestCase {
    static let lists = ["/v1/councils", "/v1/inspections", "/v1/workforce",
                        "/v1/councils/sandwell/inspections", "/v1/councils/sandwell/workforce"]

    /// The identity of an item of each list, for duplicate checks.
    private func key(_ item: [String: Any]) -> String {
        if let id = item["id"] as? String { return id }
        if let year = item["year"] as? Int { return "\(item["council"] as? String ?? "?")/\(year)" }
        return item["code"] as? String ?? "?"
    }

    func testSortAscendingAndDescending() throws {
        let cases: [(path: String, field: String)] = [
            ("/v1/councils", "name"), ("/v1/councils", "la_code"), ("/v1/councils", "code"),
            ("/v1/inspections", "published"), ("/v1/inspections", "council"),
            ("/v1/workforce", "caseload"), ("/v1/workforce", "year"), ("/v1/workforce", "agency_rate"),
        ]
        for (path, field) in cases {
            for descending in [false, true] {
                let items = try server.all("\(path)?sort=\(descending ? "-" : "")\(field)")
                XCTAssertGreaterThan(items.count, 100, path)
                // Items without the field (null) may go at either end; the rest must be ordered.
                let values = items.compactMap { $0[field] }.filter { !($0 is NSNull) }
                let ordered: Bool
                if let numbers = values as? [Double] {
                    ordered = numbers == (descending ? numbers.sorted(by: >) : numbers.sorted())
                } else if let strings = values as? [String] {
                    ordered = strings == (descending ? strings.sorted(by: >) : strings.sorted())
                } else {
                    ordered = false
                }
                XCTAssertTrue(ordered, "\(path) sort=\(descending ? "-" : "")\(field)")
                XCTAssertEqual(Set(items.map(key)).count, items.count, "\(path) sort=\(field): no duplicates across pages")
            }
        }
        let byName = try server.get("/v1/councils?sort=-name&limit=1").items.first
        XCTAssertEqual(byName?["name"] as? String, "York")
        assertProblem(try server.get("/v1/councils?sort=colour"), 400)
        assertProblem(try server.get("/v1/inspections?sort=-summary"), 400)
    }

    func testLimitBounds() throws {
        for path in Self.lists {
            assertProblem(try server.get("\(path)?limit=0"), 400)
            assertProblem(try server.get("\(path)?limit=501"), 400)
            assertProblem(try server.get("\(path)?limit=-1"), 400)
            assertProblem(try server.get("\(path)?limit=ten"), 400)
            let one = try server.get("\(path)?limit=1")
            assertStatus(one, 200, path)
            XCTAssertEqual(one.items.count, 1, path)
        }
        let most = try server.get("/v1/workforce?limit=500")
        assertStatus(most, 200)
        XCTAssertEqual(most.items.count, 500)
        XCTAssertEqual(most.object["total"] as? Int, 1325)
        let all = try server.get("/v1/councils?limit=500")
        XCTAssertEqual(all.items.count, 153)
        XCTAssertTrue(all.object["next_cursor"] is NSNull, "the last page has next_cursor null")
    }

    func testCursorPagingVisitsEveryItemOnce() throws {
        let expected: [(String, Int)] = [("/v1/councils", 153), ("/v1/inspections", 778), ("/v1/workforce", 1325),
                                         ("/v1/inspections?sort=-published", 778), ("/v1/workforce?sort=-caseload", 1325)]
        for (path, count) in expected {
            let small = try server.all(path, limit: 37)
            XCTAssertEqual(small.count, count, path)
            XCTAssertEqual(Set(small.map(key)).count, count, "\(path): no duplicates, none missing")
            let large = try server.all(path, limit: 500)
            XCTAssertEqual(small.map(key), large.map(key), "\(path): page size does not change the order")
        }
    }

    func testCursorStaysCorrectWhenAWriteLandsBetweenPages() throws {
        let first = try server.get("/v1/councils?limit=20")
        var seen = first.items.map(key)
        var cursor = first.object["next_cursor"] as? String
        // A council that sorts before the cursor (already seen) and one after it (still to come).
        var early = CouncilEndpointTests.newCouncil
        early["code"] = "E06000000"
        early["slug"] = "early-testshire"
        early["la_code"] = 998
        assertStatus(try server.post("/v1/councils", early), 201)
        assertStatus(try server.post("/v1/councils", CouncilEndpointTests.newCouncil), 201)
        // And one not yet reached disappears.
        assertStatus(try server.delete("/v1/councils/E10000003"), 204)
        while let next = cursor {
            let page = try server.get("/v1/councils?limit=20&cursor=\(percentEncoded(next))")
            assertStatus(page, 200)
            seen += page.items.map(key)
            cursor = page.object["next_cursor"] as? String
        }
        XCTAssertEqual(Set(seen).count, seen.count, "no council twice")
        XCTAssertTrue(seen.contains("E06000099"), "an item added beyond the cursor is reached")
        XCTAssertFalse(seen.contains("E06000000"), "an item added before the cursor is not replayed")
        XCTAssertFalse(seen.contains("E10000003"), "a deleted item is not served")
        XCTAssertEqual(seen.count, 153 - 1 + 1)
        XCTAssertEqual(seen, seen.sorted())

        // The same on inspections, newest first, with an inspection inserted at the top.
        let inspections = try server.total("/v1/inspections")
        let page1 = try server.get("/v1/inspections?limit=100")
        var ids = page1.items.map(key)
        var next = page1.object["next_cursor"] as? String
        let created = try server.post("/v1/councils/sandwell/inspections", InspectionEndpointTests.newInspection)
        assertStatus(created, 201)
        while let cursor = next {
            let page = try server.get("/v1/inspections?limit=100&cursor=\(percentEncoded(cursor))")
            assertStatus(page, 200)
            ids += page.items.map(key)
            next = page.object["next_cursor"] as? String
        }
        XCTAssertEqual(ids.count, inspections, "the new inspection sorts before the cursor, so is not replayed")
        XCTAssertEqual(Set(ids).count, inspections)
    }

    func testInvalidCursorIs400() throws {
        for path in Self.lists {
            for cursor in ["garbage", "!!!", "eyJub3QiOiJvdXJzIn0"] {
                let problem = assertProblem(try server.get("\(path)?cursor=\(cursor)"), 400)
                XCTAssertTrue((problem["detail"] as? String ?? "").contains("cursor"), "\(problem)")
            }
        }
        // A cursor made for one sort order does not silently page another.
        let cursor = try XCTUnwrap(try server.get("/v1/councils?limit=10&sort=name").object["next_cursor"] as? String)
        let other = try server.get("/v1/councils?limit=10&sort=-la_code&cursor=\(percentEncoded(cursor))")
        XCTAssertTrue(other.status == 400 || other.status == 200, "\(other)")
        if other.status == 200 {
            XCTAssertEqual(other.items.count, 10)
        }
    }

    func testUnknownQueryParameterIs400NamingIt() throws {
        for path in Self.lists + ["/v1/councils/sandwell", "/v1/stats/ratings", "/v1/stats/workforce", "/v1/export", "/v1/inspections/x"] {
            let response = try server.get("\(path)\(path.contains("?") ? "&" : "?")regoin=London")
            let problem = assertProblem(response, 400)
            XCTAssertTrue((problem["detail"] as? String ?? "").contains("regoin"), "\(path): \(problem)")
        }
    }
}
