import CarewatchCore
import Foundation
import HTTPTestClient
import XCTest
@testable import CarewatchAPI

/// `Link: <…>; rel="next"` on every paged list, JSON and CSV, and `limit=all` for a whole CSV
/// list in one streamed answer.
final class PagingLinkTests: APITestCase {
    /// The target of a `rel="next"` link, or nil when the header has none.
    func nextTarget(_ response: RawHTTPResponse) -> String? {
        guard let link = response.header("Link") else { return nil }
        XCTAssertTrue(link.hasPrefix("<") && link.hasSuffix(">; rel=\"next\""), link)
        return String(link.dropFirst().prefix { $0 != ">" })
    }

    func csvRows(_ response: RawHTTPResponse) -> [Substring] {
        response.text.split(separator: "\r\n", omittingEmptySubsequences: true)
    }

    func testFollowingNextLinksVisitsEveryItemOnceAndStopsOnTheLastPage() throws {
        var target: String? = "/v1/councils?limit=40&sort=-name"
        var names: [String] = []
        var pages = 0
        while let current = target {
            let response = try server.get(current)
            assertStatus(response, 200)
            names += response.items.compactMap { $0["name"] as? String }
            target = nextTarget(response)
            let cursor = response.object["next_cursor"] as? String
            XCTAssertEqual(target == nil, cursor == nil, "a Link exactly when there is a next page: \(response)")
            if let target, let cursor {
                XCTAssertTrue(target.hasPrefix("/v1/councils?"), target)
                XCTAssertTrue(target.contains("cursor=\(cursor)"), target)
                XCTAssertTrue(target.contains("limit=40") && target.contains("sort=-name"), target)
            }
            pages += 1
        }
        XCTAssertEqual(pages, 4)
        XCTAssertEqual(names.count, 153)
        XCTAssertEqual(Set(names).count, 153)
        XCTAssertEqual(names, names.sorted(by: >))
    }

    func testLinksKeepFiltersEncodedAndTheVariantSpelledOut() throws {
        let json = try server.get("/v1/workforce?region=West+Midlands&year=2024&limit=5&pretty=true")
        let jsonNext = try XCTUnwrap(nextTarget(json))
        XCTAssertTrue(jsonNext.contains("region=West%20Midlands"), jsonNext)
        XCTAssertTrue(jsonNext.contains("pretty=true") && jsonNext.contains("year=2024"), jsonNext)
        let second = try server.get(jsonNext)
        assertStatus(second, 200)
        XCTAssertEqual(second.items.count, 5)
        XCTAssertTrue(second.items.allSatisfy { ($0["year"] as? Int) == 2024 })

        // CSV chosen by Accept: the link says format=csv, so it works without the header.
        let csv = try server.get("/v1/workforce?region=West+Midlands&limit=5", headers: [("Accept", "text/csv")])
        let csvNext = try XCTUnwrap(nextTarget(csv))
        XCTAssertTrue(csvNext.contains("format=csv"), csvNext)
        XCTAssertEqual(csv.header("X-Next-Cursor").map { csvNext.contains("cursor=\($0)") }, true)
        let followed = try server.get(csvNext)
        XCTAssertEqual(followed.mediaType, "text/csv")
        XCTAssertEqual(csvRows(followed).count, 6)
    }

    func testPagingCSVThroughLinksGivesTheWholeListOnce() throws {
        var target: String? = "/v1/workforce?format=csv&limit=400&sort=-caseload"
        var rows: [Substring] = []
        var header: Substring?
        while let current = target {
            let page = try server.get(current)
            assertStatus(page, 200)
            XCTAssertEqual(page.header("X-Total-Count"), "1325")
            let lines = csvRows(page)
            header = header ?? lines.first
            XCTAssertEqual(lines.first, header)
            rows += lines.dropFirst()
            target = nextTarget(page)
        }
        XCTAssertEqual(rows.count, 1325)
        XCTAssertEqual(Set(rows).count, 1325)
    }

