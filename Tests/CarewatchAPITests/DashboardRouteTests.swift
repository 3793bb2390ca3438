import Foundation
import HTTPTestClient
import XCTest
@testable import CarewatchAPI

/// `/` and `/assets/{file}`: the dashboard comes out of the binary, asks for nothing outside
/// the server, and the browser holds it to that (Content-Security-Policy). What it shows is
/// checked in a real browser by Tests/Browser/check.py.
final class DashboardRouteTests: APITestCase {
    func testTheDashboardAndItsAssetsAreServedFromTheBinary() throws {
        let page = try server.get("/")
        assertStatus(page, 200)
        XCTAssertEqual(page.header("Content-Type"), "text/html; charset=utf-8")
        let policy = try XCTUnwrap(page.header("Content-Security-Policy"))
        for directive in ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'"] {
            XCTAssertTrue(policy.contains(directive), policy)
        }
        let html = page.text
        let assets = html.components(separatedBy: "/assets/").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        XCTAssertEqual(Set(assets), ["dashboard.css", "dashboard.js"])
        for asset in assets {
            let response = try server.get("/assets/\(asset)")
            assertStatus(response, 200, asset)
            XCTAssertEqual(response.mediaType, asset.hasSuffix(".css") ? "text/css" : "text/javascript")
            XCTAssertEqual(response.text, EmbeddedDocuments.files[asset], "the file in Dashboard/ as it is")
            let etag = try XCTUnwrap(response.header("ETag"))
            assertStatus(try server.get("/assets/\(asset)", headers: [("If-None-Match", etag)]), 304)
        }
        assertProblem(try server.get("/assets/index.html"), 404)
        assertProblem(try server.get("/assets/openapi.yaml"), 404)
        assertProblem(try server.get("/assets/..%2Fopenapi.yaml"), 404)
        assertProblem(try server.get("/?utm_source=x"), 400)
    }

    func testNothingInTheDashboardPointsOutsideTheServer() throws {
        for name in ["index.html", "dashboard.css", "dashboard.js"] {
            let text = try XCTUnwrap(EmbeddedDocuments.files[name], name)
            let external = text.components(separatedBy: "://").dropFirst().map { String($0.prefix { !"\"'` )".contains($0) }) }
            XCTAssertEqual(external.filter { $0 != "www.w3.org/2000/svg" }, [], "\(name) names another server")
            XCTAssertFalse(text.contains("url("), "\(name) loads something from CSS")
            XCTAssertFalse(text.contains("@import"), name)
        }
        // Every API path the script asks is one the router serves (some need parameters).
        let script = try XCTUnwrap(EmbeddedDocuments.files["dashboard.js"])
        let paths = Set(script.components(separatedBy: "\"/v1/").dropFirst().map { "/v1/" + String($0.prefix { !"\"?$`".contains($0) }) }
            + script.components(separatedBy: "`/v1/").dropFirst().map { "/v1/" + String($0.prefix { !"\"?$`".contains($0) }) })
        XCTAssertTrue(paths.isSuperset(of: ["/v1/figures", "/v1/stats/ratings/series"]), "\(paths)")
        for path in paths where !path.hasSuffix("/") {
            XCTAssertTrue([200, 400].contains(try server.get(path).status), path)
        }
    }
}
