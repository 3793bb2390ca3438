import CarewatchCore
import Foundation
import HTTPTestClient
import XCTest
@testable import CarewatchAPI

/// `GET /v1/changes`: every change in order, paged by `since`, with 410 for a position no
/// longer held; and the cache headers that let shared caches serve reads but never the feed.
final class ChangeFeedTests: APITestCase {
    /// An event's record, as sorted `key=value` pairs.
    func record(_ event: [String: Any]) -> String {
        (event["record"] as? [String: Any] ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
    }

    func testTheFeedListsEachChangeInOrder() throws {
        let before = try server.get("/v1/changes?since=16530")
        XCTAssertEqual(before.status, 200)
        XCTAssertEqual(before.header("Cache-Control"), "no-store")
        let latest = try XCTUnwrap(before.object["latest"] as? Int)
        XCTAssertEqual(latest, 16537, "the embedded data's changes")
        XCTAssertEqual(before.items.map { $0["seq"] as? Int }, Array(16531...16537))
        XCTAssertEqual(before.object["next_since"] as? Int, 16537)
        XCTAssertEqual(before.object["oldest"] as? Int, 1)

        XCTAssertEqual(try server.put("/v1/councils/sunderland/workforce/2024", ["employed_fte": 230.5]).status, 200)
        XCTAssertEqual(try server.delete("/v1/councils/sunderland/workforce/2023").status, 204)
        let page = try server.get("/v1/changes?since=\(latest)")
        let events = page.items
        XCTAssertEqual(events.map { $0["seq"] as? Int }, [latest + 1, latest + 2])
        XCTAssertEqual(events.map { $0["version"] as? Int }, [15, 16])
        XCTAssertEqual(events.map { $0["action"] as? String }, ["updated", "deleted"])
        XCTAssertEqual(record(events[0]), "council=E08000024 kind=workforce year=2024")
        XCTAssertEqual(events[0]["href"] as? String, "/v1/councils/E08000024/workforce/2024")
        XCTAssertTrue(events[1]["href"] is NSNull, "a deleted record has no address")
        XCTAssertEqual((events[0]["made_by"] as? [String: Any])?["request"] as? String, "PUT /v1/councils/sunderland/workforce/2024")
        XCTAssertEqual(page.object["next_since"] as? Int, latest + 2)

        // Paging: limit bounds a page, next_since continues it.
        let first = try server.get("/v1/changes?since=0&limit=3")
        XCTAssertEqual(first.items.map { $0["seq"] as? Int }, [1, 2, 3])
        XCTAssertEqual(first.items.first.map(record), "code=E06000001 kind=council")
        XCTAssertEqual(try server.get("/v1/changes?since=3&limit=2").items.map { $0["seq"] as? Int }, [4, 5])
        XCTAssertEqual(try server.get("/v1/changes").items.count, 100, "from the oldest, 100 by default")
        XCTAssertEqual(try server.get("/v1/changes?since=\(latest + 2)").items.count, 0, "nothing new yet")

        for query in ["since=\(latest + 3)", "since=-1", "limit=0", "limit=1001", "limit=all", "after=3"] {
            XCTAssertEqual(try server.get("/v1/changes?\(query)").status, 400, query)
        }
    }

    func testCacheHeadersLetSharedCachesServeReadsOnly() throws {
        let read = try server.get("/v1/councils/sandwell")
        XCTAssertEqual(read.header("Cache-Control"), "public, max-age=5, stale-while-revalidate=30")
        XCTAssertNotNil(read.header("ETag"))
        let revalidated = try server.get("/v1/councils/sandwell", headers: [("If-None-Match", read.header("ETag")!)])
        XCTAssertEqual(revalidated.status, 304)
        XCTAssertEqual(revalidated.header("Cache-Control"), "public, max-age=5, stale-while-revalidate=30")
        let withKey = try server.get("/v1/councils/sandwell", headers: [("Authorization", "Bearer \(TestServer.apiKey)")])
        XCTAssertEqual(withKey.header("Cache-Control"), "private, no-cache", "an authenticated answer is for its client only")
        XCTAssertEqual(try server.get("/v1/councils?limit=2").header("Cache-Control"), "public, max-age=5, stale-while-revalidate=30")
        XCTAssertEqual(try server.get("/v1/revisions").header("Cache-Control"), "public, max-age=5, stale-while-revalidate=30")
        XCTAssertEqual(try server.put("/v1/councils/sunderland/workforce/2024", ["employed_fte": 230.5]).header("Cache-Control"), "no-store")
        XCTAssertEqual(try server.get("/metrics").header("Cache-Control"), "no-store")
    }

    func testMetricsStateTheHistoryAndItsRetention() throws {
        let metrics = try server.get("/metrics").text
        XCTAssertTrue(metrics.contains("\ncarewatch_history_retention_changes 100000\n"), metrics)
        XCTAssertTrue(metrics.contains("\ncarewatch_history_changes 16537\n"))
        XCTAssertTrue(metrics.contains("\ncarewatch_history_oldest_sequence 1\n"))
        XCTAssertTrue(metrics.contains("\ncarewatch_history_latest_sequence 16537\n"))
        XCTAssertTrue(metrics.contains("\ncarewatch_change_streams_open 0\n"))
    }
}

/// With a short retention, the oldest changes go: a position before them is 410 Gone, naming
/// the oldest change still held, and the history survives a restart as it was.
final class ChangeFeedRetentionTests: APITestCase {
    override func configure(_ configuration: inout CarewatchConfiguration) {
        configuration.historyRetention = 5000
    }

    func testAPositionNoLongerHeldIsGone() throws {
        // 16,537 changes in chunks of 4,096: two chunks go, 8,345 stay (at least 5,000).
        let gone = try server.get("/v1/changes?since=0")
        XCTAssertEqual(gone.status, 410)
        XCTAssertEqual(gone.mediaType, "application/problem+json")
        XCTAssertEqual(gone.object["oldest"] as? Int, 8193)
        XCTAssertEqual(gone.object["latest"] as? Int, 16537)
        XCTAssertTrue((gone.object["detail"] as? String ?? "").contains("8193"))
        XCTAssertEqual(try server.get("/v1/changes?since=8191").status, 410)
        XCTAssertEqual(try server.get("/v1/changes?since=8192&limit=1").items.first?["seq"] as? Int, 8193)
        XCTAssertEqual(try server.get("/v1/changes").items.first?["seq"] as? Int, 8193, "by default from the oldest held")
        let metrics = try server.get("/metrics").text
        XCTAssertTrue(metrics.contains("\ncarewatch_history_retention_changes 5000\n"))
        XCTAssertTrue(metrics.contains("\ncarewatch_history_oldest_sequence 8193\n"))

        XCTAssertEqual(try server.put("/v1/councils/sunderland/workforce/2024", ["employed_fte": 230.5]).status, 200)
        server.stop()
        let restarted = try extraServer(directory: server.directory) { $0.historyRetention = 5000 }
        XCTAssertEqual(try restarted.get("/v1/changes?since=0").status, 410)
        let after = try restarted.get("/v1/changes?since=16537")
        XCTAssertEqual(after.items.map { $0["seq"] as? Int }, [16538], "the change made before the restart, numbered as it was")
    }
}
