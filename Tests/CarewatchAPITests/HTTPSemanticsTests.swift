import Foundation
import Synchronization
import HTTPTestClient
import XCTest

/// Statuses collected from concurrent requests.
final class Statuses: Sendable {
    private let state = Mutex<(all: [Int], winner: String?)>(([], nil))
    func add(_ status: Int, name: String) { state.withLock { $0.all.append(status); if (200..<300).contains(status) { $0.winner = name } } }
    var all: [Int] { state.withLock { $0.all } }
    var winner: String? { state.withLock { $0.winner } }
}

/// Conditional requests, HEAD and representations: strong ETags on every GET, 304 with no
/// body, If-Match guarding every kind of write, CSV by Accept or format, pretty JSON.
final class HTTPSemanticsTests: APITestCase {
    static let getTargets = [
        "/v1/councils", "/v1/councils/sandwell", "/v1/councils/sandwell/inspections", "/v1/inspections",
        "/v1/councils/sandwell/workforce", "/v1/councils/sandwell/workforce/2018", "/v1/workforce",
        "/v1/stats/ratings", "/v1/stats/workforce", "/v1/export", "/openapi.yaml",
    ]

    func testEveryGETHasAStrongETagAndRevalidatesTo304WithoutBody() throws {
        let inspection = try XCTUnwrap(try server.get("/v1/inspections?limit=1").items.first?["id"] as? String)
        for target in Self.getTargets + ["/v1/inspections/\(inspection)"] {
            let response = try server.get(target)
            assertStatus(response, 200, target)
            let etag = try XCTUnwrap(response.header("ETag"), "\(target) has an ETag")
            XCTAssertTrue(etag.hasPrefix("\"") && etag.hasSuffix("\""), "\(target): strong, quoted ETag \(etag)")
            XCTAssertFalse(etag.hasPrefix("W/"), target)
            XCTAssertEqual(try server.get(target).header("ETag"), etag, "\(target): the tag is stable while nothing changes")

            let revalidated = try server.get(target, headers: [("If-None-Match", etag)])
            assertStatus(revalidated, 304, target)
            XCTAssertTrue(revalidated.body.isEmpty, target)
            XCTAssertEqual(revalidated.header("ETag"), etag, target)
            XCTAssertTrue(revalidated.header("Content-Length") == nil || revalidated.header("Content-Length") == "0"
                          || revalidated.header("Content-Length") == response.header("Content-Length"), target)

            let other = try server.get(target, headers: [("If-None-Match", "\"not-it\"")])
            assertStatus(other, 200, target)
            let star = try server.get(target, headers: [("If-None-Match", "*")])
            assertStatus(star, 304, target)
        }
    }

    func test304ReadOnAKeptAliveConnectionLeavesTheConnectionUsable() throws {
        let connection = try RawHTTPConnection(port: server.port)
        let first = try connection.exchange("GET", "/v1/councils/sandwell")
        let etag = try XCTUnwrap(first.header("ETag"))
        let second = try connection.exchange("GET", "/v1/councils/sandwell", headers: [("If-None-Match", etag)])
        assertStatus(second, 304)
        // Had the 304 carried a body, this answer would be misframed.
        let third = try connection.exchange("GET", "/healthz")
        assertStatus(third, 200)
        XCTAssertEqual(third.object["status"] as? String, "ok")
    }

    func testETagChangesWithTheData() throws {
        let before = try XCTUnwrap(try server.get("/v1/councils/sandwell").header("ETag"))
        let listBefore = try XCTUnwrap(try server.get("/v1/councils?region=West%20Midlands").header("ETag"))
        assertStatus(try server.patch("/v1/councils/sandwell", ["name": "Sandwell Council"]), 200)
        let after = try XCTUnwrap(try server.get("/v1/councils/sandwell").header("ETag"))
        XCTAssertNotEqual(before, after)
        assertStatus(try server.get("/v1/councils/sandwell", headers: [("If-None-Match", before)]), 200)
        XCTAssertNotEqual(try server.get("/v1/councils?region=West%20Midlands").header("ETag"), listBefore, "a list holding the council changes too")
        // A new inspection changes the council's derived latest_inspection, so its tag too.
        assertStatus(try server.post("/v1/councils/sandwell/inspections", InspectionEndpointTests.newInspection), 201)
        XCTAssertNotEqual(try server.get("/v1/councils/sandwell").header("ETag"), after)
    }

