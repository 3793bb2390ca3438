import Foundation
import HTTPTestClient
import XCTest

/// A cursor pages only the list that gave it out: another record's history, or another
/// collection, refuses it with a 400 naming cursor (an empty page would read as "no more
/// versions"), and a list that takes no `sort` never answers in terms of one.
final class CursorBindingTests: APITestCase {
    func nextCursor(_ target: String) throws -> String {
        let page = try server.get(target)
        assertStatus(page, 200)
        return try XCTUnwrap(page.object["next_cursor"] as? String, "\(target) has a next page: \(page)")
    }

    func assertRefused(_ target: String, cursor: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let problem = assertProblem(try server.get("\(target)\(target.contains("?") ? "&" : "?")cursor=\(percentEncoded(cursor))"), 400, file: file, line: line)
        XCTAssertEqual((problem["errors"] as? [[String: Any]])?.first?["field"] as? String, "cursor", "\(problem)", file: file, line: line)
        return problem["detail"] as? String ?? ""
    }

    func testAHistoryCursorPagesOnlyItsRecord() throws {
        // Sunderland's 2024 row has two versions in the embedded data (the 2024 and 2025 releases).
        let cursor = try nextCursor("/v1/councils/sunderland/workforce/2024/history?limit=1")
        let more = try server.get("/v1/councils/sunderland/workforce/2024/history?limit=1&cursor=\(percentEncoded(cursor))")
        assertStatus(more, 200)
        XCTAssertEqual(more.items.count, 1, "the cursor pages its own record")
        for other in ["/v1/councils/sandwell/workforce/2024/history", "/v1/councils/sunderland/workforce/2023/history",
                      "/v1/councils/sunderland/history", "/v1/inspections/insp-2dbb0879/history"] {
            let detail = try assertRefused(other, cursor: cursor)
            XCTAssertTrue(detail.contains("another list"), "\(other): \(detail)")
        }
    }

    func testListsWithoutSortSayTheCursorBelongsToAnotherList() throws {
        let fromReleases = try nextCursor("/v1/releases?limit=1")
        let fromRevisions = try nextCursor("/v1/revisions?limit=1")
        let fromHistory = try nextCursor("/v1/councils/sunderland/history?limit=1")
        for (target, cursor) in [("/v1/revisions", fromReleases), ("/v1/releases", fromRevisions), ("/v1/releases", fromHistory),
                                 ("/v1/councils/sunderland/history", fromRevisions)] {
            let detail = try assertRefused(target, cursor: cursor)
            XCTAssertTrue(detail.contains("another list"), "\(target): \(detail)")
            XCTAssertFalse(detail.contains("sort="), "\(target) takes no sort, so the refusal names none: \(detail)")
        }
        // Collections that take sort: a cursor from another collection is refused the same way,
        // one from another sort of the same collection names both sorts.
        let councils = try nextCursor("/v1/councils?limit=1&sort=name")
        XCTAssertTrue(try assertRefused("/v1/inspections?sort=council", cursor: councils).contains("another list"))
        XCTAssertTrue(try assertRefused("/v1/councils?sort=-name", cursor: councils).contains("belongs to sort=name, not sort=-name"))
    }
}