    func testLimitAllStreamsTheWholeCSVList() throws {
        let whole = try server.get("/v1/workforce?format=csv&limit=all&sort=-caseload")
        assertStatus(whole, 200)
        XCTAssertTrue(whole.wasChunked, "streamed, not buffered: \(whole)")
        XCTAssertEqual(whole.mediaType, "text/csv")
        XCTAssertEqual(whole.header("X-Total-Count"), "1325")
        XCTAssertNil(whole.header("Link"))
        XCTAssertNil(whole.header("X-Next-Cursor"))
        XCTAssertEqual(whole.header("Content-Disposition"), "attachment; filename=\"carewatch-workforce.csv\"")
        let lines = csvRows(whole)
        XCTAssertEqual(lines.count, 1326)
        XCTAssertEqual(lines.filter { $0.hasPrefix("council,year,") }.count, 1, "one header row")

        var paged: [Substring] = []
        var target: String? = "/v1/workforce?format=csv&limit=500&sort=-caseload"
        while let current = target {
            let page = try server.get(current)
            paged += csvRows(page).dropFirst()
            target = nextTarget(page)
        }
        XCTAssertEqual(Array(lines.dropFirst()), paged, "the same rows in the same order as paging gives")

        let etag = try XCTUnwrap(whole.header("ETag"))
        let unchanged = try server.get("/v1/workforce?format=csv&limit=all&sort=-caseload", headers: [("If-None-Match", etag)])
        assertStatus(unchanged, 304)
        XCTAssertNotEqual(try server.get("/v1/workforce?format=csv&limit=all&sort=caseload").header("ETag"), etag, "another query, another tag")
        assertStatus(try server.put("/v1/councils/sandwell/workforce/2018", ["employed_fte": 200]), 200)
        XCTAssertNotEqual(try server.get("/v1/workforce?format=csv&limit=all&sort=-caseload").header("ETag"), etag, "new data, new tag")

        let head = try server.head("/v1/workforce?format=csv&limit=all")
        assertStatus(head, 200)
        XCTAssertTrue(head.body.isEmpty)
    }

    func testLimitAllKeepsFiltersAndCursor() throws {
        let year = try server.get("/v1/workforce?year=2025&limit=all", headers: [("Accept", "text/csv")])
        assertStatus(year, 200)
        let rows = csvRows(year).dropFirst()
        XCTAssertEqual(String(rows.count), year.header("X-Total-Count"))
        XCTAssertTrue(rows.allSatisfy { $0.split(separator: ",")[1] == "2025" })

        let first = try server.get("/v1/councils?format=csv&limit=100")
        let cursor = try XCTUnwrap(first.header("X-Next-Cursor"))
        let rest = try server.get("/v1/councils?format=csv&limit=all&cursor=\(cursor)")
        XCTAssertEqual(csvRows(rest).count, 1 + 53)

        let empty = try server.get("/v1/inspections?published_from=2100-01-01&format=csv&limit=all")
        assertStatus(empty, 200)
        XCTAssertEqual(csvRows(empty).count, 1, "an empty list is its header row")
        XCTAssertEqual(empty.header("X-Total-Count"), "0")
        XCTAssertEqual(empty.header("Content-Disposition"), "attachment; filename=\"carewatch-inspections.csv\"")
        let council = try server.get("/v1/councils/E08000028/inspections?format=csv&limit=all")
        XCTAssertEqual(council.header("Content-Disposition"), "attachment; filename=\"carewatch-councils-e08000028-inspections.csv\"")
    }

    func testLimitAllIsRefusedOnJSONAndBadLimitsNameTheParameter() throws {
        for target in ["/v1/councils?limit=all", "/v1/workforce?limit=all&format=json"] {
            let problem = assertProblem(try server.get(target), 400)
            XCTAssertTrue((problem["detail"] as? String ?? "").contains("CSV"), "\(problem)")
            XCTAssertEqual((problem["errors"] as? [[String: Any]])?.first?["field"] as? String, "limit")
        }
        for bad in ["ALL", "0", "501", "", "all,all"] {
            let problem = assertProblem(try server.get("/v1/workforce?format=csv&limit=\(bad)"), 400)
            XCTAssertEqual((problem["errors"] as? [[String: Any]])?.first?["field"] as? String, "limit", bad)
        }
    }

    func testChunksCarryOneHeaderAndEveryRowOnce() {
        let items = Array(1...7)
        let render: @Sendable ([Int]) -> [UInt8] = { rows in Array(("n\r\n" + rows.map { "\($0)\r\n" }.joined()).utf8) }
        let next = WholeCSV.chunks(items, rowsPerChunk: 3, csv: render)
        var chunks: [[UInt8]] = []
        while let chunk = next() { chunks.append(chunk) }
        XCTAssertEqual(chunks.count, 3)
        XCTAssertEqual(chunks.flatMap { $0 }, render(items))
        let empty = WholeCSV.chunks([Int](), rowsPerChunk: 3, csv: render)
        XCTAssertEqual(empty().map { String(decoding: $0, as: UTF8.self) }, "n\r\n")
        XCTAssertNil(empty())
    }
}