    func testIfMatchOnCouncilWrites() throws {
        let etag = try XCTUnwrap(try server.get("/v1/councils/sandwell").header("ETag"))
        assertProblem(try server.patch("/v1/councils/sandwell", ["name": "X"], headers: [("If-Match", "\"stale\"")]), 412)
        XCTAssertEqual(try server.get("/v1/councils/sandwell").object["name"] as? String, "Sandwell")
        let patched = try server.patch("/v1/councils/sandwell", ["name": "Sandwell A"], headers: [("If-Match", etag)])
        assertStatus(patched, 200)
        let newTag = try XCTUnwrap(patched.header("ETag"))
        XCTAssertNotEqual(newTag, etag)
        // The old tag no longer matches: a second editor holding it is refused.
        assertProblem(try server.patch("/v1/councils/sandwell", ["name": "Sandwell B"], headers: [("If-Match", etag)]), 412)
        var replacement = patched.object
        replacement.removeValue(forKey: "latest_inspection")
        replacement.removeValue(forKey: "updated_at")
        replacement["name"] = "Sandwell C"
        assertProblem(try server.put("/v1/councils/sandwell", replacement, headers: [("If-Match", etag)]), 412)
        let put = try server.put("/v1/councils/sandwell", replacement, headers: [("If-Match", newTag)])
        assertStatus(put, 200)
        let putTag = try XCTUnwrap(put.header("ETag"))
        assertProblem(try server.delete("/v1/councils/sandwell", headers: [("If-Match", newTag)]), 412)
        assertStatus(try server.get("/v1/councils/sandwell"), 200)
        assertStatus(try server.delete("/v1/councils/sandwell", headers: [("If-Match", putTag)]), 204)
    }

    func testIfMatchOnInspectionAndWorkforceWrites() throws {
        let id = try XCTUnwrap(try server.get("/v1/councils/sandwell/inspections?limit=1").items.first?["id"] as? String)
        let inspectionTag = try XCTUnwrap(try server.get("/v1/inspections/\(id)").header("ETag"))
        assertProblem(try server.patch("/v1/inspections/\(id)", ["summary": "x"], headers: [("If-Match", "\"v0.0\"")]), 412)
        let patched = try server.patch("/v1/inspections/\(id)", ["summary": "x"], headers: [("If-Match", inspectionTag)])
        assertStatus(patched, 200)
        assertProblem(try server.delete("/v1/inspections/\(id)", headers: [("If-Match", inspectionTag)]), 412)
        assertStatus(try server.delete("/v1/inspections/\(id)", headers: [("If-Match", try XCTUnwrap(patched.header("ETag")))]), 204)

        let rowTag = try XCTUnwrap(try server.get("/v1/councils/sandwell/workforce/2018").header("ETag"))
        assertProblem(try server.put("/v1/councils/sandwell/workforce/2018", ["caseload": 17.0], headers: [("If-Match", "\"nope\"")]), 412)
        XCTAssertEqual(try server.get("/v1/councils/sandwell/workforce/2018").object["caseload"] as? Double, 18)
        let put = try server.put("/v1/councils/sandwell/workforce/2018", ["caseload": 17.0], headers: [("If-Match", rowTag)])
        assertStatus(put, 200)
        assertProblem(try server.delete("/v1/councils/sandwell/workforce/2018", headers: [("If-Match", rowTag)]), 412)
        assertStatus(try server.delete("/v1/councils/sandwell/workforce/2018", headers: [("If-Match", try XCTUnwrap(put.header("ETag")))]), 204)
        // If-Match on a row that does not exist never holds.
        assertProblem(try server.put("/v1/councils/sandwell/workforce/2030", ["caseload": 1.0], headers: [("If-Match", rowTag)]), 412)
    }

