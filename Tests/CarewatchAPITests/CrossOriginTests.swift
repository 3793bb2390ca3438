import Foundation
import HTTPTestClient
import XCTest
@testable import CarewatchAPI

/// CORS as the carewatch binary applies it: configured origins normalised, `*` read-only, and
/// what a browser page needs to page, edit and read errors.
final class CrossOriginTests: APITestCase {
    func testConfiguredOriginsAreNormalised() throws {
        let command = try CommandLineParser.parse(arguments: ["serve", "--cors-origins", "HTTPS://Dash.Example.org:443, *,http://[::1]:80"], environment: [:])
        guard case .serve(let configuration) = command else { return XCTFail("\(command)") }
        XCTAssertEqual(configuration.corsOrigins, ["https://dash.example.org", "*", "http://[::1]"])
    }

    func testAListedOriginEditsWithIfMatchAndReadsWhatItNeeds() throws {
        let cors = try extraServer { $0.corsOrigins = ["HTTPS://Dash.Example.org"] }
        let origin = ("Origin", "https://dash.example.org")
        let read = try cors.get("/v1/councils/sandwell", headers: [origin])
        XCTAssertEqual(read.header("Access-Control-Allow-Origin"), "https://dash.example.org")
        let etag = try XCTUnwrap(read.header("ETag"))
        let edited = try cors.patch("/v1/councils/sandwell", ["name": "Sandwell"], headers: [origin, ("If-Match", etag)])
        assertStatus(edited, 200)
        XCTAssertEqual(edited.header("Access-Control-Allow-Origin"), "https://dash.example.org")
        let stale = try cors.patch("/v1/councils/sandwell", ["name": "Sandwell"], headers: [origin, ("If-Match", "\"stale\"")])
        assertProblem(stale, 412)
        XCTAssertEqual(stale.header("Access-Control-Allow-Origin"), "https://dash.example.org", "the 412 is readable")
        let unauthorized = try cors.write("PATCH", "/v1/councils/sandwell", json: ["name": "x"], contentType: "application/merge-patch+json",
                                          headers: [origin], authorized: false)
        assertProblem(unauthorized, 401)
        XCTAssertNotNil(unauthorized.header("WWW-Authenticate"))
        XCTAssertTrue((unauthorized.header("Access-Control-Expose-Headers") ?? "").contains("WWW-Authenticate"))
    }

    func testWildcardServesReadsAndRefusesWritesFromPagesThatHoldAKey() throws {
        let cors = try extraServer { $0.corsOrigins = ["*"] }
        let origin = ("Origin", "https://anyone.example")
        let read = try cors.get("/v1/councils?limit=2", headers: [origin])
        assertStatus(read, 200)
        XCTAssertEqual(read.header("Access-Control-Allow-Origin"), "*")
        let before = try cors.get("/v1/councils/sandwell").header("ETag")
        let write = try cors.patch("/v1/councils/sandwell", ["name": "Hijacked"], headers: [origin])
        let problem = assertProblem(write, 403)
        XCTAssertTrue((problem["detail"] as? String ?? "").contains("https://anyone.example"), "\(problem)")
        XCTAssertEqual(write.header("Access-Control-Allow-Origin"), "*", "the refusal is readable")
        XCTAssertEqual(try cors.get("/v1/councils/sandwell").header("ETag"), before, "nothing was written")
        XCTAssertEqual(try cors.get("/v1/councils/sandwell").object["name"] as? String, "Sandwell")
    }

    func testEveryAnswerVariesOnOriginOnceCORSIsOn() throws {
        let cors = try extraServer { $0.corsOrigins = ["https://dash.example.org"] }
        for target in ["/v1/councils/sandwell", "/v1/councils?limit=1", "/v1/nothing-here", "/healthz"] {
            let response = try cors.get(target)
            let vary = response.headerValues("Vary").joined(separator: ",")
            XCTAssertTrue(vary.contains("Origin"), "\(target): \(response)")
        }
        XCTAssertFalse(try server.get("/v1/councils/sandwell").headerValues("Vary").joined().contains("Origin"), "CORS off: no Vary: Origin")
    }
}