    /// The promise behind If-Match: two editors holding the same tag write at the same moment;
    /// exactly one wins and the other is told (412), never silently overwritten.
    func testConcurrentEditorsWithTheSameTagExactlyOneWins() throws {
        for round in 0..<5 {
            let etag = try XCTUnwrap(try server.get("/v1/councils/sandwell").header("ETag"))
            let statuses = Statuses()
            let port = server.port
            DispatchQueue.concurrentPerform(iterations: 4) { editor in
                let body = jsonBytes(["name": "Sandwell \(round)-\(editor)"])
                let response = try? RawHTTPClient(port: port).request("PATCH", "/v1/councils/sandwell", headers: [
                    ("Authorization", "Bearer \(TestServer.apiKey)"), ("Content-Type", "application/merge-patch+json"), ("If-Match", etag),
                ], body: body)
                statuses.add(response?.status ?? -1, name: "Sandwell \(round)-\(editor)")
            }
            XCTAssertEqual(statuses.all.filter { $0 == 200 }.count, 1, "round \(round): \(statuses.all)")
            XCTAssertEqual(statuses.all.filter { $0 == 412 }.count, 3, "round \(round): \(statuses.all)")
            XCTAssertEqual(try server.get("/v1/councils/sandwell").object["name"] as? String, statuses.winner, "the winner's write is the one kept")
        }
    }

    /// Creates race too: of eight clients creating the same council or inspection at once,
    /// exactly one gets 201 and the others 409.
    func testConcurrentCreatesOfTheSameThingExactlyOneWins() throws {
        let port = server.port
        let headers = [("Authorization", "Bearer \(TestServer.apiKey)"), ("Content-Type", "application/json")]
        let councils = Statuses()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            var body = CouncilEndpointTests.newCouncil
            body["name"] = "Testshire \(index)"
            let response = try? RawHTTPClient(port: port).request("POST", "/v1/councils", headers: headers, body: jsonBytes(body))
            councils.add(response?.status ?? -1, name: "Testshire \(index)")
        }
        XCTAssertEqual(councils.all.filter { $0 == 201 }.count, 1, "\(councils.all)")
        XCTAssertEqual(councils.all.filter { $0 == 409 }.count, 7, "\(councils.all)")
        XCTAssertEqual(try server.get("/v1/councils/testshire").object["name"] as? String, councils.winner)
        let inspections = Statuses()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            var body = InspectionEndpointTests.newInspection
            body["id"] = "race-1"
            body["summary"] = "writer \(index)"
            let response = try? RawHTTPClient(port: port).request("POST", "/v1/councils/sandwell/inspections", headers: headers, body: jsonBytes(body))
            inspections.add(response?.status ?? -1, name: "writer \(index)")
        }
        XCTAssertEqual(inspections.all.filter { $0 == 201 }.count, 1, "\(inspections.all)")
        XCTAssertEqual(inspections.all.filter { $0 == 409 }.count, 7, "\(inspections.all)")
        XCTAssertEqual(try server.get("/v1/inspections/race-1").object["summary"] as? String, inspections.winner)
        XCTAssertEqual(try server.total("/v1/inspections"), 779)
    }

    func testIfMatchWithPrettyVariantTagStillMatches() throws {
        let prettyTag = try XCTUnwrap(try server.get("/v1/councils/sandwell?pretty=true").header("ETag"))
        // The pretty body has its own tag ("v…+pretty"), but If-Match compares versions, so an
        // editor that read the pretty form may still write.
        assertStatus(try server.patch("/v1/councils/sandwell", ["name": "Sandwell P"], headers: [("If-Match", prettyTag)]), 200,
                     "If-Match with the pretty variant's tag \(prettyTag)")
    }

    func testHEADHasTheGETHeadersAndNoBody() throws {
        for target in ["/v1/councils", "/v1/councils/sandwell", "/v1/workforce?year=2025", "/healthz", "/openapi.yaml", "/v1/stats/ratings"] {
            let get = try server.get(target)
            let head = try server.head(target)
            assertStatus(head, 200, target)
            XCTAssertTrue(head.body.isEmpty, target)
            XCTAssertEqual(head.header("ETag"), get.header("ETag"), target)
            XCTAssertEqual(head.header("Content-Type"), get.header("Content-Type"), target)
            if let length = get.header("Content-Length") {
                XCTAssertEqual(head.header("Content-Length"), length, target)
            }
        }
        // HEAD on a keep-alive connection: the next response must still be framed right.
        let connection = try RawHTTPConnection(port: server.port)
        assertStatus(try connection.exchange("HEAD", "/v1/councils/sandwell"), 200)
        let next = try connection.exchange("GET", "/v1/councils/333")
        XCTAssertEqual(next.object["code"] as? String, "E08000028")
        let missing = try server.head("/v1/councils/nowhere")
        assertStatus(missing, 404)
        XCTAssertEqual(missing.mediaType, "application/problem+json")
        XCTAssertTrue(missing.body.isEmpty)
    }

    func testCSVByAcceptHeaderAndByFormatParameter() throws {
        for (target, headers) in [("/v1/councils", [("Accept", "text/csv")]), ("/v1/councils?format=csv", [])] {
            let response = try server.get(target + (target.contains("?") ? "&" : "?") + "limit=500", headers: headers)
            assertStatus(response, 200, target)
            XCTAssertEqual(response.mediaType, "text/csv", target)
            let lines = response.text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).filter { !$0.isEmpty }
            XCTAssertEqual(lines.count, 154, "header + 153 councils")
            XCTAssertTrue(lines[0].contains("code") && lines[0].contains("la_code"), "\(lines[0])")
            XCTAssertTrue(lines.contains { $0.contains("E08000028") && $0.contains("Sandwell") && $0.contains("333") })
            XCTAssertEqual(response.header("X-Total-Count"), "153")
        }
        let inspections = try server.get("/v1/councils/sandwell/inspections?format=csv")
        assertStatus(inspections, 200)
        XCTAssertEqual(inspections.mediaType, "text/csv")
        XCTAssertEqual(inspections.text.split(whereSeparator: \.isNewline).count, 7)
        let workforce = try server.get("/v1/workforce?year=2025&limit=500", headers: [("Accept", "text/csv")])
        XCTAssertEqual(workforce.mediaType, "text/csv")
        XCTAssertEqual(workforce.text.split(whereSeparator: \.isNewline).count, 150)
        let csvTag = try XCTUnwrap(workforce.header("ETag"))
        let json = try server.get("/v1/workforce?year=2025&limit=500")
        XCTAssertEqual(json.mediaType, "application/json", "JSON by default")
        XCTAssertNotEqual(json.header("ETag"), csvTag, "each representation has its own tag")
        XCTAssertEqual(try server.get("/v1/councils", headers: [("Accept", "application/json, text/csv;q=0.5")]).mediaType, "application/json")
        assertProblem(try server.get("/v1/councils?format=xml"), 400)
    }

    func testPrettyJSON() throws {
        let compact = try server.get("/v1/councils/sandwell")
        let pretty = try server.get("/v1/councils/sandwell?pretty=true")
        assertStatus(pretty, 200)
        XCTAssertFalse(compact.text.contains("\n"))
        XCTAssertTrue(pretty.text.contains("\n  "), pretty.text)
        XCTAssertEqual(NSDictionary(dictionary: pretty.object), NSDictionary(dictionary: compact.object), "same content")
        XCTAssertNotEqual(pretty.header("ETag"), compact.header("ETag"))
        let list = try server.get("/v1/councils?limit=2&pretty=true")
        XCTAssertTrue(list.text.contains("\n"))
        XCTAssertEqual(list.items.count, 2)
        assertProblem(try server.get("/v1/councils?pretty=maybe"), 400)
    }
}
